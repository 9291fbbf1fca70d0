/* User-facing errors: one line, "FILE:LINE: what was expected" (every loader and importer reports
 * through this type, so the command line prints it as it is and exits 2). */
#ifndef VGS_ERROR_H
#define VGS_ERROR_H

struct vgs_error {
	char msg[1024];
};

/* Format the message into err (a NULL err is ignored). */
void vgs_error_set(struct vgs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Before reading an input file (a config, an include, a trace, a capture, a profile): `path` exists,
 * is readable and is not a directory.  0, or -1 with err = "[WHERE: ]PATH: cannot open: CAUSE" or
 * "[WHERE: ]PATH: is a directory; expected WHAT" (where: the setting or option that named it, or NULL).
 */
int vgs_file_check(const char *path, const char *what, const char *where, struct vgs_error *err);
/*
 * At the end of a command: what it printed must have reached its destination (a full disk, a closed
 * pipe is an error, not a success; like gnulib's close_stdout).  rc, or when stdout could not be written
 * and rc is 0, 2 after saying so on stderr.
 */
int vgs_stdout_flush(int rc);

#endif
