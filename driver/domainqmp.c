/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

/*
 * The domain's QMP monitor and pidfd watch.  A qapiMonitor is bound to
 * the driver thread's context, so callers on other threads hand it a
 * request (g_main_context_invoke) and wait on the domain's condition
 * variable until the request is done.  Callbacks on the driver thread
 * take the object lock only around their own updates and never call the
 * monitor with it held.
 */

/* A reply or event larger than this fails the monitor (libvirt: 10 MiB). */
#define DRV_QMP_MAX_MESSAGE (10 * 1024 * 1024)

typedef enum {
    DRV_QMP_REQ_ATTACH,
    DRV_QMP_REQ_COMMAND,   /* by name, reply is the "return" value */
    DRV_QMP_REQ_RAW,       /* raw text both ways */
} drvQmpReqType;

typedef struct {
    gint refs;
    drvDriver *drv;
    drvDomainObj *obj;
    drvQmpReqType type;
    int fd;
    char *cmd;
    gint64 until;          /* attach: end of this handshake (monotonic µs) */
    bool done;
    char *replyText;
    qapiJSON *reply;
    GError *error;
} drvQmpReq;

static drvQmpReq *
drvQmpReqNew(drvDriver *drv, drvDomainObj *obj, drvQmpReqType type,
             const char *cmd)
{
    drvQmpReq *req = g_new0(drvQmpReq, 1);

    req->refs = 1;
    req->drv = drv;
    req->obj = drvDomainObjRef(obj);
    req->type = type;
    req->fd = -1;
    req->cmd = g_strdup(cmd);
    return req;
}

static void
drvQmpReqUnref(drvQmpReq *req)
{
    if (!req || !g_atomic_int_dec_and_test(&req->refs))
        return;
    if (req->fd >= 0)
        close(req->fd);
    drvDomainObjUnref(req->obj);
    g_free(req->cmd);
    g_free(req->replyText);
    qapiJSONFree(req->reply);
    g_clear_error(&req->error);
    g_free(req);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvQmpReq, drvQmpReqUnref);

/* Driver thread: the request finished (@err is copied). */
static void
drvQmpReqComplete(drvQmpReq *req, const GError *err)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&req->obj->lock);

    if (err && !req->error)
        req->error = g_error_copy(err);
    req->done = true;
    g_cond_broadcast(&req->obj->cond);
}

/* Driver thread: a new reference to the domain's monitor, or NULL. */
static qapiMonitor *
drvQmpGetMonitor(drvDomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->rt || !obj->rt->mon || obj->rt->exited)
        return NULL;
    return qapiMonitorRef(obj->rt->mon);
}

static void
drvQmpReplyCb(qapiMonitor *mon, qapiJSON *reply, const GError *error,
              gpointer opaque)
{
    g_autoptr(drvQmpReq) req = opaque;

    if (reply && req->type == DRV_QMP_REQ_RAW)
        req->replyText = qapiJSONFormat(reply, false);
    else
        req->reply = g_steal_pointer(&reply);
    qapiJSONFree(reply);
    drvQmpReqComplete(req, error);
}

static gboolean
drvQmpSendCb(gpointer opaque)
{
    drvQmpReq *req = opaque;
    g_autoptr(qapiMonitor) mon = drvQmpGetMonitor(req->obj);
    g_autoptr(GError) err = NULL;
    g_autoptr(qapiJSON) cmd = NULL;
    gint64 timeout = req->drv->timeouts.monitor;
    int rc;

    if (!mon) {
        err = g_error_new(DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                          _("domain '%1$s' is not running"),
                          req->obj->def->name);
        drvQmpReqComplete(req, err);
        return G_SOURCE_REMOVE;
    }
    g_atomic_int_inc(&req->refs);
    if (req->type == DRV_QMP_REQ_RAW) {
        rc = qapiMonitorSendRaw(mon, req->cmd, timeout, drvQmpReplyCb, req,
                                &err);
    } else {
        cmd = qapiMonitorMakeCommand(req->cmd, NULL);
        rc = qapiMonitorSend(mon, &cmd, timeout, drvQmpReplyCb, req, &err);
    }
    if (rc < 0) {
        drvQmpReqComplete(req, err);
        drvQmpReqUnref(req);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Caller's thread, @obj unlocked: run @req on the driver thread and wait
 * for it.  Returns 0, or -1 with @error set.
 */
static int
drvQmpRunUntil(drvQmpReq *req, GSourceFunc fn, gint64 deadline,
               GError **error)
{
    drvDomainObj *obj = req->obj;
    g_autoptr(GMutexLocker) locker = NULL;
    GSource *src = g_idle_source_new();

    g_atomic_int_inc(&req->refs);
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, fn, req, (GDestroyNotify)drvQmpReqUnref);
    g_source_attach(src, req->drv->ctx);
    g_source_unref(src);
    locker = g_mutex_locker_new(&obj->lock);
    while (!req->done && !(obj->rt && obj->rt->exited)) {
        if (!drvDomainObjWaitUntil(obj, deadline))
            break;
    }
    if (req->done && !req->error)
        return 0;
    /* a callback that runs after this gives up must do nothing */
    req->done = true;
    if (req->error) {
        g_propagate_error(error, g_steal_pointer(&req->error));
    } else if (obj->rt && obj->rt->exited) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("QEMU of domain '%1$s' exited while waiting for the monitor"),
                    obj->def->name);
    } else {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                    _("timed out waiting for the QEMU monitor of domain '%1$s'"),
                    obj->def->name);
    }
    return -1;
}

/* drvQmpRunUntil() with a deadline @timeoutMs (plus slack) from now. */
static int
drvQmpRun(drvQmpReq *req, GSourceFunc fn, gint64 timeoutMs, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (timeoutMs + 5000) * 1000;

    return drvQmpRunUntil(req, fn, deadline, error);
}

/**
 * drvQmpCommand:
 * @drv: the driver
 * @obj: a running domain, unlocked, held by a job
 * @cmd: a command name without arguments ("cont"), or raw JSON text
 *       when @reply is non-NULL
 * @reply: where the raw reply text goes, or NULL for a named command
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvQmpCommand(drvDriver *drv, drvDomainObj *obj, const char *cmd,
              char **reply, GError **error)
{
    g_autoptr(drvQmpReq) req = NULL;

    req = drvQmpReqNew(drv, obj, reply ? DRV_QMP_REQ_RAW : DRV_QMP_REQ_COMMAND,
                       cmd);
    if (drvQmpRun(req, drvQmpSendCb, drv->timeouts.monitor, error) < 0)
        return -1;
    if (reply)
        *reply = g_steal_pointer(&req->replyText);
    return 0;
}

static const struct {
    const char *status;
    virDomainState state;
    int reason;
} drvQmpStatusMap[] = {
    { "running", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN },
    { "paused", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER },
    { "prelaunch", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP },
    { "shutdown", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SHUTTING_DOWN },
    { "guest-panicked", VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED },
    { "io-error", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR },
    { "watchdog", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG },
    { "internal-error", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
    { "inmigrate", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    { "postmigrate", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    { "finish-migrate", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    { "suspended", VIR_DOMAIN_PMSUSPENDED, 0 },
};

/**
 * drvQmpQueryStatus:
 * @drv: the driver
 * @obj: a running domain, unlocked, held by a job
 * @state: where QEMU's run state goes as a virDomainState
 * @reason: and its reason
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvQmpQueryStatus(drvDriver *drv, drvDomainObj *obj, virDomainState *state,
                  int *reason, GError **error)
{
    g_autoptr(drvQmpReq) req = drvQmpReqNew(drv, obj, DRV_QMP_REQ_COMMAND,
                                            "query-status");
    const char *status;
    size_t i;

    if (drvQmpRun(req, drvQmpSendCb, drv->timeouts.monitor, error) < 0)
        return -1;
    status = qapiJSONObjectGetString(req->reply, "status");
    for (i = 0; status && i < G_N_ELEMENTS(drvQmpStatusMap); i++) {
        if (g_str_equal(status, drvQmpStatusMap[i].status)) {
            *state = drvQmpStatusMap[i].state;
            *reason = drvQmpStatusMap[i].reason;
            return 0;
        }
    }
    g_debug("unknown QEMU run state '%s'", status ? status : "(none)");
    *state = VIR_DOMAIN_PAUSED;
    *reason = VIR_DOMAIN_PAUSED_UNKNOWN;
    return 0;
}

/* ---- attach: monitor + handshake, on the driver thread ---- */

static void
drvQmpHandshakeCb(qapiMonitor *mon, qapiJSON *reply, const GError *error,
                  gpointer opaque)
{
    g_autoptr(drvQmpReq) req = opaque;

    qapiJSONFree(reply);
    if (!error) {
        g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&req->obj->lock);

        /* not a connection drvQmpOpen() gave up on */
        if (req->obj->rt && req->obj->rt->mon == mon)
            req->obj->rt->monReady = true;
    }
    drvQmpReqComplete(req, error);
}

static gboolean
drvQmpAttachCb(gpointer opaque)
{
    drvQmpReq *req = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(qapiMonitor) mon = NULL;
    gint64 leftMs = (req->until - g_get_monotonic_time()) / 1000;
    int fd = vgmStealFD(&req->fd);

    if (!(mon = qapiMonitorNew(fd, req->drv->ctx, &err))) {
        drvQmpReqComplete(req, err);
        return G_SOURCE_REMOVE;
    }
    qapiMonitorSetMaxMessage(mon, DRV_QMP_MAX_MESSAGE);
    drvQmpEventHandlersSet(mon, req->obj);
    g_mutex_lock(&req->obj->lock);
    if (req->done) {
        /* the caller gave up before this ran; @mon closes with its ref */
        g_mutex_unlock(&req->obj->lock);
        qapiMonitorClose(mon);
        return G_SOURCE_REMOVE;
    }
    if (req->obj->rt)
        req->obj->rt->mon = qapiMonitorRef(mon);
    g_mutex_unlock(&req->obj->lock);
    g_atomic_int_inc(&req->refs);
    if (qapiMonitorHandshake(mon, MAX(leftMs, 1), drvQmpHandshakeCb, req,
                             &err) < 0) {
        drvQmpReqComplete(req, err);
        drvQmpReqUnref(req);
    }
    return G_SOURCE_REMOVE;
}

typedef struct {
    qapiMonitor *mon;
    drvDomainObj *obj;     /* the handlers' opaque lives until the close */
} drvQmpClose;

static gboolean
drvQmpCloseCb(gpointer opaque)
{
    drvQmpClose *c = opaque;

    qapiMonitorClose(c->mon);
    qapiMonitorUnref(c->mon);
    drvDomainObjUnref(c->obj);
    g_free(c);
    return G_SOURCE_REMOVE;
}

/*
 * Locked: drop the domain's monitor.  It is closed later, on the driver
 * thread, so its pending callbacks never run under the lock; its events
 * are ignored from now on (rt->mon no longer names it).
 */
static void
drvQmpCloseMonitor(drvDriver *drv, drvDomainObj *obj)
{
    drvDomainRuntime *rt = obj->rt;
    drvQmpClose *c;
    GSource *src;

    if (!rt->mon)
        return;
    c = g_new0(drvQmpClose, 1);
    c->mon = g_steal_pointer(&rt->mon);
    c->obj = drvDomainObjRef(obj);
    src = g_idle_source_new();
    g_source_set_callback(src, drvQmpCloseCb, c, NULL);
    g_source_attach(src, drv->ctx);
    g_source_unref(src);
    rt->monReady = false;
}

/**
 * drvQmpDetach:
 * @drv: the driver
 * @obj: a locked domain with a runtime
 *
 * Drops the monitor and the exit watch.  The monitor is closed later, on
 * the driver thread, so its pending callbacks never run under the lock.
 */
void
drvQmpDetach(drvDriver *drv, drvDomainObj *obj)
{
    drvDomainRuntime *rt = obj->rt;

    if (rt->exitWatch) {
        g_source_destroy(rt->exitWatch);
        g_clear_pointer(&rt->exitWatch, g_source_unref);
    }
    drvQmpCloseMonitor(drv, obj);
}

/* True when the process behind @pidfd has exited, waiting up to @ms. */
static bool
drvQmpPidfdExited(int pidfd, int ms)
{
    struct pollfd p = { .fd = pidfd, .events = POLLIN };

    return pidfd >= 0 && poll(&p, 1, ms) > 0;
}

/* @err (taken) as the error of drvQmpOpen() after @attempts tries. */
static void
drvQmpOpenError(drvDomainObj *obj, GError *err, unsigned int attempts,
                gint64 begin, GError **error)
{
    long long ms = (g_get_monotonic_time() - begin) / 1000;

    if (attempts == 1 || err->code != VIR_ERR_OPERATION_TIMEOUT) {
        g_propagate_error(error, err);
        return;
    }
    g_set_error(error, err->domain, err->code,
                _("QEMU of domain '%1$s' did not complete the QMP handshake on %2$u connections in %3$lld ms: %4$s"),
                obj->def->name, attempts, ms, err->message);
    g_error_free(err);
}

/* ---- open: connect + handshake, again when QEMU stays mute ---- */

/*
 * Connect to QEMU's QMP socket.  With @wait, retry while QEMU has not
 * created it yet, until @deadline (monotonic µs) or until QEMU exits.
 */
static int
drvQmpConnect(drvDomainObj *obj, gint64 deadline, bool wait, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *name = NULL;
    int pidfd;
    int err;

    g_mutex_lock(&obj->lock);
    g_strlcpy(addr.sun_path, obj->rt->monitorPath, sizeof(addr.sun_path));
    name = g_strdup(obj->def->name);
    pidfd = obj->rt->pidfd;
    g_mutex_unlock(&obj->lock);
    for (;;) {
        VGM_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd >= 0 &&
            connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return vgmStealFD(&fd);
        err = errno;
        if (fd < 0 || !wait || (err != ENOENT && err != ECONNREFUSED)) {
            g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot connect to the QEMU monitor '%1$s': %2$s"),
                        addr.sun_path, g_strerror(err));
            return -1;
        }
        if (drvQmpPidfdExited(pidfd, 10)) {
            g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("QEMU of domain '%1$s' exited while connecting to its monitor"),
                        name);
            return -1;
        }
        if (g_get_monotonic_time() > deadline) {
            g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("timed out connecting to the QEMU monitor '%1$s'"),
                        addr.sun_path);
            return -1;
        }
    }
}

/*
 * Unlocked: make @fd (always taken) the domain's monitor and negotiate
 * capabilities, giving up at @until (monotonic µs).
 */
static int
drvQmpAttach(drvDriver *drv, drvDomainObj *obj, int fd, gint64 until,
             GError **error)
{
    g_autoptr(drvQmpReq) req = drvQmpReqNew(drv, obj, DRV_QMP_REQ_ATTACH,
                                            NULL);

    req->fd = fd;
    req->until = until;
    return drvQmpRunUntil(req, drvQmpAttachCb, until, error);
}

/* Less time than this left before the deadline is not worth a new try. */
#define DRV_QMP_RETRY_MIN_US (100 * 1000)

/*
 * Unlocked: whether a failed handshake is worth another connection: it
 * timed out, QEMU still runs and @deadline is not (nearly) reached.
 */
static bool
drvQmpShouldRetry(drvDomainObj *obj, const GError *err, gint64 deadline)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (err->code != VIR_ERR_OPERATION_TIMEOUT)
        return false;
    if (!obj->rt || obj->rt->exited || drvQmpPidfdExited(obj->rt->pidfd, 0))
        return false;
    return g_get_monotonic_time() + DRV_QMP_RETRY_MIN_US < deadline;
}

/**
 * drvQmpOpen:
 * @drv: the driver
 * @obj: a domain with a runtime, unlocked, held by a job
 * @deadline: when to give up (monotonic µs)
 * @wait: wait for QEMU to create its socket (a fresh start)
 * @error: return location for a GError
 *
 * Connects to the domain's QMP socket and negotiates capabilities, each
 * try bounded by timeouts.handshake.  QEMU 7.2 with a listening QMP
 * chardev sometimes greets a client that connected early and then never
 * answers qmp_capabilities (a thread race in QEMU, about 1 in 1,000
 * starts under load); a new connection gets a fresh greeting and works.
 * So while QEMU runs and @deadline allows, a mute connection is dropped
 * and another made.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvQmpOpen(drvDriver *drv, drvDomainObj *obj, gint64 deadline, bool wait,
           GError **error)
{
    gint64 begin = g_get_monotonic_time();
    unsigned int attempt;

    for (attempt = 1;; attempt++) {
        g_autoptr(GError) err = NULL;
        gint64 until = g_get_monotonic_time() + drv->timeouts.handshake * 1000;
        int fd;

        if ((fd = drvQmpConnect(obj, deadline, wait, error)) < 0)
            return -1;
        if (drvQmpAttach(drv, obj, fd, MIN(until, deadline), &err) == 0)
            return 0;
        if (!drvQmpShouldRetry(obj, err, deadline)) {
            drvQmpOpenError(obj, g_steal_pointer(&err), attempt, begin,
                            error);
            return -1;
        }
        g_info("domain '%s': QMP handshake on connection %u failed (%s); connecting again",
               obj->def->name, attempt, err->message);
        g_mutex_lock(&obj->lock);
        drvQmpCloseMonitor(drv, obj);
        g_mutex_unlock(&obj->lock);
    }
}

/* ---- the exit watch ---- */

typedef struct {
    drvDriver *drv;
    drvDomainObj *obj;
} drvQmpWatch;

static void
drvQmpWatchFree(gpointer opaque)
{
    drvQmpWatch *w = opaque;

    drvDomainObjUnref(w->obj);
    g_free(w);
}

static gboolean
drvQmpExitCb(gint fd, GIOCondition cond, gpointer opaque)
{
    drvQmpWatch *w = opaque;

    drvProcessHandleExit(w->drv, w->obj);
    return G_SOURCE_REMOVE;
}

/**
 * drvQmpWatchExit:
 * @drv: the driver
 * @obj: a locked domain whose runtime has a pidfd
 * @error: unused; kept for symmetry
 *
 * Calls drvProcessHandleExit() on the driver thread once QEMU exits
 * (before anyone reaps it).
 *
 * Returns: 0.
 */
int
drvQmpWatchExit(drvDriver *drv, drvDomainObj *obj, GError **error)
{
    drvQmpWatch *w = g_new0(drvQmpWatch, 1);
    GSource *src = g_unix_fd_source_new(obj->rt->pidfd, G_IO_IN);

    w->drv = drv;
    w->obj = drvDomainObjRef(obj);
    g_source_set_callback(src, G_SOURCE_FUNC(drvQmpExitCb), w,
                          drvQmpWatchFree);
    g_source_attach(src, drv->ctx);
    obj->rt->exitWatch = src;
    return 0;
}
