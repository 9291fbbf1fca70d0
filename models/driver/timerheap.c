/* The timer heap of the event loops (models/driver/timerheap.h). */
#include <glib.h>

#include "models/driver/timerheap.h"

static int before(const struct vgs_timer *a, const struct vgs_timer *b)
{
	return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->seq < b->seq);
}

void vgs_timerheap_push(struct vgs_timerheap *h, uint64_t at_ns, int kind, void *obj, uint64_t gen)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->v = g_renew(struct vgs_timer, h->v, h->cap);
	}
	i = h->n++;
	h->v[i] = (struct vgs_timer){ at_ns, h->seq++, obj, gen, kind };
	while (i > 0 && before(&h->v[i], &h->v[(i - 1) / 2])) {
		struct vgs_timer t = h->v[i];

		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

struct vgs_timer vgs_timerheap_pop(struct vgs_timerheap *h)
{
	struct vgs_timer top = h->v[0];
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && before(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && before(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		struct vgs_timer t = h->v[i];

		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

void vgs_timerheap_fini(struct vgs_timerheap *h)
{
	g_free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
