/*
 * The event loops' timer heap (models/driver/timerheap.h): timers come out in time order, FIFO among timers
 * due at the same ns (the simulator's and the executor's same-instant order rests on it), and the heap
 * survives growth and interleaved pushes and pops.
 */
#include <stdbool.h>

#include <CUnit/CUnit.h>

#include "models/base/rng.h"
#include "models/driver/timerheap.h"
#include "tests/unit/cunit_main.h"

static void test_empty(void)
{
	struct vgs_timerheap h = { 0 };

	CU_ASSERT_EQUAL(vgs_timerheap_next(&h), UINT64_MAX);
	vgs_timerheap_push(&h, 5, 1, NULL, 0);
	CU_ASSERT_EQUAL(vgs_timerheap_next(&h), 5);
	CU_ASSERT_EQUAL(vgs_timerheap_pop(&h).at_ns, 5);
	CU_ASSERT_EQUAL(vgs_timerheap_next(&h), UINT64_MAX);
	vgs_timerheap_fini(&h);
}

/* Timers due at one ns pop in the order they were pushed, whatever else is in the heap. */
static void test_fifo_at_same_time(void)
{
	struct vgs_timerheap h = { 0 };
	uint64_t order[] = { 30, 10, 20, 10, 30, 10, 20, 10 };
	int kinds[8];
	size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < n; i++) {
		kinds[i] = (int)i;
		vgs_timerheap_push(&h, order[i], kinds[i], &kinds[i], i);
	}
	int expect[] = { 1, 3, 5, 7, 2, 6, 0, 4 };

	for (size_t i = 0; i < n; i++) {
		struct vgs_timer t = vgs_timerheap_pop(&h);

		CU_ASSERT_EQUAL(t.kind, expect[i]);
		CU_ASSERT_PTR_EQUAL(t.obj, &kinds[expect[i]]);
		CU_ASSERT_EQUAL(t.gen, (uint64_t)expect[i]);
	}
	CU_ASSERT_EQUAL(h.n, 0);
	vgs_timerheap_fini(&h);
}

/* Random pushes and pops against a reference: never out of order, FIFO among equal times. */
static void test_random_against_reference(void)
{
	struct vgs_timerheap h = { 0 };
	struct vgs_rng r;
	uint64_t last_at = 0, last_seq = 0, pushed = 0, popped = 0;
	bool have_last = false;

	vgs_rng_seed(&r, 11);
	for (int step = 0; step < 20000; step++) {
		if (h.n == 0 || vgs_rng_u64(&r) % 3) {
			/* Times never go back past the last popped one, as in the loops. */
			uint64_t at = (have_last ? last_at : 0) + vgs_rng_u64(&r) % 8;

			vgs_timerheap_push(&h, at, 0, NULL, pushed++);
			continue;
		}
		struct vgs_timer t = vgs_timerheap_pop(&h);

		popped++;
		if (have_last) {
			CU_ASSERT(t.at_ns >= last_at);
			if (t.at_ns == last_at)
				CU_ASSERT(t.seq > last_seq);
		}
		last_at = t.at_ns;
		last_seq = t.seq;
		have_last = true;
	}
	while (h.n) {
		struct vgs_timer t = vgs_timerheap_pop(&h);

		popped++;
		CU_ASSERT(t.at_ns > last_at || (t.at_ns == last_at && t.seq > last_seq));
		last_at = t.at_ns;
		last_seq = t.seq;
	}
	CU_ASSERT_EQUAL(popped, pushed);
	CU_ASSERT(h.cap >= 256);
	vgs_timerheap_fini(&h);
}

static CU_TestInfo timerheap_tests[] = {
	{ "empty heap, one timer", test_empty },
	{ "FIFO among timers due at the same ns", test_fifo_at_same_time },
	{ "random pushes and pops stay ordered", test_random_against_reference },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "timerheap", .pTests = timerheap_tests })
