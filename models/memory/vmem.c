/*
 * A vGPU's GPU memory (models/memory/vmem.h): allocations in a private virtual address space, lazy
 * population, and eviction within the vGPU's share.  Its object model is in vmem_priv.h; the
 * isolation check over all the vGPUs of a GPU is vmem_check.c.
 *
 * Residency list: the vGPU's resident pages, least recently used (LRU) or first mapped (FIFO) at the
 * head.  With LRU a resident page moves to the tail when accessed; that is only needed when eviction
 * can happen at all (share < quota), so without overcommit an access to a fully resident allocation
 * costs O(1) whatever its size.
 *
 * Frames for a page come from the physical allocator as one block of the page's size; when VRAM is
 * too fragmented for that, as 64 KiB or 4 KiB pieces, each mapped as its own smaller page (so one
 * allocation may end up with mixed page sizes); when even that fails, the vGPU's own LRU pages are
 * evicted until it succeeds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/memory/vmem_priv.h"

uint64_t vgs_vmem_share(uint64_t vram, uint64_t q, uint64_t sum)
{
	if (sum <= vram)
		return q;
	return (uint64_t)((unsigned __int128)vram * q / sum) & ~((1ull << VGS_PAGE_4K) - 1);
}

static gint cmp_va(gconstpointer a, gconstpointer b, gpointer unused)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct vgs_vmem *vgs_vmem_new(struct vgs_vram *phys, const struct vgs_vmem_cfg *cfg)
{
	struct vgs_vmem *vm = g_new0(struct vgs_vmem, 1);

	vm->phys = phys;
	vm->cfg = *cfg;
	if (vm->cfg.max_shift != VGS_PAGE_4K && vm->cfg.max_shift != VGS_PAGE_64K)
		vm->cfg.max_shift = VGS_PAGE_2M;
	vm->pt = vgs_pt_new();
	vm->ids = g_hash_table_new(g_direct_hash, g_direct_equal);
	vm->by_va = g_tree_new_full(cmp_va, NULL, NULL, NULL);
	vm->va_next = VGS_VA_BASE;
	vm->reorder = cfg->evict == VGS_EVICT_LRU && cfg->share_bytes < cfg->quota_bytes;
	vgs_rng_seed(&vm->rng, cfg->seed);
	return vm;
}

/* ---- residency list --------------------------------------------------------------------------- */

static void list_remove(struct vgs_vmem *vm, struct vpage *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		vm->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		vm->tail = p->prev;
	p->prev = p->next = NULL;
}

static void list_append(struct vgs_vmem *vm, struct vpage *p)
{
	p->prev = vm->tail;
	p->next = NULL;
	if (vm->tail)
		vm->tail->next = p;
	else
		vm->head = p;
	vm->tail = p;
}

/* ---- frames of one page ----------------------------------------------------------------------- */

static uint64_t page_va(const struct vgs_alloc *a, const struct vpage *p)
{
	return a->va + (vpm_index(p) << a->shift);
}

static uint64_t piece_frame(const struct vpage *p, unsigned k)
{
	return p->npieces == 1 ? p->u.frame : p->u.pieces[k];
}

static void unback(struct vgs_vmem *vm, struct vpage *p)
{
	uint64_t va = page_va(p->a, p);
	unsigned ps = p->piece_shift;

	for (unsigned k = 0; k < p->npieces; k++) {
		uint64_t f = piece_frame(p, k);

		vgs_pt_unmap(vm->pt, va + ((uint64_t)k << ps), ps);
		vm->st.check_violations += vgs_vram_note_unmap(vm->phys, f, 1ull << (ps - VGS_PAGE_4K), vm->cfg.owner);
		vgs_vram_free(vm->phys, f, ps - VGS_PAGE_4K);
	}
	if (p->npieces > 1)
		g_free(p->u.pieces);
	p->npieces = 0;
}

/* Frames for page p in pieces of 2^ps bytes, mapped; false (nothing held) when VRAM has too few. */
static bool try_back(struct vgs_vmem *vm, struct vpage *p, unsigned ps)
{
	struct vgs_alloc *a = p->a;
	unsigned n = 1u << (a->shift - ps), k;
	uint64_t va = page_va(a, p);
	uint64_t *f = n > 1 ? g_new(uint64_t, n) : &p->u.frame;

	for (k = 0; k < n; k++) {
		f[k] = vgs_vram_alloc(vm->phys, ps - VGS_PAGE_4K);
		if (f[k] == VGS_VRAM_NONE)
			break;
		if (vgs_pt_map(vm->pt, va + ((uint64_t)k << ps), ps, f[k]) != 0) {
			/* Not reached: allocations never overlap.  Treated as no memory. */
			vgs_vram_free(vm->phys, f[k], ps - VGS_PAGE_4K);
			break;
		}
		vm->st.check_violations += vgs_vram_note_map(vm->phys, f[k], 1ull << (ps - VGS_PAGE_4K), vm->cfg.owner);
	}
	if (k < n) {
		while (k-- > 0) {
			vgs_pt_unmap(vm->pt, va + ((uint64_t)k << ps), ps);
			vm->st.check_violations += vgs_vram_note_unmap(vm->phys, f[k], 1ull << (ps - VGS_PAGE_4K),
								       vm->cfg.owner);
			vgs_vram_free(vm->phys, f[k], ps - VGS_PAGE_4K);
		}
		if (n > 1)
			g_free(f);
		return false;
	}
	if (n > 1)
		p->u.pieces = f;
	p->npieces = (uint16_t)n;
	p->piece_shift = (uint8_t)ps;
	return true;
}

/* The page stops counting as dirty (it left VRAM, or was copied). */
static void clean(struct vgs_vmem *vm, struct vpage *p)
{
	if (p->dirty) {
		p->dirty = 0;
		vm->dirty_bytes -= 1ull << p->a->shift;
	}
}

/* Tracking: a page is dirty from its first access after it was last copied (every access counts as a
 * write: commands carry no read/write distinction, docs/pools.md). */
static void mark(struct vgs_vmem *vm, struct vpage *p)
{
	if (vm->track && !p->dirty) {
		p->dirty = 1;
		vm->dirty_bytes += 1ull << p->a->shift;
		vm->dirtied++;
	}
}

static void evict(struct vgs_vmem *vm, struct vpage *p, struct vgs_migration *mig)
{
	uint64_t size = 1ull << p->a->shift;

	clean(vm, p);
	unback(vm, p);
	list_remove(vm, p);
	p->state = PG_EVICTED;
	p->a->resident_pages--;
	vm->st.resident_bytes -= size;
	vm->st.evictions++;
	vm->st.migrated_bytes += size;
	mig->d2h_bytes += size;
}

/* Frames for p: whole, else in smaller pieces, else after evicting the vGPU's own pages. */
static int back(struct vgs_vmem *vm, struct vpage *p, struct vgs_migration *mig)
{
	static const unsigned sizes[] = { VGS_PAGE_2M, VGS_PAGE_64K, VGS_PAGE_4K };

	for (;;) {
		for (unsigned i = 0; i < 3; i++)
			if (sizes[i] <= p->a->shift && try_back(vm, p, sizes[i]))
				return 0;
		if (!vm->head)
			return -ENOMEM;
		evict(vm, vm->head, mig);
	}
}

static int touch_page(struct vgs_vmem *vm, struct vpage *p, struct vgs_migration *mig)
{
	uint64_t size = 1ull << p->a->shift;
	bool fetch = p->state == PG_EVICTED;
	int rc;

	if (p->state == PG_RESIDENT) {
		if (vm->reorder && p != vm->tail) {
			list_remove(vm, p);
			list_append(vm, p);
		}
		mark(vm, p);
		return 0;
	}
	/* Stay within the share: the vGPU's own least recently used pages go first. */
	while (vm->st.resident_bytes + size > vm->cfg.share_bytes && vm->head)
		evict(vm, vm->head, mig);
	rc = back(vm, p, mig);
	if (rc)
		return rc;
	if (fetch) {
		vm->st.page_faults++;
		vm->st.fetches++;
		vm->st.migrated_bytes += size;
		mig->h2d_bytes += size;
	}
	p->state = PG_RESIDENT;
	list_append(vm, p);
	p->a->resident_pages++;
	vm->st.resident_bytes += size;
	mark(vm, p);
	return 0;
}

/* ---- allocations ------------------------------------------------------------------------------ */

static struct vgs_alloc *id_get(const struct vgs_vmem *vm, uint32_t id)
{
	if (id < SMALL_IDS)
		return id < vm->nsmall ? vm->small[id] : NULL;
	return g_hash_table_lookup(vm->ids, GUINT_TO_POINTER(id));
}

static void id_set(struct vgs_vmem *vm, uint32_t id, struct vgs_alloc *a)
{
	if (id >= SMALL_IDS) {
		if (a)
			g_hash_table_insert(vm->ids, GUINT_TO_POINTER(id), a);
		else
			g_hash_table_remove(vm->ids, GUINT_TO_POINTER(id));
		return;
	}
	if (id >= vm->nsmall) {
		uint32_t n = vm->nsmall ? vm->nsmall : 16;

		if (!a)
			return;
		while (n <= id)
			n *= 2;
		vm->small = g_renew(struct vgs_alloc *, vm->small, n);
		memset(vm->small + vm->nsmall, 0, (n - vm->nsmall) * sizeof(*vm->small));
		vm->nsmall = n;
	}
	vm->small[id] = a;
}

struct vgs_alloc *vgs_vmem_floor(const struct vgs_vmem *vm, uint64_t va, uint64_t *lo, uint64_t *hi)
{
	GTreeNode *n = g_tree_upper_bound(vm->by_va, &va);
	GTreeNode *f = n ? g_tree_node_previous(n) : g_tree_node_last(vm->by_va);
	struct vgs_alloc *a = f ? g_tree_node_value(f) : NULL;

	if (lo)
		*lo = a ? a->va : 0;
	if (hi)
		*hi = n ? ((const struct vgs_alloc *)g_tree_node_value(n))->va : UINT64_MAX;
	return a;
}

struct vgs_alloc *vgs_vmem_covering(const struct vgs_vmem *vm, uint64_t va)
{
	struct vgs_alloc *a = vgs_vmem_floor(vm, va, NULL, NULL);

	return a && va < a->va + a->bytes ? a : NULL;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* A free virtual range of `size` bytes aligned to `align`, or 0. */
static uint64_t place(struct vgs_vmem *vm, uint64_t size, uint64_t align)
{
	uint64_t va = align_up(vm->va_next, align);

	for (;;) {
		struct vgs_alloc *o;

		if (va < vm->va_next || va > VGS_VA_LIMIT || size > VGS_VA_LIMIT - va)
			return 0;
		o = vgs_vmem_floor(vm, va + size - 1, NULL, NULL);
		if (!o || o->va + o->bytes <= va)
			break;
		va = align_up(o->va + o->bytes, align);
	}
	vm->va_next = va + size;
	return va;
}

static struct vgs_alloc *alloc_new(struct vgs_vmem *vm, uint64_t va, uint64_t bytes, unsigned shift)
{
	struct vgs_alloc *a = g_new0(struct vgs_alloc, 1);

	a->va = va;
	a->bytes = bytes;
	a->shift = shift;
	a->npages = bytes >> shift;
	vpm_init(&a->pages, a->npages); /* no page record until a page is touched */
	g_tree_insert(vm->by_va, &a->va, a);
	vm->st.allocated_bytes += bytes;
	return a;
}

/* vpm_foreach: give a resident page's frames back. */
static bool drop_page(struct vpage *p, void *data)
{
	struct vgs_vmem *vm = data;

	if (p->state == PG_RESIDENT) {
		clean(vm, p);
		unback(vm, p);
		list_remove(vm, p);
		vm->st.resident_bytes -= 1ull << p->a->shift;
	}
	return false;
}

static void alloc_destroy(struct vgs_vmem *vm, struct vgs_alloc *a)
{
	vpm_foreach(&a->pages, drop_page, vm);
	g_tree_remove(vm->by_va, &a->va);
	vm->st.allocated_bytes -= a->bytes;
	vpm_free(&a->pages);
	g_free(a);
}

int vgs_vmem_alloc(struct vgs_vmem *vm, uint32_t id, uint64_t bytes, unsigned shift)
{
	uint64_t rounded, va;

	if (bytes == 0 || (shift && shift != VGS_PAGE_4K && shift != VGS_PAGE_64K && shift != VGS_PAGE_2M))
		return -EINVAL;
	if (id_get(vm, id))
		return -EEXIST;
	if (!shift || shift > vm->cfg.max_shift) {
		shift = vm->cfg.max_shift;
		while (shift > VGS_PAGE_4K && (1ull << shift) > bytes)
			shift = shift == VGS_PAGE_2M ? VGS_PAGE_64K : VGS_PAGE_4K;
	}
	if (bytes > VGS_VA_LIMIT) {
		vm->st.alloc_failures++;
		return -EDQUOT; /* larger than any quota can be */
	}
	rounded = align_up(bytes, 1ull << shift);
	if (rounded > vm->cfg.quota_bytes || vm->st.allocated_bytes > vm->cfg.quota_bytes - rounded) {
		vm->st.alloc_failures++;
		return -EDQUOT;
	}
	va = place(vm, rounded, 1ull << shift);
	if (!va) {
		vm->st.alloc_failures++;
		return -ENOSPC;
	}
	struct vgs_alloc *a = alloc_new(vm, va, rounded, shift);

	a->id = id;
	id_set(vm, id, a);
	vm->st.allocs++;
	return 0;
}

int vgs_vmem_release(struct vgs_vmem *vm, uint32_t id)
{
	struct vgs_alloc *a = id_get(vm, id);

	if (!a)
		return -ENOENT;
	id_set(vm, id, NULL);
	vm->st.frees++;
	a->freed = true;
	if (a->pins == 0)
		alloc_destroy(vm, a);
	return 0;
}

struct vgs_alloc *vgs_vmem_pin(struct vgs_vmem *vm, uint32_t id)
{
	struct vgs_alloc *a = id_get(vm, id);

	if (a)
		a->pins++;
	return a;
}

void vgs_vmem_unpin(struct vgs_vmem *vm, struct vgs_alloc *a)
{
	if (a && --a->pins == 0 && a->freed)
		alloc_destroy(vm, a);
}

/* ---- accesses --------------------------------------------------------------------------------- */

static int invalid(struct vgs_vmem *vm)
{
	vm->st.invalid_faults++;
	vm->st.page_faults++;
	return -EFAULT;
}

static int touch_range(struct vgs_vmem *vm, struct vgs_alloc *a, uint64_t off, uint64_t end,
		       struct vgs_migration *mig)
{
	uint64_t last = (end - 1) >> a->shift, run;

	if (a->resident_pages == a->npages && !vm->reorder && !vm->track)
		return 0; /* everything resident and nothing to reorder or track */
	/* A leaf of the page map at a time: its records are consecutive. */
	for (uint64_t i = off >> a->shift; i <= last;) {
		struct vpage *p = vpm_page(&a->pages, a, i, true, &run);

		for (; run > 0 && i <= last; run--, i++, p++) {
			int rc = touch_page(vm, p, mig);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int vgs_vmem_touch(struct vgs_vmem *vm, struct vgs_alloc *a, uint64_t off, uint64_t len,
		   struct vgs_migration *mig)
{
	uint64_t end;

	if (!a || off >= a->bytes)
		return invalid(vm);
	end = len == 0 || len > a->bytes - off ? a->bytes : off + len;
	return touch_range(vm, a, off, end, mig);
}

int vgs_vmem_touch_va(struct vgs_vmem *vm, uint64_t va, uint64_t len, struct vgs_migration *mig)
{
	uint64_t end = len == 0 || va + len < va ? va + 1 : va + len, cur;

	/* Every byte must lie in an allocation before any is accessed. */
	for (cur = va; cur < end && cur >= va;) {
		struct vgs_alloc *a = vgs_vmem_covering(vm, cur);

		if (!a)
			return invalid(vm);
		cur = a->va + a->bytes;
	}
	for (cur = va; cur < end && cur >= va;) {
		struct vgs_alloc *a = vgs_vmem_covering(vm, cur);
		uint64_t stop = end < a->va + a->bytes ? end : a->va + a->bytes;
		int rc = touch_range(vm, a, cur - a->va, stop - a->va, mig);

		if (rc)
			return rc;
		cur = stop;
	}
	return 0;
}

int vgs_vmem_demand_map(struct vgs_vmem *vm, uint64_t va, struct vgs_migration *mig)
{
	uint64_t page = va & ~((1ull << VGS_PAGE_4K) - 1), size = 1ull << VGS_PAGE_4K;
	struct vgs_alloc *a;

	if (page < VGS_VA_BASE || page >= VGS_VA_LIMIT || vgs_vmem_covering(vm, page))
		return -EFAULT;
	if (vm->st.allocated_bytes + size > vm->cfg.quota_bytes)
		return -EDQUOT;
	uint64_t run;

	a = alloc_new(vm, page, size, VGS_PAGE_4K);
	a->anon = true;
	vm->st.demand_maps++;
	return touch_page(vm, vpm_page(&a->pages, a, 0, true, &run), mig);
}

int vgs_vmem_demand_range(struct vgs_vmem *vm, uint64_t va, uint64_t len, struct vgs_migration *mig)
{
	uint64_t end = len ? va + len : va + 1, page = va & ~((1ull << VGS_PAGE_4K) - 1);

	/*
	 * What allocations cover never exceeds the quota: a longer range can never be mapped whole, so it
	 * fails at once instead of mapping a quota's worth of pages first.  Otherwise covered stretches are
	 * skipped an allocation at a time: the work is the pages mapped plus the allocations in the range,
	 * never the length of the range.
	 */
	if (end < va || end - page > vm->cfg.quota_bytes)
		return -EDQUOT;
	while (page < end) {
		struct vgs_alloc *a = vgs_vmem_covering(vm, page);
		int rc;

		if (a) {
			page = a->va + a->bytes;
			continue;
		}
		if ((rc = vgs_vmem_demand_map(vm, page, mig)) != 0)
			return rc;
		page += 1ull << VGS_PAGE_4K;
	}
	return vgs_vmem_touch_va(vm, va, len, mig);
}

bool vgs_vmem_covers(const struct vgs_vmem *vm, uint64_t va)
{
	return vgs_vmem_covering(vm, va) != NULL;
}

uint64_t vgs_vmem_wild_va(struct vgs_vmem *vm)
{
	uint64_t pages = (VGS_VA_LIMIT - VGS_VA_BASE) >> VGS_PAGE_4K, va = VGS_VA_BASE;

	for (int tries = 0; tries < 64; tries++) {
		va = VGS_VA_BASE + ((vgs_rng_u64(&vm->rng) % pages) << VGS_PAGE_4K);
		if (!vgs_vmem_covering(vm, va))
			break;
	}
	return va;
}

struct pick {
	uint64_t k, seen, va;
};

static gboolean count_resident(gpointer key, gpointer value, gpointer data)
{
	const struct vgs_alloc *a = value;

	*(uint64_t *)data += a->resident_pages > 0;
	return FALSE;
}

/* vpm_foreach: the address of the first resident page. */
static bool first_resident(struct vpage *p, void *data)
{
	if (p->state != PG_RESIDENT)
		return false;
	*(uint64_t *)data = page_va(p->a, p);
	return true;
}

static gboolean pick_resident(gpointer key, gpointer value, gpointer data)
{
	const struct vgs_alloc *a = value;
	struct pick *p = data;

	if (a->resident_pages == 0)
		return FALSE;
	if (p->seen++ < p->k)
		return FALSE;
	vpm_foreach(&a->pages, first_resident, &p->va);
	return TRUE;
}

uint64_t vgs_vmem_some_mapped_va(const struct vgs_vmem *vm, uint64_t r)
{
	uint64_t n = 0;
	struct pick p = { 0, 0, 0 };

	g_tree_foreach(vm->by_va, count_resident, &n);
	if (n == 0)
		return 0;
	p.k = r % n;
	g_tree_foreach(vm->by_va, pick_resident, &p);
	return p.va;
}

const struct vgs_vmem_stats *vgs_vmem_stats(const struct vgs_vmem *vm)
{
	return &vm->st;
}

uint32_t vgs_vmem_owner(const struct vgs_vmem *vm)
{
	return vm->cfg.owner;
}

struct vgs_pt *vgs_vmem_pt(struct vgs_vmem *vm)
{
	return vm->pt;
}

static gboolean collect(gpointer key, gpointer value, gpointer data)
{
	g_ptr_array_add(data, value);
	return FALSE;
}

/* ---- live migration (docs/pools.md) --------------------------------------------------------- */

void vgs_vmem_track(struct vgs_vmem *vm, bool on)
{
	vm->track = on;
	for (struct vpage *p = vm->head; p; p = p->next) {
		/* Starting: every resident page is still to be copied. */
		if (on)
			mark(vm, p);
		else
			clean(vm, p);
	}
	vm->dirtied = 0;
}

uint64_t vgs_vmem_dirty_bytes(const struct vgs_vmem *vm)
{
	return vm->dirty_bytes;
}

uint64_t vgs_vmem_dirty_take(struct vgs_vmem *vm)
{
	uint64_t b = vm->dirty_bytes;

	for (struct vpage *p = vm->head; p; p = p->next)
		clean(vm, p);
	return b;
}

uint64_t vgs_vmem_dirtied(struct vgs_vmem *vm)
{
	uint64_t n = vm->dirtied;

	vm->dirtied = 0;
	return n;
}

int vgs_vmem_rehome(struct vgs_vmem *vm, struct vgs_vram *phys)
{
	static const unsigned sizes[] = { VGS_PAGE_2M, VGS_PAGE_64K, VGS_PAGE_4K };
	int rc = 0;

	for (struct vpage *p = vm->head; p; p = p->next)
		unback(vm, p);
	vm->phys = phys;
	for (struct vpage *p = vm->head, *next; p; p = next) {
		bool ok = false;

		next = p->next;
		for (unsigned i = 0; i < 3 && !ok; i++)
			ok = sizes[i] <= p->a->shift && try_back(vm, p, sizes[i]);
		if (ok)
			continue;
		/* No frame on the new GPU (its placement overcommitted it): the page stays in host memory. */
		clean(vm, p);
		list_remove(vm, p);
		p->state = PG_EVICTED;
		p->a->resident_pages--;
		vm->st.resident_bytes -= 1ull << p->a->shift;
		rc = -ENOMEM;
	}
	return rc;
}

static bool free_pieces(struct vpage *p, void *data)
{
	if (p->npieces > 1)
		g_free(p->u.pieces);
	return false;
}

/* give_back: unmap every page and return its frames (with the owner bookkeeping of the check);
 * else only free the records. */
static void vmem_free(struct vgs_vmem *vm, bool give_back)
{
	GPtrArray *all;

	if (!vm)
		return;
	all = g_ptr_array_new();
	g_tree_foreach(vm->by_va, collect, all);
	for (guint i = 0; i < all->len; i++) {
		struct vgs_alloc *a = all->pdata[i];

		if (give_back) {
			alloc_destroy(vm, a);
		} else {
			vpm_foreach(&a->pages, free_pieces, NULL);
			vpm_free(&a->pages);
			g_free(a);
		}
	}
	g_ptr_array_free(all, TRUE);
	g_tree_destroy(vm->by_va);
	g_hash_table_destroy(vm->ids);
	g_free(vm->small);
	vgs_pt_free(vm->pt);
	g_free(vm);
}

void vgs_vmem_free(struct vgs_vmem *vm)
{
	vmem_free(vm, true);
}

void vgs_vmem_discard(struct vgs_vmem *vm)
{
	vmem_free(vm, false);
}
