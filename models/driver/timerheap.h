/*
 * A binary min-heap of timers, the core of the discrete-event loops of the simulator (sim/loop.c) and
 * the executor (hw-trace/exec/rt.c): ordered by time, FIFO among timers due at the same ns, so the two
 * loops break ties the same way.  A timer names an object, a kind and a generation; the owner bumps its
 * generation to cancel the timers it set before (a stale timer is popped and ignored).
 */
#ifndef VGS_TIMERHEAP_H
#define VGS_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

struct vgs_timer {
	uint64_t at_ns;
	uint64_t seq;              /* FIFO among timers due at the same ns */
	void *obj;
	uint64_t gen;
	int kind;
};

struct vgs_timerheap {
	struct vgs_timer *v;
	size_t n, cap;
	uint64_t seq;
};

void vgs_timerheap_push(struct vgs_timerheap *h, uint64_t at_ns, int kind, void *obj, uint64_t gen);
/* Remove and return the earliest timer (h->n > 0). */
struct vgs_timer vgs_timerheap_pop(struct vgs_timerheap *h);
void vgs_timerheap_fini(struct vgs_timerheap *h);

/* The earliest timer's time, or UINT64_MAX when there is none. */
static inline uint64_t vgs_timerheap_next(const struct vgs_timerheap *h)
{
	return h->n ? h->v[0].at_ns : UINT64_MAX;
}

#endif
