/*
 * Built-in policies by name, user policies from a shared object by path (GModule).  A file is checked
 * before the dynamic loader maps it: the loader trusts the ELF headers, and a truncated or foreign file
 * can crash it (SIGBUS reading a segment past the end of the file) instead of failing.
 */
#define _GNU_SOURCE /* dladdr1 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <gmodule.h>

#include "models/scenario/policy_load.h"
#include "models/scenario/preset.h"

bool vgs_policy_is_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

char *vgs_policy_group_name(const char *policy)
{
	char *base, *stem;

	if (!vgs_policy_is_path(policy))
		return g_strdup(policy);
	base = g_path_get_basename(policy);
	if (g_str_has_suffix(base, ".so"))
		base[strlen(base) - 3] = '\0';
	stem = g_strdup(g_str_has_prefix(base, "lib") && base[3] ? base + 3 : base);
	g_free(base);
	return stem;
}

static bool ops_complete(const struct vgs_policy_ops *ops)
{
	return ops->name && ops->summary && ops->init && ops->fini && ops->add_vgpu && ops->pick_next &&
	       ops->charge && (ops->set_param || !ops->params);
}

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#endif

/* `path` is a shared object of this machine that the dynamic loader can map safely: every header and
 * segment it names lies inside the file.  0, or -1 with err set ("cannot load WHAT 'PATH': ..."). */
static int check_elf(const char *path, const char *what, struct vgs_error *err)
{
	ElfW(Ehdr) eh;
	struct stat st;
	const char *why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		vgs_error_set(err, "cannot load %s '%s': %s", what, path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		why = S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file";
	else if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		why = "not an ELF shared object";
	else if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
		 eh.e_ident[EI_DATA] != (G_BYTE_ORDER == G_LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB)
#ifdef HOST_MACHINE
		 || eh.e_machine != HOST_MACHINE
#endif
	)
		why = "an ELF file for another architecture";
	else if (eh.e_type != ET_DYN)
		why = "an ELF file but not a shared object (build it with -shared -fPIC)";
	else if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phoff > (uint64_t)st.st_size ||
		 (uint64_t)eh.e_phnum * sizeof(ElfW(Phdr)) > (uint64_t)st.st_size - eh.e_phoff ||
		 (eh.e_shoff && (eh.e_shoff > (uint64_t)st.st_size ||
				 (uint64_t)eh.e_shnum * eh.e_shentsize > (uint64_t)st.st_size - eh.e_shoff)))
		why = "truncated or corrupt (its ELF headers lie past the end of the file)";
	for (unsigned i = 0; !why && i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
			why = "truncated (cannot read its program headers)";
		else if (ph.p_type == PT_LOAD &&
			 (ph.p_offset > (uint64_t)st.st_size || ph.p_filesz > (uint64_t)st.st_size - ph.p_offset))
			why = "truncated or corrupt (a segment lies past the end of the file)";
	}
	close(fd);
	if (why) {
		vgs_error_set(err, "cannot load %s '%s': %s", what, path, why);
		return -1;
	}
	return 0;
}

/* The exported ops table is an object at least as large as the ops struct (`size` bytes; a policy built
 * against an older or foreign header would be read past its end).  0, or -1 with err set. */
static int check_symbol(const char *path, const void *sym, const char *what, const char *symbol, const char *type,
			size_t size, struct vgs_error *err)
{
	Dl_info info;
	const ElfW(Sym) *es = NULL;

	if (!dladdr1(sym, &info, (void **)&es, RTLD_DL_SYMENT) || !es)
		return 0; /* nothing to check against */
	if (ELF64_ST_TYPE(es->st_info) != STT_OBJECT || es->st_size < size) {
		vgs_error_set(err, "%s '%s': its symbol '%s' is %s of %llu bytes; expected the ops table of %s "
			      "%zu bytes): rebuild it against this vgpusim", what, path, symbol,
			      ELF64_ST_TYPE(es->st_info) == STT_FUNC ? "a function" : "an object",
			      (unsigned long long)es->st_size, type, size);
		return -1;
	}
	return 0;
}

/* The ops table `symbol` of shared object `path` (resident for the life of the process), or NULL with
 * err set; `what` names it in messages ("policy"), `type` its struct ("policies/vgs_policy.h (struct
 * vgs_policy_ops"). */
static const void *load_so(const char *path, const char *what, const char *symbol, const char *type, size_t size,
			   const char *doc, struct vgs_error *err)
{
	GModule *mod;
	gpointer sym = NULL;

	if (check_elf(path, what, err) < 0)
		return NULL;
	/* The module stays loaded for the life of the process: policies are used until exit. */
	mod = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (!mod) {
		vgs_error_set(err, "cannot load %s '%s': %s", what, path, g_module_error());
		return NULL;
	}
	if (!g_module_symbol(mod, symbol, &sym) || !sym) {
		vgs_error_set(err, "%s '%s' does not export the symbol '%s' (see %s)", what, path, symbol, doc);
		g_module_close(mod);
		return NULL;
	}
	if (check_symbol(path, sym, what, symbol, type, size, err) < 0) {
		g_module_close(mod);
		return NULL;
	}
	g_module_make_resident(mod);
	return sym;
}

const struct vgs_policy_ops *vgs_policy_load(const char *name, struct vgs_error *err)
{
	const struct vgs_policy_ops *ops;

	if (!vgs_policy_is_path(name)) {
		const struct vgs_preset *p = vgs_preset_find(name);

		ops = vgs_policy_find(p ? p->policy : name);
		if (!ops) {
			GString *names = g_string_new(NULL);
			char *presets = vgs_preset_names();

			for (int i = 0; vgs_policy_builtins[i]; i++)
				g_string_append_printf(names, "%s%s", i ? ", " : "", vgs_policy_builtins[i]->name);
			vgs_error_set(err, "unknown policy '%s'; expected one of: %s, a preset (%s), or a path to a .so",
				      name, names->str, presets);
			g_string_free(names, TRUE);
			g_free(presets);
		}
		return ops;
	}
	ops = load_so(name, "policy", VGS_POLICY_SYMBOL, "policies/vgs_policy.h (struct vgs_policy_ops,",
		      sizeof(struct vgs_policy_ops), "docs/policies.md", err);
	if (ops && !ops_complete(ops)) {
		vgs_error_set(err, "policy '%s': its ops table lacks a required member (name, summary, init, fini, "
			      "add_vgpu, pick_next, charge; set_param when it has params)", name);
		return NULL;
	}
	return ops;
}

const struct vgs_place_ops *vgs_place_load(const char *name, struct vgs_error *err)
{
	const struct vgs_place_ops *ops;

	if (!vgs_policy_is_path(name)) {
		ops = vgs_place_find(name);
		if (!ops) {
			GString *names = g_string_new(NULL);

			for (int i = 0; vgs_place_builtins[i]; i++)
				g_string_append_printf(names, "%s%s", i ? ", " : "", vgs_place_builtins[i]->name);
			vgs_error_set(err, "unknown placement policy '%s'; expected one of: %s, or a path to a .so", name,
				      names->str);
			g_string_free(names, TRUE);
		}
		return ops;
	}
	ops = load_so(name, "placement policy", VGS_PLACE_SYMBOL,
		      "policies/placement/vgs_place.h (struct vgs_place_ops,", sizeof(struct vgs_place_ops),
		      "docs/pools.md", err);
	if (ops && (!ops->name || !ops->summary || !ops->place || (ops->params && !ops->set_param))) {
		vgs_error_set(err, "placement policy '%s': its ops table lacks a required member (name, summary, "
			      "place; set_param when it has params)", name);
		return NULL;
	}
	return ops;
}

void vgs_policy_param_error(const struct vgs_policy_ops *ops, const struct vgs_scenario *s, int rc, int bad,
			    struct vgs_error *err)
{
	const struct vgs_param *p;
	GString *known;
	char where[512];

	if (bad < 0 || (size_t)bad >= s->nparams) {
		vgs_error_set(err, "policy %s failed to initialise (error %d)", ops->name, rc);
		return;
	}
	p = &s->params[bad];
	known = g_string_new(NULL);
	for (const struct vgs_policy_param *pp = ops->params; pp && pp->name; pp++)
		g_string_append_printf(known, "%s%s", known->len ? ", " : "", pp->name);
	if (p->line > 0)
		snprintf(where, sizeof(where), "%s:%d", p->file, p->line);
	else
		snprintf(where, sizeof(where), "%s", p->file);
	/* A bad value: the parameter's own help says what is expected (its range, unit and default). */
	for (const struct vgs_policy_param *pp = ops->params; rc != -ENOENT && pp && pp->name; pp++)
		if (!strcmp(pp->name, p->key) && pp->help) {
			vgs_error_set(err, "%s: invalid value in '%s = %s' for policy %s; expected %s: %s (default %s)",
				      where, p->key, p->value, ops->name, pp->name, pp->help, pp->def ? pp->def : "none");
			g_string_free(known, TRUE);
			return;
		}
	vgs_error_set(err, "%s: %s '%s = %s' for policy %s; its parameters: %s", where,
		      rc == -ENOENT ? "unknown parameter" : "invalid value in", p->key, p->value, ops->name,
		      known->len ? known->str : "(none)");
	g_string_free(known, TRUE);
}

int vgs_policy_check_params(const struct vgs_policy_ops *ops, const struct vgs_scenario *s,
			    struct vgs_error *err)
{
	struct vgs_sched_param *params = g_new0(struct vgs_sched_param, s->nparams + 1);
	struct vgs_sched sched;
	int bad = -1, rc;

	for (size_t i = 0; i < s->nparams; i++) {
		params[i].key = s->params[i].key;
		params[i].value = s->params[i].value;
	}
	struct vgs_sched_args args = {
		.ops = ops,
		.max_vgpus = s->ngpus && s->gpus[0].max_vgpus ? s->gpus[0].max_vgpus : 1,
		.params = params,
		.nparams = s->nparams,
		.bad_param = &bad,
	};
	rc = vgs_sched_init(&sched, &args);
	g_free(params);
	if (rc) {
		vgs_policy_param_error(ops, s, rc, bad, err);
		return -1;
	}
	vgs_sched_fini(&sched);
	return 0;
}

char *vgs_policy_resolve(const char *name, const char *file, int line)
{
	/* Relative to the config, like trace paths. */
	if (vgs_policy_is_path(name) && !g_path_is_absolute(name) && line > 0 && file) {
		char *dir = g_path_get_dirname(file), *path = g_build_filename(dir, name, NULL);

		g_free(dir);
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			return path;
		g_free(path);
	}
	return g_strdup(name);
}

const struct vgs_policy_ops *vgs_policy_load_scenario(const struct vgs_scenario *scn, struct vgs_error *err)
{
	char *path = vgs_policy_resolve(scn->policy, scn->policy_file, scn->policy_line);
	const struct vgs_policy_ops *ops = vgs_policy_load(path, err);

	g_free(path);
	if (!ops) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		if (scn->policy_line > 0)
			vgs_error_set(err, "%s:%d: %s", scn->policy_file, scn->policy_line, msg);
		else
			vgs_error_set(err, "%s: %s", scn->policy_file ? scn->policy_file : "-p", msg);
	}
	return ops;
}

int vgs_policy_sched_init(struct vgs_sched *s, const struct vgs_policy_ops *ops, const struct vgs_scenario *scn,
			  uint32_t gpu, struct vgs_error *err)
{
	struct vgs_sched_param *params = g_new0(struct vgs_sched_param, scn->nparams + 1);
	int bad = -1, rc;

	for (size_t p = 0; p < scn->nparams; p++) {
		params[p].key = scn->params[p].key;
		params[p].value = scn->params[p].value;
	}
	struct vgs_sched_args args = {
		.ops = ops,
		.max_vgpus = scn->gpus[gpu].max_vgpus ? scn->gpus[gpu].max_vgpus : 1,
		.params = params,
		.nparams = scn->nparams,
		.bad_param = &bad,
	};
	rc = vgs_sched_init(s, &args);
	g_free(params);
	if (rc) {
		vgs_policy_param_error(ops, scn, rc, bad, err);
		return -1;
	}
	return 0;
}
