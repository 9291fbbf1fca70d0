/*
 * Kineto importer helpers: exact µs -> ns conversion of JSON number text, whole numbers, copy
 * directions and event categories by name, and the correlation id -> launch time table.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw-trace/kineto_priv.h"
#include "models/base/types.h"

/* ---- correlation table ---- */

static uint64_t kn_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void kn_corr_grow(struct kn_corr *c)
{
	struct kn_corr o = *c;

	c->cap = o.cap ? o.cap * 2 : 4096;
	c->key = g_new0(uint64_t, c->cap);
	c->ts = g_new(uint64_t, c->cap);
	c->n = 0;
	for (size_t i = 0; i < o.cap; i++)
		if (o.key[i])
			kn_corr_put(c, o.key[i] - 1, o.ts[i]);
	g_free(o.key);
	g_free(o.ts);
}

/* The first launch call of a correlation wins (a later one would be a retry of the same id). */
void kn_corr_put(struct kn_corr *c, uint64_t corr, uint64_t ts)
{
	if (corr == UINT64_MAX)
		return;
	if (2 * (c->n + 1) > c->cap)
		kn_corr_grow(c);
	for (size_t i = kn_hash(corr) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		if (c->key[i] == corr + 1)
			return;
		if (!c->key[i]) {
			c->key[i] = corr + 1;
			c->ts[i] = ts;
			c->n++;
			return;
		}
	}
}

uint64_t kn_corr_get(const struct kn_corr *c, uint64_t corr)
{
	if (!c->cap || corr == UINT64_MAX)
		return VGS_NO_TIME;
	for (size_t i = kn_hash(corr) & (c->cap - 1); c->key[i]; i = (i + 1) & (c->cap - 1))
		if (c->key[i] == corr + 1)
			return c->ts[i];
	return VGS_NO_TIME;
}

/* ---- values ---- */

/*
 * µs as decimal text -> ns, exactly: "4458676981028.392" -> 4458676981028392.  More than three
 * decimals are rounded half away from zero; an exponent goes through strtod.  -1 if not a number or
 * out of range.
 */
int kn_us_ns(const char *s, size_t len, int64_t *ns)
{
	size_t i = 0;
	bool neg = false;
	uint64_t ip = 0, fp = 0;
	int fd = 0;

	if (memchr(s, 'e', len) || memchr(s, 'E', len)) {
		char buf[64];
		double x;

		if (len >= sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		x = strtod(buf, NULL) * 1000.0;
		if (!isfinite(x) || fabs(x) > 9.2e18)
			return -1;
		*ns = llround(x);
		return 0;
	}
	if (i < len && s[i] == '-')
		neg = true, i++;
	if (i == len || s[i] < '0' || s[i] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (ip > (UINT64_C(9200000000000000) - 9) / 10)
			return -1;
		ip = ip * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
			if (fd < 3)
				fp = fp * 10 + (uint64_t)(s[i] - '0');
			else if (fd == 3 && s[i] >= '5')
				fp++;
		}
	}
	if (i != len)
		return -1;
	for (int d = fd; d < 3; d++)
		fp *= 10;
	*ns = (int64_t)(ip * 1000 + fp);
	if (neg)
		*ns = -*ns;
	return 0;
}

/* A non-negative integer; a float such as "7.0" is accepted when it is whole. */
int kn_int(const char *s, size_t len, int64_t *v)
{
	uint64_t u;

	if (len && s[0] == '-') {
		if (kn_uint(s + 1, len - 1, &u) != 0 || u > (uint64_t)INT64_MAX)
			return -1;
		*v = -(int64_t)u;
		return 0;
	}
	if (kn_uint(s, len, &u) != 0 || u > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

int kn_uint(const char *s, size_t len, uint64_t *v)
{
	char buf[32], *end;
	double x;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		*v = strtoull(buf, &end, 10);
		if (!*end && !errno)
			return 0;
	}
	x = strtod(buf, &end);
	if (*end || !(x >= 0) || x >= 1.8e19 || x != floor(x))
		return -1;
	*v = (uint64_t)x;
	return 0;
}

static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/*
 * The calls after which the host has waited for the GPU: cuda/hip/cu ...Synchronize (device, stream,
 * event, context) and the blocking copies cudaMemcpy / hipMemcpy (the Async forms return at once;
 * cudaStreamWaitEvent makes the GPU wait, not the host).
 */
bool kn_is_sync(const unsigned char *s, size_t len)
{
	static const char *const blocking[] = { "cudaMemcpy", "hipMemcpy", "cuMemcpyDtoH_v2", "cuMemcpyDtoH" };

	for (size_t i = 0; i < G_N_ELEMENTS(blocking); i++)
		if (len == strlen(blocking[i]) && memcmp(s, blocking[i], len) == 0)
			return true;
	return kn_has(s, len, "Synchronize");
}

bool kn_has(const unsigned char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	unsigned char first = ascii_lower((unsigned char)needle[0]);

	/* Kernel names run to hundreds of characters: test the first letter inline before calling out. */
	for (size_t i = 0; i + n <= len; i++)
		if (ascii_lower(s[i]) == first && g_ascii_strncasecmp((const char *)s + i, needle, n) == 0)
			return true;
	return false;
}

/* Copy direction named by a memcpy event's name or roctracer kind; -1 if none. */
int kn_dir(const unsigned char *s, size_t len)
{
	static const struct {
		const char *text;
		int dir;
	} dirs[] = {
		{ "HtoD", VGS_DIR_H2D }, { "HostToDevice", VGS_DIR_H2D },
		{ "DtoH", VGS_DIR_D2H }, { "DeviceToHost", VGS_DIR_D2H },
		{ "DtoD", VGS_DIR_D2D }, { "DeviceToDevice", VGS_DIR_D2D },
		{ "PtoP", VGS_DIR_D2D }, { "PeerToPeer", VGS_DIR_D2D },
		{ "HtoH", VGS_DIR_NONE }, { "HostToHost", VGS_DIR_NONE },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
		if (kn_has(s, len, dirs[i].text))
			return dirs[i].dir;
	return -1;
}

enum kn_cat kn_cat_id(const unsigned char *s, size_t len)
{
	static const struct {
		const char *s;
		enum kn_cat c;
	} cats[] = {
		{ "kernel", KN_C_KERNEL }, { "Kernel", KN_C_KERNEL },
		{ "gpu_memcpy", KN_C_MEMCPY }, { "Memcpy", KN_C_MEMCPY },
		{ "gpu_memset", KN_C_MEMSET }, { "Memset", KN_C_MEMSET },
		{ "cuda_runtime", KN_C_LAUNCH }, { "cuda_driver", KN_C_LAUNCH },
		{ "Runtime", KN_C_LAUNCH }, { "Driver", KN_C_LAUNCH },
		{ "hip_runtime", KN_C_LAUNCH }, { "hip_driver", KN_C_LAUNCH },
		{ "gpu_user_annotation", KN_C_GPU_ANNOT },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cats); i++)
		if (strlen(cats[i].s) == len && memcmp(cats[i].s, s, len) == 0)
			return cats[i].c;
	return KN_C_OTHER;
}
