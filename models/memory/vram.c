/*
 * Physical VRAM: the binary buddy allocator of models/memory/vram.h.
 *
 * Block b of order k covers frames [b << k, (b + 1) << k).  A block is in exactly one of three states,
 * read from the two bitmaps of its order: free (a free-list member), allocated whole, or split (neither
 * bit set: its two halves at order k - 1 carry the state).  The VRAM is first cut into the largest
 * aligned blocks that fit (2 MiB blocks, then smaller ones for a size that is not a multiple of
 * 2 MiB); merging never crosses the end because bits past it are never set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "models/memory/vram.h"

static bool bit(const uint64_t *map, uint64_t b)
{
	return (map[b >> 6] >> (b & 63)) & 1;
}

static void set_bit(uint64_t *map, uint64_t b)
{
	map[b >> 6] |= 1ull << (b & 63);
}

static void clear_bit(uint64_t *map, uint64_t b)
{
	map[b >> 6] &= ~(1ull << (b & 63));
}

static void put_free(struct vgs_vram *v, unsigned k, uint64_t b)
{
	set_bit(v->free_map[k], b);
	v->nfree[k]++;
	if ((b >> 6) < v->hint[k])
		v->hint[k] = b >> 6;
}

int vgs_vram_init(struct vgs_vram *v, uint64_t bytes, bool check)
{
	uint64_t words = 0;

	memset(v, 0, sizeof(*v));
	v->frames = bytes >> VGS_VRAM_FRAME_SHIFT;
	for (unsigned k = 0; k < VGS_VRAM_NORDERS; k++) {
		/* +2 blocks: the buddy of the last whole block may be read */
		v->nwords[k] = ((v->frames >> k) + 2 + 63) / 64;
		words += 2 * v->nwords[k];
	}
	v->maps_bytes = words * sizeof(uint64_t);
	v->maps = mmap(NULL, v->maps_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->maps == MAP_FAILED) {
		v->maps = NULL;
		goto err_oom;
	}
	words = 0;
	for (unsigned k = 0; k < VGS_VRAM_NORDERS; k++) {
		v->free_map[k] = (uint64_t *)v->maps + words;
		v->used_map[k] = v->free_map[k] + v->nwords[k];
		words += 2 * v->nwords[k];
	}
	if (check && v->frames) {
		v->owner = calloc(v->frames, sizeof(uint32_t));
		if (!v->owner)
			goto err_oom;
	}
	for (uint64_t pos = 0; pos < v->frames;) {
		unsigned k = VGS_VRAM_MAX_ORDER;

		while (k > 0 && ((pos & ((1ull << k) - 1)) || pos + (1ull << k) > v->frames))
			k--;
		put_free(v, k, pos >> k);
		pos += 1ull << k;
	}
	v->free_frames = v->frames;
	return 0;

err_oom:
	vgs_vram_fini(v);
	return -ENOMEM;
}

void vgs_vram_fini(struct vgs_vram *v)
{
	if (v->maps)
		munmap(v->maps, v->maps_bytes);
	free(v->owner);
	memset(v, 0, sizeof(*v));
}

/* Lowest free block of order k (nfree[k] > 0). */
static uint64_t lowest_free(struct vgs_vram *v, unsigned k)
{
	for (uint64_t w = v->hint[k]; w < v->nwords[k]; w++) {
		if (v->free_map[k][w]) {
			v->hint[k] = w;
			return (w << 6) + (uint64_t)__builtin_ctzll(v->free_map[k][w]);
		}
	}
	return VGS_VRAM_NONE; /* nfree out of step with the bitmap: not reached */
}

uint64_t vgs_vram_alloc(struct vgs_vram *v, unsigned order)
{
	unsigned k = order;
	uint64_t b;

	if (order > VGS_VRAM_MAX_ORDER)
		return VGS_VRAM_NONE;
	while (k <= VGS_VRAM_MAX_ORDER && v->nfree[k] == 0)
		k++;
	if (k > VGS_VRAM_MAX_ORDER)
		return VGS_VRAM_NONE;
	b = lowest_free(v, k);
	if (b == VGS_VRAM_NONE)
		return VGS_VRAM_NONE;
	clear_bit(v->free_map[k], b);
	v->nfree[k]--;
	/* Split down to the order asked for; the upper halves go to the free lists. */
	while (k > order) {
		k--;
		b <<= 1;
		put_free(v, k, b + 1);
	}
	set_bit(v->used_map[order], b);
	v->free_frames -= 1ull << order;
	if (v->frames - v->free_frames > v->used_peak_frames)
		v->used_peak_frames = v->frames - v->free_frames;
	return b << order;
}

int vgs_vram_free(struct vgs_vram *v, uint64_t frame, unsigned order)
{
	uint64_t b;

	if (order > VGS_VRAM_MAX_ORDER || frame >= v->frames || (frame & ((1ull << order) - 1)))
		return -EINVAL;
	b = frame >> order;
	if (!bit(v->used_map[order], b))
		return -EINVAL;
	clear_bit(v->used_map[order], b);
	v->free_frames += 1ull << order;
	while (order < VGS_VRAM_MAX_ORDER && bit(v->free_map[order], b ^ 1)) {
		clear_bit(v->free_map[order], b ^ 1);
		v->nfree[order]--;
		b >>= 1;
		order++;
	}
	put_free(v, order, b);
	return 0;
}

bool vgs_vram_block_used(const struct vgs_vram *v, uint64_t frame, unsigned order)
{
	if (order > VGS_VRAM_MAX_ORDER || frame >= v->frames || (frame & ((1ull << order) - 1)))
		return false;
	return bit(v->used_map[order], frame >> order);
}

bool vgs_vram_frame_free(const struct vgs_vram *v, uint64_t frame)
{
	if (frame >= v->frames)
		return false;
	for (unsigned k = 0; k < VGS_VRAM_NORDERS; k++)
		if (bit(v->free_map[k], frame >> k))
			return true;
	return false;
}

struct run {
	uint64_t cur, best;
};

/* Walk block b of order k in address order, extending the current free run. */
static void walk(const struct vgs_vram *v, unsigned k, uint64_t b, struct run *r)
{
	if ((b << k) >= v->frames) {
		r->cur = 0;
	} else if (bit(v->free_map[k], b)) {
		r->cur += 1ull << k;
		if (r->cur > r->best)
			r->best = r->cur;
	} else if (k == 0 || bit(v->used_map[k], b)) {
		r->cur = 0;
	} else {
		walk(v, k - 1, 2 * b, r);
		walk(v, k - 1, 2 * b + 1, r);
	}
}

uint64_t vgs_vram_largest_free(const struct vgs_vram *v)
{
	struct run r = { 0, 0 };
	uint64_t top = (v->frames + (1ull << VGS_VRAM_MAX_ORDER) - 1) >> VGS_VRAM_MAX_ORDER;

	for (uint64_t b = 0; b < top; b++)
		walk(v, VGS_VRAM_MAX_ORDER, b, &r);
	return r.best;
}

double vgs_vram_fragmentation(const struct vgs_vram *v)
{
	if (v->free_frames == 0)
		return 0.0;
	return 1.0 - (double)vgs_vram_largest_free(v) / (double)v->free_frames;
}

bool vgs_vram_note_map(struct vgs_vram *v, uint64_t frame, uint64_t n, uint32_t owner)
{
	bool bad = false;

	if (!v->owner)
		return false;
	for (uint64_t i = frame; i < frame + n && i < v->frames; i++) {
		/* Mapped by someone already, or never handed out by the allocator. */
		if (v->owner[i] != 0 || vgs_vram_frame_free(v, i))
			bad = true;
		else
			v->owner[i] = owner + 1;
	}
	bad |= frame + n > v->frames;
	if (bad)
		v->violations++;
	return bad;
}

bool vgs_vram_note_unmap(struct vgs_vram *v, uint64_t frame, uint64_t n, uint32_t owner)
{
	bool bad = false;

	if (!v->owner)
		return false;
	for (uint64_t i = frame; i < frame + n && i < v->frames; i++) {
		if (v->owner[i] != owner + 1)
			bad = true;
		else
			v->owner[i] = 0;
	}
	if (bad)
		v->violations++;
	return bad;
}
