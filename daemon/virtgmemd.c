/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/rpcprograms.h"
#include "daemon/rpcserver.h"
#include "util/error.h"
#include "util/i18n.h"

/* The directory and names stock libvirt clients look for. */
#define VGM_SYSTEM_SOCKET_DIR "/var/run/libvirt"
#define VGM_SOCKET_NAME "virtgmemd-sock"
#define VGM_SYSTEM_ROOT LOCALSTATEDIR "/lib/virtgmem"

typedef struct {
    char *socket;
    char *root;
    gboolean session;
    gboolean verbose;
    gboolean version;
    int timeout;
    int keepAliveInterval;
    int keepAliveCount;
    int maxClients;
} vgmdOptions;

static void
vgmdOptionsClear(vgmdOptions *opts)
{
    g_free(opts->socket);
    g_free(opts->root);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(vgmdOptions, vgmdOptionsClear)

static int
vgmdParseOptions(int *argc, char ***argv, vgmdOptions *opts, GError **error)
{
    GOptionEntry entries[] = {
        { "socket", 0, 0, G_OPTION_ARG_FILENAME, &opts->socket,
          N_("Listen on PATH (and PATH-ro for read-only clients)"), N_("PATH") },
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &opts->root,
          N_("Keep the daemon's state under DIR"), N_("DIR") },
        { "session", 0, 0, G_OPTION_ARG_NONE, &opts->session,
          N_("Run as the session daemon of the current user"), NULL },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &opts->timeout,
          N_("Exit after SECS seconds without any client"), N_("SECS") },
        { "keepalive-interval", 0, 0, G_OPTION_ARG_INT,
          &opts->keepAliveInterval,
          N_("Ping an idle client every SECS seconds (0: never)"), N_("SECS") },
        { "keepalive-count", 0, 0, G_OPTION_ARG_INT, &opts->keepAliveCount,
          N_("Drop a client after N unanswered pings"), N_("N") },
        { "max-clients", 0, 0, G_OPTION_ARG_INT, &opts->maxClients,
          N_("Accept at most N clients at a time"), N_("N") },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
          N_("Log connections and other informational messages"), NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
          N_("Print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;

    ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, _("The virtgmem hypervisor daemon."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, error))
        return -1;
    if (opts->timeout < 0 || opts->keepAliveInterval < 0) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("a number of seconds must not be negative"));
        return -1;
    }
    if (opts->keepAliveCount < 1 || opts->maxClients < 1) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("a count must be at least 1"));
        return -1;
    }
    return 0;
}

/* Make the directory a socket lives in. */
static int
vgmdMakeSocketDir(const char *path, bool privileged, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);

    if (g_mkdir_with_parents(dir, privileged ? 0755 : 0700) < 0) {
        int err = errno;

        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create directory '%1$s': %2$s"), dir,
                    g_strerror(err));
        return -1;
    }
    return 0;
}

/* The socket (and read-only socket) of this mode, unless --socket. */
static int
vgmdListen(rpcServer *srv, const vgmdOptions *opts, bool privileged,
           GError **error)
{
    g_autofree char *path = NULL;
    g_autofree char *ro = NULL;
    bool withRO = privileged || opts->socket;

    if (opts->socket)
        path = g_strdup(opts->socket);
    else if (privileged)
        path = g_build_filename(VGM_SYSTEM_SOCKET_DIR, VGM_SOCKET_NAME, NULL);
    else
        path = g_build_filename(g_get_user_runtime_dir(), "libvirt",
                                VGM_SOCKET_NAME, NULL);
    ro = g_strconcat(path, "-ro", NULL);
    if (vgmdMakeSocketDir(path, privileged, error) < 0 ||
        rpcServerAddListener(srv, path, 0600, false, error) < 0)
        return -1;
    if (withRO && rpcServerAddListener(srv, ro, 0666, true, error) < 0)
        return -1;
    return 0;
}

static int
vgmdMakeRoot(const vgmdOptions *opts, bool privileged, GError **error)
{
    g_autofree char *root = NULL;

    if (opts->root)
        root = g_strdup(opts->root);
    else if (privileged)
        root = g_strdup(VGM_SYSTEM_ROOT);
    else
        root = g_build_filename(g_get_user_config_dir(), "virtgmem", NULL);
    if (g_mkdir_with_parents(root, 0700) < 0) {
        int err = errno;

        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create directory '%1$s': %2$s"), root,
                    g_strerror(err));
        return -1;
    }
    g_info("state root is %s", root);
    return 0;
}

static gboolean
vgmdQuit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

static int
vgmdRun(const vgmdOptions *opts, GError **error)
{
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    g_autoptr(rpcServer) srv = NULL;
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    rpcDaemon daemon = { 0 };
    guint sigterm;
    guint sigint;

    daemon.privileged = !opts->session && geteuid() == 0;
    config.keepAliveInterval = opts->keepAliveInterval;
    config.keepAliveCount = opts->keepAliveCount;
    config.maxClients = opts->maxClients;
    /* Listen first: nothing is created when another daemon runs. */
    if (!(srv = rpcServerNew(&config, &daemon, rpcPrograms, error)) ||
        vgmdListen(srv, opts, daemon.privileged, error) < 0 ||
        vgmdMakeRoot(opts, daemon.privileged, error) < 0)
        return -1;
    rpcServerSetIdleTimeout(srv, opts->timeout, vgmdQuit, loop);
    sigterm = g_unix_signal_add(SIGTERM, vgmdQuit, loop);
    sigint = g_unix_signal_add(SIGINT, vgmdQuit, loop);
    g_main_loop_run(loop);
    g_info("shutting down");
    g_source_remove(sigterm);
    g_source_remove(sigint);
    return 0;
}

int
main(int argc, char **argv)
{
    rpcServerConfig defaults = RPC_SERVER_CONFIG_DEFAULT;
    g_auto(vgmdOptions) opts = {
        .keepAliveInterval = defaults.keepAliveInterval,
        .keepAliveCount = defaults.keepAliveCount,
        .maxClients = defaults.maxClients,
    };
    g_autoptr(GError) error = NULL;

    vgmI18nInit();
    if (vgmdParseOptions(&argc, &argv, &opts, &error) < 0) {
        g_printerr(_("virtgmemd: %1$s\n"), error->message);
        return 1;
    }
    if (opts.version) {
        printf("virtgmemd (%s) %s\n", PACKAGE, PACKAGE_VERSION);
        return 0;
    }
    if (opts.verbose)
        g_log_set_debug_enabled(TRUE);
    signal(SIGPIPE, SIG_IGN);
    if (vgmdRun(&opts, &error) < 0) {
        g_printerr(_("virtgmemd: %1$s\n"), error->message);
        return 1;
    }
    return 0;
}
