/*
 * Private to the Kineto importer (hw-trace/kineto*.c): the value helpers and the correlation table
 * of kineto_util.c, shared with the streaming parser of kineto.c.
 */
#ifndef VGS_KINETO_PRIV_H
#define VGS_KINETO_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event's "cat" makes it. */
enum kn_cat { KN_C_OTHER = 0, KN_C_KERNEL, KN_C_MEMCPY, KN_C_MEMSET, KN_C_LAUNCH, KN_C_GPU_ANNOT };

/* Open-addressing table correlation -> launch ts (ns); key 0 marks an empty slot (stored as corr + 1). */
struct kn_corr {
	uint64_t *key, *ts;
	size_t cap, n;
};

/* Remember the launch call of a correlation id; the first one wins. */
void kn_corr_put(struct kn_corr *c, uint64_t corr, uint64_t ts);
/* Its launch ts, or VGS_NO_TIME. */
uint64_t kn_corr_get(const struct kn_corr *c, uint64_t corr);

/* µs as decimal text -> ns, exactly; 0 or -1. */
int kn_us_ns(const char *s, size_t len, int64_t *ns);
/* A non-negative whole number; 0 or -1. */
int kn_uint(const char *s, size_t len, uint64_t *v);
/* A whole number, maybe negative (a [memory] event's Bytes); 0 or -1. */
int kn_int(const char *s, size_t len, int64_t *v);
/* Whether s contains needle, ignoring ASCII case. */
bool kn_has(const unsigned char *s, size_t len, const char *needle);
/* enum vgs_copy_dir named by a memcpy name or roctracer kind, -1 if none. */
int kn_dir(const unsigned char *s, size_t len);
enum kn_cat kn_cat_id(const unsigned char *s, size_t len);

#endif
