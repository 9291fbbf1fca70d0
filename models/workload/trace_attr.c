/*
 * Per-command attributes of native traces: reading and writing one `key=value` field
 * (models/workload/trace_attr.h, docs/trace-format.md "Attributes").  The loader checks what needs
 * the rest of the file (an `after` command of the same context and stream).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "models/base/types.h"
#include "models/workload/kclass.h"
#include "models/workload/trace_attr.h"

/* The unsigned numeric attributes: key, have bit, largest value, where it is kept. */
struct num_attr {
	const char *key;
	uint16_t bit;
	uint32_t max;
	size_t off;
};

static const struct num_attr num_attrs[] = {
	{ "gen", VGS_ATTR_GEN, UINT32_MAX, offsetof(struct vgs_trace_attr, gen) },
	{ "sm", VGS_ATTR_SM, UINT32_MAX, offsetof(struct vgs_trace_attr, sm) },
	{ "threads", VGS_ATTR_THREADS, UINT32_MAX, offsetof(struct vgs_trace_attr, threads) },
	{ "regs", VGS_ATTR_REGS, UINT32_MAX, offsetof(struct vgs_trace_attr, regs) },
	{ "smem", VGS_ATTR_SMEM, UINT32_MAX, offsetof(struct vgs_trace_attr, smem) },
	{ "occupancy", VGS_ATTR_OCCUPANCY, 100, offsetof(struct vgs_trace_attr, occupancy) },
};

#define ATTR_KEYS "after, anchor, gen, sm, threads, regs, smem, occupancy, profile, kc"

int vgs_trace_attr_parse(const char *field, uint64_t seq, struct vgs_trace_attr *a, uint8_t *flags, char *msg,
			 size_t size)
{
	const char *eq = strchr(field, '=');
	size_t klen = eq ? (size_t)(eq - field) : 0;
	const char *v = eq ? eq + 1 : NULL;
	guint64 x;

	if (!eq || !klen || !*v) {
		snprintf(msg, size, "expected an attribute key=value (" ATTR_KEYS ") after the columns, got '%s'",
			 field);
		return -1;
	}
#define KEY(k) (klen == strlen(k) && strncmp(field, k, klen) == 0)
	if (KEY("anchor")) {
		if (*flags & VGS_CMD_ANCHOR_PREV) {
			snprintf(msg, size, "attribute 'anchor' given twice");
			return -1;
		}
		if (strcmp(v, "prev") != 0) {
			snprintf(msg, size, "attribute 'anchor': expected 'prev', got '%s'", v);
			return -1;
		}
		*flags |= VGS_CMD_ANCHOR_PREV;
		return 0;
	}
	if (KEY("kc")) {
		int kc = vgs_kclass_parse(v);

		if (a->have & VGS_ATTR_KC) {
			snprintf(msg, size, "attribute 'kc' given twice");
			return -1;
		}
		if (kc < 0) {
			GString *names = g_string_new(NULL);

			for (int k = VGS_KC_NONE + 1; k < VGS_NKCLASS; k++)
				g_string_append_printf(names, "%s%s", k > VGS_KC_NONE + 1 ? ", " : "", vgs_kclass_name(k));
			snprintf(msg, size, "attribute 'kc': expected a kernel class (%s), got '%s'", names->str, v);
			g_string_free(names, TRUE);
			return -1;
		}
		a->have |= VGS_ATTR_KC;
		a->kc = (uint8_t)kc;
		return 0;
	}
	if (KEY("after") || KEY("profile")) {
		uint16_t bit = KEY("after") ? VGS_ATTR_AFTER : VGS_ATTR_PROFILE;

		if (a->have & bit) {
			snprintf(msg, size, "attribute '%.*s' given twice", (int)klen, field);
			return -1;
		}
		a->have |= bit;
		if (bit == VGS_ATTR_PROFILE) {
			int b = vgs_bound_parse(v);

			if (b >= 0) {
				a->profile = (uint8_t)b;
				return 0;
			}
			snprintf(msg, size, "attribute 'profile': expected compute, memory or unknown, got '%s'", v);
			return -1;
		}
		if (strcmp(v, "-") == 0) {
			a->after_back = VGS_AFTER_NONE;
			return 0;
		}
		if (!g_ascii_string_to_unsigned(v, 10, 0, UINT64_MAX, &x, NULL) || x >= seq) {
			snprintf(msg, size, "attribute 'after': expected '-' or the seq of an earlier command (< %" PRIu64
				 "), got '%s'", seq, v);
			return -1;
		}
		if (seq - x > VGS_DEP_WINDOW) {
			snprintf(msg, size, "attribute 'after': command %s is %" PRIu64 " commands back; expected at most %u "
				 "(VGS_DEP_WINDOW)", v, seq - x, VGS_DEP_WINDOW);
			return -1;
		}
		a->after_back = (uint32_t)(seq - x);
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(num_attrs); i++) {
		const struct num_attr *n = &num_attrs[i];

		if (!KEY(n->key))
			continue;
		if (a->have & n->bit) {
			snprintf(msg, size, "attribute '%s' given twice", n->key);
			return -1;
		}
		if (!g_ascii_string_to_unsigned(v, 10, 0, n->max, &x, NULL)) {
			snprintf(msg, size, "attribute '%s': expected an integer in [0, %" PRIu32 "], got '%s'", n->key,
				 n->max, v);
			return -1;
		}
		a->have |= n->bit;
		if (n->bit == VGS_ATTR_OCCUPANCY)
			a->occupancy = (uint8_t)x;
		else
			*(uint32_t *)(void *)((char *)a + n->off) = (uint32_t)x;
		return 0;
	}
#undef KEY
	snprintf(msg, size, "unknown attribute '%.*s'; expected one of: " ATTR_KEYS, (int)klen, field);
	return -1;
}

void vgs_trace_attr_format(const struct vgs_trace_attr *a, uint8_t flags, uint64_t seq, GString *out)
{
	if (a->have & VGS_ATTR_AFTER) {
		if (a->after_back == VGS_AFTER_NONE)
			g_string_append(out, "\tafter=-");
		else
			g_string_append_printf(out, "\tafter=%" PRIu64, seq - a->after_back);
	}
	if (flags & VGS_CMD_ANCHOR_PREV)
		g_string_append(out, "\tanchor=prev");
	for (size_t i = 0; i < G_N_ELEMENTS(num_attrs); i++) {
		const struct num_attr *n = &num_attrs[i];

		if (!(a->have & n->bit))
			continue;
		g_string_append_printf(out, "\t%s=%" PRIu32, n->key,
				       n->bit == VGS_ATTR_OCCUPANCY ? a->occupancy
								    : *(const uint32_t *)(const void *)((const char *)a + n->off));
	}
	if ((a->have & VGS_ATTR_PROFILE) && vgs_bound_name(a->profile))
		g_string_append_printf(out, "\tprofile=%s", vgs_bound_name(a->profile));
	if ((a->have & VGS_ATTR_KC) && vgs_kclass_name(a->kc))
		g_string_append_printf(out, "\tkc=%s", vgs_kclass_name(a->kc));
}
