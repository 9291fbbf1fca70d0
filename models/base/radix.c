#include "models/base/radix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

static uint64_t key_at(const char *e, size_t key_off)
{
	uint64_t k;

	memcpy(&k, e + key_off, sizeof(k));
	return k;
}

void vgs_radix_sort(void *base, size_t n, size_t size, size_t key_off)
{
	char *src = base, *dst, *tmp, *t;
	uint64_t all = 0;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		all |= key_at(src + i * size, key_off);
	dst = tmp = g_malloc(n * size);
	for (unsigned sh = 0; sh < 64 && (all >> sh); sh += 8) {
		size_t at[257] = { 0 };

		for (size_t i = 0; i < n; i++)
			at[((key_at(src + i * size, key_off) >> sh) & 255) + 1]++;
		for (unsigned b = 0; b < 256; b++)
			at[b + 1] += at[b];
		for (size_t i = 0; i < n; i++)
			memcpy(dst + size * at[(key_at(src + i * size, key_off) >> sh) & 255]++, src + i * size, size);
		t = src;
		src = dst;
		dst = t;
	}
	if (src != (char *)base)
		memcpy(base, src, n * size);
	g_free(tmp);
}
