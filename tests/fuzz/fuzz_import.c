/* The importers' common harness (see fuzz_import.h). */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/fuzz_import.h"

/* Write context ctx (or all: -1) of im as a native trace; its path, or NULL when the writer refused. */
static const char *write_native(const struct vgs_import *im, int ctx)
{
	static char path[4096];
	struct vgs_error err = { { 0 } };
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/out.vgt", fuzz_dir());
	f = fopen(path, "w");
	if (!f)
		abort();
	rc = vgs_import_write(im, ctx, f, &err);
	if (fclose(f) != 0)
		abort();
	return rc == 0 ? path : NULL;
}

int fuzz_import(int (*parse)(struct vgs_import *, const char *, struct vgs_error *), const char *format,
		const char *file_name, const uint8_t *data, size_t size)
{
	const char *in = fuzz_file(file_name, data, size), *out;
	struct vgs_import im;
	struct vgs_error err = { { 0 } };

	vgs_import_init(&im, format);
	if (parse(&im, in, &err) == 0) {
		for (guint c = 0; c < im.ctx_names->len; c++)
			if ((out = write_native(&im, (int)c)))
				fuzz_check_native(out, NULL);
		if (im.ctx_names->len > 1 && (out = write_native(&im, -1)))
			fuzz_check_native(out, im.ctx_names->pdata[0]);
	}
	vgs_import_fini(&im);
	return 0;
}
