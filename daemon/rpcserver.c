/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/rpcclient.h"
#include "daemon/rpcframe.h"
#include "daemon/rpcserver.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

typedef struct {
    rpcServer *srv;
    char *path;                  /* or the address, for the logs */
    int fd;
    bool readonly;
    bool unlinkPath;             /* we made the socket file */
    GSource *source;
} rpcListener;

struct rpcServer {
    rpcServerConfig config;
    const rpcDaemon *daemon;
    const rpcProgram *const *programs;
    GMainContext *ctx;
    GPtrArray *listeners;        /* of rpcListener */
    GThreadPool *workers;
    GThreadPool *prioWorkers;
    guint64 nextClientID;

    GMutex lock;                 /* protects clients */
    GPtrArray *clients;          /* of rpcClient, one ref each */

    unsigned int idleTimeout;    /* seconds; 0: never */
    GSourceFunc idleFunc;
    gpointer idleData;
    GSource *idleSource;
    bool (*busyFunc)(gpointer data);   /* work that keeps us running */
    gpointer busyData;
};

/* A call handed to a worker. */
typedef struct {
    rpcClient *client;
    const rpcProc *proc;
    rpc_message_header hdr;
    guint8 *frame;
    gsize len;
} rpcJob;

static void rpcListenerFree(rpcListener *listener);

static void
rpcJobFree(rpcJob *job)
{
    rpcClientUnref(job->client);
    g_free(job->frame);
    g_free(job);
}

static void
rpcServerWork(gpointer data, gpointer userData)
{
    rpcJob *job = data;
    GBytes *reply = rpcDispatchRun(job->proc, rpcClientGetConn(job->client),
                                   &job->hdr, job->frame, job->len);

    rpcClientCallDone(job->client, reply);
    rpcJobFree(job);
}

/**
 * rpcServerQueueCall:
 * @srv: the server
 * @client: the client the call came from
 * @proc: the procedure found for it
 * @hdr: its header
 * @frame: (transfer full): the whole frame
 * @len: its length
 *
 * Run a call on a worker; high-priority procedures get their own pool
 * so they answer while every normal worker is busy.
 */
void
rpcServerQueueCall(rpcServer *srv, rpcClient *client, const rpcProc *proc,
                   const rpc_message_header *hdr, guint8 *frame, gsize len)
{
    rpcJob *job = g_new0(rpcJob, 1);
    GThreadPool *pool = (proc->flags & RPC_PROC_PRIORITY) ? srv->prioWorkers
                                                          : srv->workers;

    job->client = rpcClientRef(client);
    job->proc = proc;
    job->hdr = *hdr;
    job->frame = frame;
    job->len = len;
    /* Cannot fail: the pools are not exclusive. */
    g_thread_pool_push(pool, job, NULL);
}

/**
 * rpcServerNew:
 * @config: limits and keepalive settings
 * @daemon: what connections see of the daemon (outlives the server)
 * @programs: NULL-terminated programs served (outlive the server)
 * @error: return location for a GError
 *
 * The server runs on the thread-default main context of the caller.
 *
 * Returns: (transfer full): the server, or NULL with @error set.
 */
rpcServer *
rpcServerNew(const rpcServerConfig *config, const rpcDaemon *daemon,
             const rpcProgram *const *programs, GError **error)
{
    g_autoptr(rpcServer) srv = g_new0(rpcServer, 1);

    srv->config = *config;
    srv->daemon = daemon;
    srv->programs = programs;
    srv->ctx = g_main_context_ref_thread_default();
    srv->listeners = g_ptr_array_new_with_free_func(
        (GDestroyNotify)rpcListenerFree);
    srv->clients = g_ptr_array_new();
    g_mutex_init(&srv->lock);
    srv->workers = g_thread_pool_new(rpcServerWork, srv, config->maxWorkers,
                                     FALSE, error);
    if (!srv->workers)
        return NULL;
    srv->prioWorkers = g_thread_pool_new(rpcServerWork, srv,
                                         config->maxPrioWorkers, FALSE, error);
    if (!srv->prioWorkers)
        return NULL;
    return g_steal_pointer(&srv);
}

const rpcServerConfig *
rpcServerGetConfig(rpcServer *srv)
{
    return &srv->config;
}

/**
 * rpcServerSetConfig:
 * @srv: the server
 * @config: new limits and keepalive settings
 *
 * Apply new settings (I/O thread, e.g. on SIGHUP).  Limits apply at
 * once; keepalive and payload settings to the clients that connect
 * from now on.
 */
void
rpcServerSetConfig(rpcServer *srv, const rpcServerConfig *config)
{
    srv->config = *config;
    /* Cannot fail: the pools are not exclusive. */
    g_thread_pool_set_max_threads(srv->workers, config->maxWorkers, NULL);
    g_thread_pool_set_max_threads(srv->prioWorkers, config->maxPrioWorkers,
                                  NULL);
}

const rpcDaemon *
rpcServerGetDaemon(rpcServer *srv)
{
    return srv->daemon;
}

const rpcProgram *const *
rpcServerGetPrograms(rpcServer *srv)
{
    return srv->programs;
}

static gboolean
rpcServerIdleExpired(gpointer data)
{
    rpcServer *srv = data;

    if (srv->busyFunc && srv->busyFunc(srv->busyData)) {
        g_debug("no client for %u seconds, but still busy", srv->idleTimeout);
        return G_SOURCE_CONTINUE;
    }
    srv->idleSource = NULL;
    g_info("no client for %u seconds", srv->idleTimeout);
    srv->idleFunc(srv->idleData);
    return G_SOURCE_REMOVE;
}

/* Arm or disarm the idle timer after the client count changed. */
static void
rpcServerUpdateIdle(rpcServer *srv, guint nclients)
{
    if (nclients > 0 || !srv->idleFunc) {
        if (srv->idleSource)
            g_source_destroy(srv->idleSource);
        srv->idleSource = NULL;
        return;
    }
    if (srv->idleSource)
        return;
    srv->idleSource = g_timeout_source_new_seconds(srv->idleTimeout);
    g_source_set_callback(srv->idleSource, rpcServerIdleExpired, srv, NULL);
    g_source_attach(srv->idleSource, srv->ctx);
    g_source_unref(srv->idleSource);
}

/**
 * rpcServerSetIdleTimeout:
 * @srv: the server
 * @seconds: how long without any client; 0 never
 * @func: called (once) when that happens
 * @data: for @func
 */
void
rpcServerSetIdleTimeout(rpcServer *srv, unsigned int seconds,
                        GSourceFunc func, gpointer data)
{
    srv->idleTimeout = seconds;
    srv->idleFunc = seconds ? func : NULL;
    srv->idleData = data;
    rpcServerUpdateIdle(srv, srv->clients->len);
}

/**
 * rpcServerSetBusyCheck:
 * @srv: the server
 * @busy: (nullable): whether the daemon has work that must keep it
 *   running without clients (running guests); I/O thread
 * @data: for @busy
 *
 * When the idle timeout expires while @busy says so, the daemon stays
 * and asks again one timeout later.
 */
void
rpcServerSetBusyCheck(rpcServer *srv, bool (*busy)(gpointer data),
                      gpointer data)
{
    srv->busyFunc = busy;
    srv->busyData = data;
}

/**
 * rpcServerClientClosed:
 * @srv: the server
 * @client: a client that rpcClientClose() just closed
 *
 * Forget @client (I/O thread).
 */
void
rpcServerClientClosed(rpcServer *srv, rpcClient *client)
{
    guint n;

    g_mutex_lock(&srv->lock);
    if (!g_ptr_array_remove(srv->clients, client)) {
        g_mutex_unlock(&srv->lock);
        return;
    }
    n = srv->clients->len;
    g_mutex_unlock(&srv->lock);
    rpcClientUnref(client);
    rpcServerUpdateIdle(srv, n);
}

/* A TCP client: log its address. */
static void
rpcServerLogInetPeer(guint64 id, int fd, const char *where)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    g_autoptr(GSocketAddress) addr = NULL;
    g_autofree char *host = NULL;

    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0 ||
        !(addr = g_socket_address_new_from_native(&ss, len)) ||
        !G_IS_INET_SOCKET_ADDRESS(addr)) {
        g_info("client %" G_GUINT64_FORMAT ": connected on %s", id, where);
        return;
    }
    host = g_inet_address_to_string(
        g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr)));
    g_info("client %" G_GUINT64_FORMAT ": connected on %s from %s port %u",
           id, where, host,
           g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(addr)));
}

static void
rpcServerLogPeer(guint64 id, int fd, const char *where, bool readonly)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
        (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
        rpcServerLogInetPeer(id, fd, where);
        return;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        g_info("client %" G_GUINT64_FORMAT ": connected on %s (no peer "
               "credentials: %s)", id, where, g_strerror(errno));
        return;
    }
    g_info("client %" G_GUINT64_FORMAT ": connected on %s%s: pid %d uid %u "
           "gid %u", id, where, readonly ? " (read-only)" : "",
           (int)cred.pid, (unsigned int)cred.uid, (unsigned int)cred.gid);
}

/**
 * rpcServerAddClient:
 * @srv: the server
 * @fd: (transfer full): a connected UNIX stream socket
 * @readonly: whether the client may only read
 * @where: where it came from, for the logs
 *
 * Serve a client (I/O thread): listeners call this for each connection
 * they accept.  Over the client limit @fd is closed at once (and that is
 * logged).
 */
void
rpcServerAddClient(rpcServer *srv, int fd, bool readonly, const char *where)
{
    rpcClient *client;
    guint64 id = ++srv->nextClientID;

    g_mutex_lock(&srv->lock);
    if (srv->clients->len >= srv->config.maxClients) {
        g_mutex_unlock(&srv->lock);
        g_warning("refusing client %" G_GUINT64_FORMAT ": already %u clients",
                  id, srv->config.maxClients);
        close(fd);
        return;
    }
    g_mutex_unlock(&srv->lock);
    if (!g_unix_set_fd_nonblocking(fd, TRUE, NULL))
        g_warning("cannot make client %" G_GUINT64_FORMAT " non-blocking", id);
    rpcServerLogPeer(id, fd, where, readonly);
    client = rpcClientNew(srv, fd, readonly, id);
    g_mutex_lock(&srv->lock);
    g_ptr_array_add(srv->clients, client);
    g_mutex_unlock(&srv->lock);
    rpcServerUpdateIdle(srv, 1);
    rpcClientStart(client);
}

static gboolean
rpcServerOnListener(gint lfd, GIOCondition cond, gpointer data)
{
    rpcListener *listener = data;
    int fd;

    while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
        rpcServerAddClient(listener->srv, fd, listener->readonly,
                           listener->path);
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        g_warning("accept on %s failed: %s", listener->path, g_strerror(errno));
    return G_SOURCE_CONTINUE;
}

/* Remove a socket file left by a daemon that is gone; refuse to take
 * over one that still answers, or a path that is not a socket. */
static int
rpcServerRemoveStale(const char *path, const struct sockaddr_un *addr,
                     GError **error)
{
    struct stat st;
    VGM_AUTOCLOSE int fd = -1;

    if (lstat(path, &st) < 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("'%1$s' exists and is not a socket"), path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 &&
        connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0) {
        g_set_error(error, RPC_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("another daemon is already listening on '%1$s'"), path);
        return -1;
    }
    unlink(path);
    return 0;
}

/* Bind and listen; the socket gets @gid (unless -1) and @mode, never
 * wider permissions first. */
static int
rpcServerBind(const char *path, mode_t mode, gid_t gid, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    VGM_AUTOCLOSE int fd = -1;
    mode_t old;
    int rc;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                    _("socket path '%1$s' is too long"), path);
        return -1;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (rpcServerRemoveStale(path, &addr, error) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    /* Created with @mode at once: no window with other permissions. */
    old = umask(~mode & 0777);
    rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old);
    if (rc == 0 && gid != (gid_t)-1)
        rc = chown(path, (uid_t)-1, gid);
    if (rc < 0 || chmod(path, mode) < 0 || listen(fd, 128) < 0) {
        int err = errno;

        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot listen on '%1$s': %2$s"), path, g_strerror(err));
        return -1;
    }
    return vgmStealFD(&fd);
}

/**
 * rpcServerAddListener:
 * @srv: the server
 * @path: the socket path
 * @mode: its permissions
 * @gid: its group, or -1 to leave it
 * @readonly: whether connections on it are read-only
 * @error: return location for a GError
 *
 * Create the socket file and serve it; it is removed when the server is
 * freed.
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcServerAddListener(rpcServer *srv, const char *path, mode_t mode,
                     gid_t gid, bool readonly, GError **error)
{
    int fd = rpcServerBind(path, mode, gid, error);

    if (fd < 0)
        return -1;
    rpcServerAddListenerFD(srv, fd, path, RPC_LISTENER_UNLINK |
                           (readonly ? RPC_LISTENER_READONLY : 0));
    return 0;
}

/**
 * rpcServerAddListenerFD:
 * @srv: the server
 * @fd: (transfer full): a listening stream socket, UNIX or TCP
 * @name: its path (removed at the end with RPC_LISTENER_UNLINK) or
 *   address, for the logs
 * @flags: rpcListenerFlags
 *
 * Accept the clients of a socket bound elsewhere (TCP, systemd).
 */
void
rpcServerAddListenerFD(rpcServer *srv, int fd, const char *name,
                       unsigned int flags)
{
    rpcListener *listener = g_new0(rpcListener, 1);
    bool readonly = flags & RPC_LISTENER_READONLY;

    if (!g_unix_set_fd_nonblocking(fd, TRUE, NULL))
        g_warning("cannot make listener %s non-blocking", name);
    listener->srv = srv;
    listener->path = g_strdup(name);
    listener->fd = fd;
    listener->readonly = readonly;
    listener->unlinkPath = flags & RPC_LISTENER_UNLINK;
    listener->source = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(listener->source,
                          (GSourceFunc)(void (*)(void))rpcServerOnListener,
                          listener, NULL);
    g_source_attach(listener->source, srv->ctx);
    g_ptr_array_add(srv->listeners, listener);
    g_info("listening on %s%s", name, readonly ? " (read-only)" : "");
}

static void
rpcListenerFree(rpcListener *listener)
{
    g_source_destroy(listener->source);
    g_source_unref(listener->source);
    close(listener->fd);
    if (listener->unlinkPath)
        unlink(listener->path);
    g_free(listener->path);
    g_free(listener);
}

static gpointer
rpcServerRefClient(gconstpointer client, gpointer data)
{
    return rpcClientRef((rpcClient *)client);
}

/* Close every client (I/O thread). */
static void
rpcServerCloseClients(rpcServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;
    guint i;

    g_mutex_lock(&srv->lock);
    clients = g_ptr_array_copy(srv->clients, rpcServerRefClient, NULL);
    g_mutex_unlock(&srv->lock);
    for (i = 0; i < clients->len; i++) {
        rpcClientClose(clients->pdata[i]);
        rpcClientUnref(clients->pdata[i]);
    }
}

/**
 * rpcServerFree:
 * @srv: (nullable): a server
 *
 * Stop listening (the socket files are removed), drop every client, wait
 * for the calls still running and free everything.  I/O thread.
 */
void
rpcServerFree(rpcServer *srv)
{
    if (!srv)
        return;
    g_ptr_array_unref(srv->listeners);
    rpcServerCloseClients(srv);
    if (srv->workers)
        g_thread_pool_free(srv->workers, FALSE, TRUE);
    if (srv->prioWorkers)
        g_thread_pool_free(srv->prioWorkers, FALSE, TRUE);
    if (srv->idleSource)
        g_source_destroy(srv->idleSource);
    /* Release the references queued flushes hold. */
    while (g_main_context_iteration(srv->ctx, FALSE))
        ;
    g_ptr_array_unref(srv->clients);
    g_mutex_clear(&srv->lock);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}

/* A domain event on its way to the clients: @msg starts with the int
 * callbackID that each registration gets filled in. */
typedef struct {
    int eventID;                 /* virDomainEventID, for the filters */
    int proc;                    /* the event message's procedure */
    xdrproc_t filter;
    void *msg;
    int *callbackID;             /* inside @msg */
    const char *uuid;            /* the domain's, for the filters */
} rpcServerEvent;

/* Send @ev once to every callback of @client that wants it. */
static void
rpcServerEmitTo(rpcClient *client, const rpcServerEvent *ev)
{
    g_autoptr(GArray) ids = NULL;
    rpc_message_header hdr = {
        .prog = REMOTE_PROGRAM,
        .vers = REMOTE_PROTOCOL_VERSION,
        .proc = ev->proc,
        .type = RPC_TYPE_MESSAGE,
        .serial = 1,
        .status = RPC_STATUS_OK,
    };
    guint i;

    ids = rpcConnEventTargets(rpcClientGetConn(client), ev->eventID,
                              ev->uuid);
    for (i = 0; i < ids->len; i++) {
        g_autoptr(GError) error = NULL;
        GBytes *frame;

        *ev->callbackID = g_array_index(ids, int, i);
        if (!(frame = rpcFrameEncode(&hdr, ev->filter, ev->msg, &error))) {
            g_warning("cannot send a domain event: %s", error->message);
            return;
        }
        rpcClientSend(client, frame);
    }
}

static void
rpcServerEmit(rpcServer *srv, const rpcServerEvent *ev)
{
    RPC_LOCK_SCOPE(&srv->lock);
    guint i;

    for (i = 0; i < srv->clients->len; i++)
        rpcServerEmitTo(srv->clients->pdata[i], ev);
}

/**
 * rpcServerEmitLifecycle:
 * @srv: the server
 * @dom: the domain the event is about
 * @event: a virDomainEventType
 * @detail: its detail
 *
 * Deliver a lifecycle event to every client callback registered for it.
 * Any thread.
 */
void
rpcServerEmitLifecycle(rpcServer *srv, const remote_nonnull_domain *dom,
                       int event, int detail)
{
    remote_domain_event_callback_lifecycle_msg msg = {
        .msg = { .dom = *dom, .event = event, .detail = detail },
    };
    rpcServerEvent ev = {
        VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
        (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg,
        &msg, &msg.callbackID, dom->uuid,
    };

    rpcServerEmit(srv, &ev);
}

/**
 * rpcServerEmitReboot:
 * @srv: the server
 * @dom: the domain that reset
 *
 * Deliver a reboot event to every client callback registered for it.
 * Any thread.
 */
void
rpcServerEmitReboot(rpcServer *srv, const remote_nonnull_domain *dom)
{
    remote_domain_event_callback_reboot_msg msg = { .msg = { .dom = *dom } };
    rpcServerEvent ev = {
        VIR_DOMAIN_EVENT_ID_REBOOT,
        REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
        (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg,
        &msg, &msg.callbackID, dom->uuid,
    };

    rpcServerEmit(srv, &ev);
}
