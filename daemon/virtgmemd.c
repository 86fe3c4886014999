/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/rpcdaemonconf.h"
#include "daemon/rpclisten.h"
#include "daemon/rpcprograms.h"
#include "daemon/rpcserver.h"
#include "driver/connect.h"
#include "util/error.h"
#include "util/i18n.h"

/* An integer option not given on the command line. */
#define VGMD_UNSET G_MININT

typedef struct {
    char *socket;
    char *root;
    char *config;
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
    g_free(opts->config);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(vgmdOptions, vgmdOptionsClear)

/* What SIGHUP needs. */
typedef struct {
    const vgmdOptions *opts;
    bool privileged;
    char *confFile;
    rpcDaemonConf conf;
    rpcServer *srv;
} vgmdState;

/* The log_level in force (an rpcLogLevel). */
static gint vgmdLogLevel = RPC_LOG_WARNING;

static int
vgmdCheckOptions(const vgmdOptions *opts, GError **error)
{
    if ((opts->timeout != VGMD_UNSET && opts->timeout < 0) ||
        (opts->keepAliveInterval != VGMD_UNSET &&
         opts->keepAliveInterval < 0)) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("a number of seconds must not be negative"));
        return -1;
    }
    if ((opts->keepAliveCount != VGMD_UNSET && opts->keepAliveCount < 1) ||
        (opts->maxClients != VGMD_UNSET && opts->maxClients < 1)) {
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("a count must be at least 1"));
        return -1;
    }
    return 0;
}

static int
vgmdParseOptions(int *argc, char ***argv, vgmdOptions *opts, GError **error)
{
    GOptionEntry entries[] = {
        { "socket", 0, 0, G_OPTION_ARG_FILENAME, &opts->socket,
          N_("Listen on PATH (and PATH-ro for read-only clients)"), N_("PATH") },
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &opts->root,
          N_("Keep the daemon's state under DIR"), N_("DIR") },
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &opts->config,
          N_("Read the configuration from FILE"), N_("FILE") },
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
    return vgmdCheckOptions(opts, error);
}

/* Read the configuration file, then let the command line override it. */
static int
vgmdLoadConfig(const vgmdOptions *opts, bool privileged, rpcDaemonConf *conf,
               char **confFile, GError **error)
{
    g_autofree char *path = opts->config ? g_strdup(opts->config)
                                         : rpcDaemonConfDefaultPath(privileged);

    rpcDaemonConfInit(conf);
    if (rpcDaemonConfLoad(conf, path, opts->config != NULL, error) < 0)
        return -1;
    if (opts->keepAliveInterval != VGMD_UNSET)
        conf->keepAliveInterval = opts->keepAliveInterval;
    if (opts->keepAliveCount != VGMD_UNSET)
        conf->keepAliveCount = opts->keepAliveCount;
    if (opts->maxClients != VGMD_UNSET)
        conf->maxClients = opts->maxClients;
    if (opts->verbose)
        conf->logLevel = RPC_LOG_DEBUG;
    *confFile = g_steal_pointer(&path);
    return 0;
}

static void
vgmdServerConfig(const rpcDaemonConf *conf, rpcServerConfig *config)
{
    config->maxClients = conf->maxClients;
    config->maxWorkers = conf->maxWorkers;
    config->maxPrioWorkers = conf->prioWorkers;
    config->maxClientRequests = conf->maxClientRequests;
    config->keepAliveInterval = conf->keepAliveInterval;
    config->keepAliveCount = conf->keepAliveCount;
    config->maxPayload = conf->maxPayload;
}

/* Pass on what log_level lets through. */
static void
vgmdLogHandler(const char *domain, GLogLevelFlags flags, const char *message,
               gpointer data)
{
    int level = RPC_LOG_ERROR;

    if (flags & G_LOG_LEVEL_DEBUG)
        level = RPC_LOG_DEBUG;
    else if (flags & G_LOG_LEVEL_INFO)
        level = RPC_LOG_INFO;
    else if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_WARNING))
        level = RPC_LOG_WARNING;
    if (level >= g_atomic_int_get(&vgmdLogLevel))
        g_log_default_handler(domain, flags, message, data);
}

/* Whether a reloaded file changes what only a restart applies. */
static bool
vgmdNeedsRestart(const rpcDaemonConf *a, const rpcDaemonConf *b)
{
    return g_strcmp0(a->unixSockGroup, b->unixSockGroup) != 0 ||
           g_strcmp0(a->unixSockDir, b->unixSockDir) != 0 ||
           g_strcmp0(a->listenAddr, b->listenAddr) != 0 ||
           a->unixSockRoPerms != b->unixSockRoPerms ||
           a->unixSockRwPerms != b->unixSockRwPerms ||
           a->listenTcp != b->listenTcp || a->tcpPort != b->tcpPort ||
           a->authTcp != b->authTcp;
}

/* SIGHUP: apply the limits, keepalive and log level of the file as it
 * is now; the sockets stay as they are.  A bad file changes nothing. */
static gboolean
vgmdReload(gpointer data)
{
    vgmdState *state = data;
    g_auto(rpcDaemonConf) conf = { 0 };
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;

    if (vgmdLoadConfig(state->opts, state->privileged, &conf, &path,
                       &error) < 0) {
        g_warning("configuration not reloaded: %s", error->message);
        return G_SOURCE_CONTINUE;
    }
    if (vgmdNeedsRestart(&state->conf, &conf))
        g_warning("%s: socket settings change only with a restart", path);
    vgmdServerConfig(&conf, &config);
    rpcServerSetConfig(state->srv, &config);
    g_atomic_int_set(&vgmdLogLevel, conf.logLevel);
    rpcDaemonConfClear(&state->conf);
    state->conf = conf;
    memset(&conf, 0, sizeof(conf));
    g_message("reloaded %s", path);
    return G_SOURCE_CONTINUE;
}

/* --root: one private directory (0700) for all of the driver's state;
 * without it the driver uses the directories of its mode. */
static int
vgmdMakeRoot(const vgmdOptions *opts, GError **error)
{
    const char *root = opts->root;

    if (!root)
        return 0;
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

/* ---- the driver ---- */

static char *
vgmdGetCapabilities(gpointer opaque, GError **error)
{
    return drvConnectGetCapabilities(opaque, error);
}

static int
vgmdGetVersion(gpointer opaque, guint64 *version, GError **error)
{
    return drvConnectGetVersion(opaque, version, error);
}

/* Migration is a later step: only typed string parameters for now. */
static bool
vgmdSupportsFeature(gpointer opaque, int feature)
{
    return feature == RPC_FEATURE_TYPED_PARAM_STRING;
}

static bool
vgmdBusy(gpointer data)
{
    return drvConnectHasActiveDomains(data);
}

/* Where driver events go; emptied (under the lock) before the server
 * is freed, since the driver thread may be delivering one right then. */
typedef struct {
    GMutex lock;
    rpcServer *srv;
} vgmdEvents;

/* Driver thread: hand a lifecycle or reboot event to every client that
 * asked for it. */
static void
vgmdDomainEvent(drvDriver *drv, const drvDomainRef *ref, int eventID,
                int event, int detail, gpointer opaque)
{
    vgmdEvents *events = opaque;
    remote_nonnull_domain dom = { .name = ref->name, .id = ref->id };
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&events->lock);

    if (!events->srv)
        return;
    memcpy(dom.uuid, ref->uuid, REMOTE_UUID_LEN);
    if (eventID == VIR_DOMAIN_EVENT_ID_LIFECYCLE)
        rpcServerEmitLifecycle(events->srv, &dom, event, detail);
    else if (eventID == VIR_DOMAIN_EVENT_ID_REBOOT)
        rpcServerEmitReboot(events->srv, &dom);
}

static drvDriver *
vgmdOpenDriver(const vgmdOptions *opts, rpcDaemon *daemon, GError **error)
{
    drvDriverConfig config = {
        .mode = daemon->privileged ? DRV_DRIVER_MODE_SYSTEM
                                   : DRV_DRIVER_MODE_SESSION,
        .root = opts->root,
    };
    drvDriver *drv = drvDriverOpen(&config, error);

    if (!drv)
        return NULL;
    daemon->driver = drv;
    daemon->hooks = (rpcDriverHooks){
        .getCapabilities = vgmdGetCapabilities,
        .getVersion = vgmdGetVersion,
        .supportsFeature = vgmdSupportsFeature,
        .opaque = drv,
    };
    g_info("driver open (%s mode)", daemon->privileged ? "system"
                                                       : "session");
    return drv;
}

static gboolean
vgmdQuit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

static void
vgmdStateClear(vgmdState *state)
{
    g_free(state->confFile);
    rpcDaemonConfClear(&state->conf);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(vgmdState, vgmdStateClear)

/* Read the configuration and set the log level: before anything else. */
static int
vgmdSetup(const vgmdOptions *opts, vgmdState *state, GError **error)
{
    state->opts = opts;
    state->privileged = !opts->session && geteuid() == 0;
    if (vgmdLoadConfig(opts, state->privileged, &state->conf,
                       &state->confFile, error) < 0)
        return -1;
    g_atomic_int_set(&vgmdLogLevel, state->conf.logLevel);
    g_info("configuration from %s", state->confFile);
    return 0;
}

static void
vgmdRemoveSources(const guint *ids, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        g_source_remove(ids[i]);
}

/* Listen, then open the driver: nothing is touched when another daemon
 * already serves the socket. */
static rpcServer *
vgmdStart(const vgmdOptions *opts, vgmdState *state, rpcDaemon *daemon,
          drvDriver **drv, GError **error)
{
    rpcServerConfig config = RPC_SERVER_CONFIG_DEFAULT;
    rpcListenSpec listen = { &state->conf, state->confFile, opts->socket,
                             state->privileged };
    g_autoptr(rpcServer) srv = NULL;

    daemon->privileged = state->privileged;
    vgmdServerConfig(&state->conf, &config);
    if (!(srv = rpcServerNew(&config, daemon, rpcPrograms, error)) ||
        rpcListenAll(srv, &listen, error) < 0 ||
        vgmdMakeRoot(opts, error) < 0 ||
        !(*drv = vgmdOpenDriver(opts, daemon, error)))
        return NULL;
    return g_steal_pointer(&srv);
}

/* Stop serving first (running calls finish), then let the driver go:
 * guests keep running and the next start finds them again. */
static void
vgmdStop(rpcServer *srv, drvDriver *drv, vgmdEvents *events)
{
    g_mutex_lock(&events->lock);
    events->srv = NULL;
    g_mutex_unlock(&events->lock);
    rpcServerFree(srv);
    drvDriverClose(drv);
}

static int
vgmdRun(const vgmdOptions *opts, GError **error)
{
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    g_auto(vgmdState) state = { 0 };
    rpcDaemon daemon = { 0 };
    vgmdEvents events = { 0 };
    drvDriver *drv = NULL;
    rpcServer *srv;
    guint signals[3];

    if (vgmdSetup(opts, &state, error) < 0)
        return -1;
    /* Before the sockets exist: whoever sees them may signal us. */
    signals[0] = g_unix_signal_add(SIGTERM, vgmdQuit, loop);
    signals[1] = g_unix_signal_add(SIGINT, vgmdQuit, loop);
    signals[2] = g_unix_signal_add(SIGHUP, vgmdReload, &state);
    if (!(srv = vgmdStart(opts, &state, &daemon, &drv, error))) {
        drvDriverClose(drv);
        vgmdRemoveSources(signals, G_N_ELEMENTS(signals));
        return -1;
    }
    state.srv = srv;
    g_mutex_init(&events.lock);
    events.srv = srv;
    drvEventRegister(drv, vgmdDomainEvent, &events, NULL);
    /* Running guests keep a session daemon alive past --timeout. */
    rpcServerSetBusyCheck(srv, vgmdBusy, drv);
    rpcServerSetIdleTimeout(srv, opts->timeout == VGMD_UNSET ? 0
                                                             : opts->timeout,
                            vgmdQuit, loop);
    g_main_loop_run(loop);
    g_info("shutting down");
    vgmdStop(srv, drv, &events);
    g_mutex_clear(&events.lock);
    vgmdRemoveSources(signals, G_N_ELEMENTS(signals));
    return 0;
}

int
main(int argc, char **argv)
{
    g_auto(vgmdOptions) opts = {
        .timeout = VGMD_UNSET,
        .keepAliveInterval = VGMD_UNSET,
        .keepAliveCount = VGMD_UNSET,
        .maxClients = VGMD_UNSET,
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
    /* vgmdLogHandler() filters by log_level. */
    g_log_set_debug_enabled(TRUE);
    g_log_set_default_handler(vgmdLogHandler, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (vgmdRun(&opts, &error) < 0) {
        g_printerr(_("virtgmemd: %1$s\n"), error->message);
        return 1;
    }
    return 0;
}
