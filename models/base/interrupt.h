/*
 * Ctrl-C and kill: the one signal path of every command.  SIGINT and SIGTERM either
 *
 *   - end the process at once (the default, set up by vgs_interrupt_init() at program start), after
 *     removing the temporary files the command registered (an import being written), so that a
 *     command that does not poll still leaves nothing behind and dies of the signal (exit status
 *     128 + signal as the shell sees it); or
 *   - between vgs_interrupt_catch() and vgs_interrupt_release(), only set a flag that long-running
 *     loops poll (the simulator's event loop, the executor's real-time loop, compare's and validate's
 *     waits for their child runs), so that the command stops at a safe point within a second, writes
 *     what it promises (nothing, or a complete results directory marked "partial": true), removes its
 *     temporaries, stops and reaps its children, and exits with vgs_interrupt_status().
 *
 * libc only.
 */
#ifndef VGS_INTERRUPT_H
#define VGS_INTERRUPT_H

#include <signal.h>

/* The handlers that were in place before vgs_interrupt_catch(). */
struct vgs_interrupt {
	struct sigaction old_int, old_term;
};

/* Program start: SIGINT and SIGTERM remove the registered temporaries, then end the process. */
void vgs_interrupt_init(void);
/* From now on SIGINT and SIGTERM set the flag instead of ending the process. */
void vgs_interrupt_catch(struct vgs_interrupt *saved);
/* Put back the handlers vgs_interrupt_catch() replaced (the flag stays as it is). */
void vgs_interrupt_release(const struct vgs_interrupt *saved);
/* The signal that arrived since the process started (SIGINT or SIGTERM), or 0. */
int vgs_interrupted(void);
/* The exit status of a command the signal stopped: 128 + signal (130 for SIGINT, 143 for SIGTERM), or 0. */
int vgs_interrupt_status(void);
/* "SIGINT" or "SIGTERM" (the signal that arrived), or "" when none did. */
const char *vgs_interrupt_name(void);

/*
 * A temporary file to unlink should the process end by SIGINT or SIGTERM while it exists (at most
 * VGS_INTERRUPT_MAX_FILES at once, paths shorter than 1024 bytes; others are not registered).  Remove
 * it from the list once it is renamed into place or deleted.
 */
#define VGS_INTERRUPT_MAX_FILES 8
void vgs_interrupt_file_add(const char *path);
void vgs_interrupt_file_remove(const char *path);

#endif
