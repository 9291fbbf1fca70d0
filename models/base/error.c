/* User-facing error text: one line, "FILE:LINE: what was expected". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int vgs_file_check(const char *path, const char *what, const char *where, struct vgs_error *err)
{
	const char *sep = where ? ": " : "";
	struct stat st;
	int fd;

	if (!where)
		where = "";
	if (!path || !*path) {
		vgs_error_set(err, "%s%sexpected the path of %s, got an empty one", where, sep, what);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO would block */
	if (fd < 0 || fstat(fd, &st) != 0) {
		vgs_error_set(err, "%s%s%s: cannot open: %s", where, sep, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		vgs_error_set(err, "%s%s%s: is a directory; expected %s", where, sep, path, what);
		return -1;
	}
	return 0;
}

int vgs_stdout_flush(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "vgpusim: cannot write the output: %s\n", strerror(errno ? errno : EIO));
	return rc ? rc : 2;
}
