/* libFuzzer harness: the native trace loader (models/workload/trace_load.c), with and without a context. */
#include <stdint.h>
#include <string.h>

#include "models/workload/trace.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("trace.vgt", data, size);
	struct vgs_trace *t = NULL;
	struct vgs_error err = { { 0 } };

	if (vgs_trace_load(path, NULL, &t, &err) == 0) {
		vgs_trace_free(t);
		return 0;
	}
	/* Several contexts: load the first (the message lists them), and one that is not there. */
	if (vgs_trace_load(path, "app", &t, &err) == 0)
		vgs_trace_free(t);
	return 0;
}
