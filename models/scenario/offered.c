/*
 * The offered-load check printed before a run (vgpusim run): what the open-loop tenants of each GPU ask
 * of each engine class -- frames at their rate, requests as they arrive (vgs_workload_offered()) --
 * against what its engines of that class can give.  A class asked more than 100 % cannot meet every
 * SLA under any policy; saying so before the run saves reading the table for it.  Closed-loop tenants
 * (training, traces replayed as fast as they go) ask what they get and are not counted.
 *
 *   asked(g, c) = sum over tenants i on g, classes c' routed to c of offered_i(c') / (speed_c x count_c)
 *
 * in engine-seconds per second: 1.0 is every engine of the class busy all the time.
 */
#include <stdio.h>

#include "models/scenario/scenario.h"
#include "models/workload/workload.h"

int vgs_scenario_offered_check(const struct vgs_scenario *s, FILE *out)
{
	int over = 0;

	for (uint32_t g = 0; g < s->ngpus; g++) {
		const struct vgs_gpu *gpu = &s->gpus[g];

		for (int c = 0; c < VGS_NCLASS; c++) {
			double asked = 0.0;

			if (!gpu->cls[c].count || !(gpu->cls[c].speed > 0))
				continue;
			for (uint32_t i = 0; i < s->ntenants; i++)
				for (int k = 0; s->tenants[i].gpu == g && s->tenants[i].workload && k < VGS_NCLASS; k++)
					if (gpu->route[k] == c)
						asked += vgs_workload_offered(s->tenants[i].workload, k);
			asked /= 1e9 * gpu->cls[c].speed * gpu->cls[c].count;
			if (asked <= 1.0)
				continue;
			fprintf(out, "vgpusim: offered load: %s asked %.0f %% of %s (%u engine%s): expect missed SLAs\n",
				vgs_class_name(c), 100.0 * asked, gpu->name, gpu->cls[c].count,
				gpu->cls[c].count == 1 ? "" : "s");
			over++;
		}
	}
	return over;
}
