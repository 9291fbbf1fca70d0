/* Shared pieces of the vgpusim command line (sim/main.c and the sub-commands it dispatches to). */
#ifndef VGS_CLI_H
#define VGS_CLI_H

enum { VGS_EXIT_BAD_INPUT = 2 };

/* Print "vgpusim: MSG" (MSG may hold one %s for arg) and the usage hint; returns VGS_EXIT_BAD_INPUT. */
int vgs_cli_usage_error(const char *msg, const char *arg);
int vgs_cmd_import(int argc, char **argv);
int vgs_cmd_trace(int argc, char **argv);

#endif
