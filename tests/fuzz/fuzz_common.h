/*
 * What the libFuzzer harnesses of tests/fuzz/ share: each input goes into a file (the parsers read
 * files, as the programs do), in a private temporary directory made once per process.  The harnesses
 * link the project's archives built with -fsanitize=fuzzer-no-link,address,undefined (make fuzz).
 */
#ifndef VGS_FUZZ_COMMON_H
#define VGS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The private directory of this process (created at the first call). */
const char *fuzz_dir(void);
/* Write data to fuzz_dir()/name and return the path (static storage; valid until the next call). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* Context `context` (NULL: its only one) of the native trace `path` must load (the importers' output
 * oracle): abort with the loader's message otherwise. */
void fuzz_check_native(const char *path, const char *context);

#endif
