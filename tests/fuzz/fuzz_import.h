/*
 * The importer harnesses (fuzz_kineto.c, fuzz_ftrace.c, fuzz_orion.c, fuzz_presentmon.c): parse the
 * input as a capture of one format; when the importer accepts it, every trace it writes -- each context
 * alone, and all of them with a ctx column -- must load with the native loader.
 */
#ifndef VGS_FUZZ_IMPORT_H
#define VGS_FUZZ_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hw-trace/import.h"

int fuzz_import(int (*parse)(struct vgs_import *, const char *, struct vgs_error *), const char *format,
		const char *file_name, const uint8_t *data, size_t size);

#endif
