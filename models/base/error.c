/* User-facing error text: one line, "FILE:LINE: what was expected". */
#include <stdarg.h>
#include <stdio.h>

#include "models/base/error.h"

void vgs_error_set(struct vgs_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}
