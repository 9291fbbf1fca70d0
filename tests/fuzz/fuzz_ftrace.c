/* libFuzzer harness: the ftrace importer (hw-trace/), its output checked by the native loader. */
#include "tests/fuzz/fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(vgs_import_ftrace, "ftrace", "capture.txt", data, size);
}
