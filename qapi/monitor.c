/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib-unix.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qapi/monitor.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

#define QAPI_MONITOR_READ_CHUNK (64 * 1024)
/* Read at most this much per wake-up, so one chatty QEMU cannot starve
 * the other sources of the context. */
#define QAPI_MONITOR_READ_BUDGET (4 * 1024 * 1024)
/* How much of an offending message an error quotes. */
#define QAPI_MONITOR_EXCERPT 200

typedef struct {
    char *id;
    char *execute;
    bool raw;
    qapiJSON *userId;       /* raw: the caller's own "id", put back */
    qapiMonitorReplyFunc func;
    gpointer opaque;
    GSource *timeout;
    qapiMonitor *mon;       /* borrowed, for the timeout callback */
} qapiMonitorPending;

struct qapiMonitor {
    int refs;
    int fd;
    GMainContext *ctx;
    GSource *readSource;
    GSource *writeSource;

    GByteArray *inbuf;
    size_t scanned;         /* inbuf bytes known to hold no frame end */
    GString *outbuf;
    size_t outpos;
    size_t maxMessage;

    guint64 nextId;
    GQueue pending;         /* qapiMonitorPending *, in send order */
    GHashTable *abandoned;  /* ids of commands that timed out */
    char *lastErrorClass;

    bool greeted;
    int version[3];
    char *package;
    GStrv caps;

    qapiMonitorReplyFunc hsFunc;
    gpointer hsOpaque;
    GSource *hsTimeout;
    int hsTimeoutMs;

    bool failed;
    bool closed;
    qapiMonitorEOFFunc eofFunc;
    gpointer eofOpaque;

    const qapiMonitorEventHandler *events;
    size_t nevents;
    qapiMonitorEventFunc catchAll;
    gpointer eventOpaque;
};

static gboolean qapiMonitorOnReadable(int fd, GIOCondition cond,
                                      gpointer opaque);
static gboolean qapiMonitorOnWritable(int fd, GIOCondition cond,
                                      gpointer opaque);

static void
qapiMonitorPendingFree(qapiMonitorPending *p)
{
    if (p->timeout) {
        g_source_destroy(p->timeout);
        g_source_unref(p->timeout);
    }
    g_free(p->id);
    g_free(p->execute);
    qapiJSONFree(p->userId);
    g_free(p);
}

static void
qapiMonitorDropSource(GSource **src)
{
    if (!*src)
        return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

static GSource *
qapiMonitorAddFDSource(qapiMonitor *mon, GIOCondition cond,
                       GUnixFDSourceFunc func)
{
    GSource *src = g_unix_fd_source_new(mon->fd, cond);

    g_source_set_callback(src, G_SOURCE_FUNC(func), mon, NULL);
    g_source_attach(src, mon->ctx);
    return src;
}

/**
 * qapiMonitorNew:
 * @fd: a connected stream socket to QEMU's QMP monitor; always taken
 * @ctx: the context the monitor runs on (NULL: the global default)
 * @error: return location for a GError
 *
 * Starts reading at once; the greeting is kept until
 * qapiMonitorHandshake() is called.
 *
 * Returns: (transfer full): the monitor, or NULL with @error set.
 */
qapiMonitor *
qapiMonitorNew(int fd, GMainContext *ctx, GError **error)
{
    VGM_AUTOCLOSE int owned = fd;
    qapiMonitor *mon;
    GError *err = NULL;

    if (!g_unix_set_fd_nonblocking(owned, TRUE, &err)) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot make the QEMU monitor socket non-blocking: %1$s"),
                    err->message);
        g_error_free(err);
        return NULL;
    }
    mon = g_new0(qapiMonitor, 1);
    mon->refs = 1;
    mon->fd = vgmStealFD(&owned);
    mon->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    mon->inbuf = g_byte_array_new();
    mon->outbuf = g_string_new(NULL);
    mon->maxMessage = QAPI_MONITOR_DEFAULT_MAX_MESSAGE;
    mon->abandoned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           NULL);
    g_queue_init(&mon->pending);
    mon->readSource = qapiMonitorAddFDSource(mon, G_IO_IN | G_IO_HUP |
                                             G_IO_ERR, qapiMonitorOnReadable);
    return mon;
}

static int
qapiMonitorConnectOnce(int fd, const struct sockaddr_un *addr)
{
    int rc;

    do {
        rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    } while (rc < 0 && errno == EINTR);
    return rc;
}

/**
 * qapiMonitorConnect:
 * @path: QEMU's QMP UNIX socket
 * @ctx: the context the monitor runs on (NULL: the global default)
 * @timeoutMs: keep retrying this long while the socket does not exist or
 *             refuses connections (QEMU still starting); <= 0: try once.
 *             The retries sleep in the calling thread.
 * @error: return location for a GError
 *
 * Returns: (transfer full): the monitor, or NULL with @error set.
 */
qapiMonitor *
qapiMonitorConnect(const char *path, GMainContext *ctx, int timeoutMs,
                   GError **error)
{
    VGM_AUTOCLOSE int fd = -1;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("QEMU monitor socket path '%1$s' is too long"), path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    while (fd >= 0 && qapiMonitorConnectOnce(fd, &addr) < 0) {
        if ((errno != ENOENT && errno != ECONNREFUSED) ||
            g_get_monotonic_time() >= deadline) {
            g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("cannot connect to QEMU monitor socket '%1$s': %2$s"),
                        path, g_strerror(errno));
            return NULL;
        }
        g_usleep(10 * 1000);
    }
    if (fd < 0) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot create a socket for the QEMU monitor: %1$s"),
                    g_strerror(errno));
        return NULL;
    }
    return qapiMonitorNew(vgmStealFD(&fd), ctx, error);
}

qapiMonitor *
qapiMonitorRef(qapiMonitor *mon)
{
    mon->refs++;
    return mon;
}

static void
qapiMonitorFree(qapiMonitor *mon)
{
    g_byte_array_unref(mon->inbuf);
    g_string_free(mon->outbuf, TRUE);
    g_hash_table_unref(mon->abandoned);
    g_free(mon->lastErrorClass);
    g_free(mon->package);
    g_strfreev(mon->caps);
    g_main_context_unref(mon->ctx);
    g_free(mon);
}

/**
 * qapiMonitorUnref:
 * @mon: a monitor or NULL
 *
 * Drops a reference; the last one closes the monitor (see
 * qapiMonitorClose()) and frees it.
 */
void
qapiMonitorUnref(qapiMonitor *mon)
{
    if (!mon || --mon->refs > 0)
        return;
    mon->refs = 1;  /* callbacks run by the close may ref and unref */
    qapiMonitorClose(mon);
    if (--mon->refs > 0)
        return;
    qapiMonitorFree(mon);
}

/*
 * The monitor is unusable: stop I/O, complete every pending command and
 * the handshake with @error, then run the EOF callback once.  Takes
 * @error.
 */
static void
qapiMonitorFail(qapiMonitor *mon, GError *error)
{
    qapiMonitorPending *p;
    qapiMonitorEOFFunc eofFunc = mon->eofFunc;
    qapiMonitorReplyFunc hsFunc = mon->hsFunc;

    if (mon->failed) {
        g_error_free(error);
        return;
    }
    g_debug("monitor %p failed: %s", (void *)mon, error->message);
    mon->failed = true;
    mon->eofFunc = NULL;
    mon->hsFunc = NULL;
    qapiMonitorRef(mon);
    qapiMonitorDropSource(&mon->readSource);
    qapiMonitorDropSource(&mon->writeSource);
    qapiMonitorDropSource(&mon->hsTimeout);
    vgmCloseFDPtr(&mon->fd);
    while ((p = g_queue_pop_head(&mon->pending))) {
        p->func(mon, NULL, error, p->opaque);
        qapiMonitorPendingFree(p);
    }
    if (hsFunc)
        hsFunc(mon, NULL, error, mon->hsOpaque);
    if (eofFunc)
        eofFunc(mon, error, mon->eofOpaque);
    g_error_free(error);
    qapiMonitorUnref(mon);
}

static void
qapiMonitorFailf(qapiMonitor *mon, int code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* qapiMonitorFail() with a new QAPI_ERROR. */
static void
qapiMonitorFailf(qapiMonitor *mon, int code, const char *fmt, ...)
{
    va_list ap;
    GError *error;

    va_start(ap, fmt);
    error = g_error_new_valist(QAPI_ERROR, code, fmt, ap);
    va_end(ap);
    qapiMonitorFail(mon, error);
}

/**
 * qapiMonitorClose:
 * @mon: a monitor
 *
 * Closes the connection.  Pending commands complete with an error; the
 * EOF callback does not run.  Idempotent.
 */
void
qapiMonitorClose(qapiMonitor *mon)
{
    if (mon->closed)
        return;
    mon->closed = true;
    mon->eofFunc = NULL;
    qapiMonitorFailf(mon, VIR_ERR_OPERATION_FAILED,
                     _("the QEMU monitor connection was closed"));
}

/**
 * qapiMonitorSetMaxMessage:
 * @mon: a monitor
 * @bytes: the largest message accepted (default 64 MiB)
 *
 * A message that grows beyond @bytes fails the monitor.
 */
void
qapiMonitorSetMaxMessage(qapiMonitor *mon, size_t bytes)
{
    mon->maxMessage = bytes;
}

/**
 * qapiMonitorSetEOFHandler:
 * @mon: a monitor
 * @func: called once when the monitor fails or reaches EOF (not on
 *       qapiMonitorClose()), or NULL
 * @opaque: passed to @func
 */
void
qapiMonitorSetEOFHandler(qapiMonitor *mon, qapiMonitorEOFFunc func,
                         gpointer opaque)
{
    mon->eofFunc = func;
    mon->eofOpaque = opaque;
}

/**
 * qapiMonitorSetEventHandlers:
 * @mon: a monitor
 * @table: (transfer none): handlers sorted by name (strcmp); must outlive
 *         @mon (normally a static const table)
 * @ntable: number of entries
 * @catchAll: handler of the events the table does not name, or NULL
 * @opaque: passed to every handler
 *
 * Returns: 0, or -1 when @table is not sorted or has duplicates (a
 * programming error; nothing is changed).
 */
int
qapiMonitorSetEventHandlers(qapiMonitor *mon,
                            const qapiMonitorEventHandler *table,
                            size_t ntable, qapiMonitorEventFunc catchAll,
                            gpointer opaque)
{
    size_t i;

    for (i = 1; i < ntable; i++) {
        if (strcmp(table[i - 1].name, table[i].name) >= 0) {
            g_debug("QMP event table not sorted at '%s'", table[i].name);
            return -1;
        }
    }
    mon->events = table;
    mon->nevents = ntable;
    mon->catchAll = catchAll;
    mon->eventOpaque = opaque;
    return 0;
}

/**
 * qapiMonitorGetVersion:
 * @mon: a monitor
 * @major: (out): from the greeting
 * @minor: (out): from the greeting
 * @micro: (out): from the greeting
 *
 * Returns: false when the greeting has not come yet.
 */
bool
qapiMonitorGetVersion(qapiMonitor *mon, int *major, int *minor, int *micro)
{
    if (!mon->greeted)
        return false;
    *major = mon->version[0];
    *minor = mon->version[1];
    *micro = mon->version[2];
    return true;
}

/**
 * qapiMonitorGetPackage:
 * @mon: a monitor
 *
 * Returns: (transfer none): the greeting's package string, or NULL.
 */
const char *
qapiMonitorGetPackage(qapiMonitor *mon)
{
    return mon->package;
}

/**
 * qapiMonitorHasCapability:
 * @mon: a monitor
 * @cap: a QMP capability ("oob")
 *
 * Returns: true when the greeting offered @cap.
 */
bool
qapiMonitorHasCapability(qapiMonitor *mon, const char *cap)
{
    return mon->caps && g_strv_contains((const char *const *)mon->caps, cap);
}

/**
 * qapiMonitorGetLastErrorClass:
 * @mon: a monitor
 *
 * Returns: the "class" of the last error reply ("GenericError",
 * "CommandNotFound", …), or NULL.
 */
const char *
qapiMonitorGetLastErrorClass(qapiMonitor *mon)
{
    return mon->lastErrorClass;
}


/* ---- output ---- */

static int
qapiMonitorFlush(qapiMonitor *mon)
{
    while (mon->outpos < mon->outbuf->len) {
        ssize_t n = send(mon->fd, mon->outbuf->str + mon->outpos,
                         mon->outbuf->len - mon->outpos, MSG_NOSIGNAL);

        if (n < 0 && errno == ENOTSOCK)
            n = write(mon->fd, mon->outbuf->str + mon->outpos,
                      mon->outbuf->len - mon->outpos);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            qapiMonitorFailf(mon, VIR_ERR_OPERATION_FAILED,
                             _("cannot write to the QEMU monitor: %1$s"),
                             g_strerror(errno));
            return -1;
        }
        mon->outpos += n;
    }
    g_string_truncate(mon->outbuf, 0);
    mon->outpos = 0;
    return 0;
}

static gboolean
qapiMonitorOnWritable(int fd, GIOCondition cond, gpointer opaque)
{
    qapiMonitor *mon = opaque;

    if (qapiMonitorFlush(mon) < 0)
        return G_SOURCE_REMOVE;  /* the source is gone already */
    if (mon->outbuf->len > 0)
        return G_SOURCE_CONTINUE;
    g_source_unref(mon->writeSource);
    mon->writeSource = NULL;
    return G_SOURCE_REMOVE;
}

static void
qapiMonitorQueueText(qapiMonitor *mon, const char *text)
{
    g_string_append(mon->outbuf, text);
    g_string_append(mon->outbuf, "\r\n");
    if (!mon->writeSource)
        mon->writeSource = qapiMonitorAddFDSource(mon, G_IO_OUT,
                                                  qapiMonitorOnWritable);
}


/* ---- commands ---- */

static gboolean
qapiMonitorPendingTimedOut(gpointer opaque)
{
    qapiMonitorPending *p = opaque;
    qapiMonitor *mon = p->mon;
    g_autoptr(GError) error = NULL;

    error = g_error_new(QAPI_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("timed out waiting for QEMU to reply to '%1$s' (id '%2$s')"),
                        p->execute, p->id);
    g_queue_remove(&mon->pending, p);
    g_hash_table_add(mon->abandoned, g_strdup(p->id));
    g_source_unref(p->timeout);
    p->timeout = NULL;
    qapiMonitorRef(mon);
    p->func(mon, NULL, error, p->opaque);
    qapiMonitorPendingFree(p);
    qapiMonitorUnref(mon);
    return G_SOURCE_REMOVE;
}

static int
qapiMonitorCheckUsable(qapiMonitor *mon, GError **error)
{
    if (mon->closed || mon->failed) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("the QEMU monitor is not connected"));
        return -1;
    }
    return 0;
}

/* Takes @cmd (which has no "id" yet) and queues it. */
static qapiMonitorPending *
qapiMonitorQueueCommand(qapiMonitor *mon, qapiJSON *cmd, const char *execute,
                        int timeoutMs)
{
    qapiMonitorPending *p = g_new0(qapiMonitorPending, 1);
    g_autofree char *text = NULL;

    p->mon = mon;
    p->id = g_strdup_printf("vgm-%" G_GUINT64_FORMAT, ++mon->nextId);
    p->execute = g_strdup(execute);
    qapiJSONObjectSet(cmd, "id", qapiJSONNewString(p->id));
    text = qapiJSONFormat(cmd, false);
    qapiJSONFree(cmd);
    g_debug("monitor %p send: %s", (void *)mon, text);
    qapiMonitorQueueText(mon, text);
    if (timeoutMs > 0) {
        p->timeout = g_timeout_source_new(timeoutMs);
        g_source_set_callback(p->timeout, qapiMonitorPendingTimedOut, p,
                              NULL);
        g_source_attach(p->timeout, mon->ctx);
    }
    g_queue_push_tail(&mon->pending, p);
    return p;
}

static const char *
qapiMonitorCommandName(const qapiJSON *cmd, GError **error)
{
    const char *execute = qapiJSONObjectGetString(cmd, "execute");

    if (!execute)
        execute = qapiJSONObjectGetString(cmd, "exec-oob");
    if (!execute) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INVALID_ARG,
                    _("a QMP command must be an object with 'execute'"));
    }
    return execute;
}

/**
 * qapiMonitorMakeCommand:
 * @execute: the command name
 * @args: (nullable): its arguments, taken (the pointer is cleared)
 *
 * Returns: (transfer full): {"execute": @execute, "arguments": @args}.
 */
qapiJSON *
qapiMonitorMakeCommand(const char *execute, qapiJSON **args)
{
    qapiJSON *cmd = qapiJSONNewObject();

    qapiJSONObjectSet(cmd, "execute", qapiJSONNewString(execute));
    if (args && *args)
        qapiJSONObjectSet(cmd, "arguments", g_steal_pointer(args));
    return cmd;
}

/**
 * qapiMonitorSend:
 * @mon: a monitor
 * @cmd: the command ({"execute": …, "arguments": …}, no "id"); taken
 *       (the pointer is cleared) also on failure
 * @timeoutMs: how long to wait for the reply; <= 0 waits forever
 * @func: called exactly once with the "return" value or an error; never
 *        from inside this call
 * @opaque: passed to @func
 * @error: return location for a GError
 *
 * Returns: 0 when queued, or -1 with @error set (@func is not called).
 */
int
qapiMonitorSend(qapiMonitor *mon, qapiJSON **cmd, int timeoutMs,
                qapiMonitorReplyFunc func, gpointer opaque, GError **error)
{
    g_autoptr(qapiJSON) c = g_steal_pointer(cmd);
    g_autofree char *execute = NULL;
    qapiMonitorPending *p;

    if (qapiMonitorCheckUsable(mon, error) < 0)
        return -1;
    if (!qapiMonitorCommandName(c, error))
        return -1;
    if (qapiJSONObjectHas(c, "id")) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_INVALID_ARG,
                    _("QMP command '%1$s' already has an id"),
                    qapiMonitorCommandName(c, NULL));
        return -1;
    }
    execute = g_strdup(qapiMonitorCommandName(c, NULL));
    p = qapiMonitorQueueCommand(mon, g_steal_pointer(&c), execute, timeoutMs);
    p->func = func;
    p->opaque = opaque;
    return 0;
}

/**
 * qapiMonitorSendRaw:
 * @mon: a monitor
 * @cmdText: a QMP command as JSON text, as a user typed it
 * @timeoutMs: how long to wait for the reply; <= 0 waits forever
 * @func: called exactly once; on a reply @reply is the whole reply
 *        object (also QEMU's {"error": …}) with the caller's own "id", if
 *        the command had one, put back
 * @opaque: passed to @func
 * @error: return location for a GError
 *
 * The command is sent with an id of the monitor's, so its reply is
 * matched like any other.
 *
 * Returns: 0 when queued, or -1 with @error set.
 */
int
qapiMonitorSendRaw(qapiMonitor *mon, const char *cmdText, int timeoutMs,
                   qapiMonitorReplyFunc func, gpointer opaque,
                   GError **error)
{
    g_autoptr(qapiJSON) c = NULL;
    g_autofree char *execute = NULL;
    qapiMonitorPending *p;
    qapiJSON *userId;

    if (qapiMonitorCheckUsable(mon, error) < 0)
        return -1;
    if (!(c = qapiJSONParse(cmdText, error)))
        return -1;
    if (!qapiMonitorCommandName(c, error))
        return -1;
    execute = g_strdup(qapiMonitorCommandName(c, NULL));
    userId = qapiJSONObjectSteal(c, "id");
    p = qapiMonitorQueueCommand(mon, g_steal_pointer(&c), execute, timeoutMs);
    p->raw = true;
    p->userId = userId;
    p->func = func;
    p->opaque = opaque;
    return 0;
}


/* ---- input ---- */

static GError *
qapiMonitorReplyError(const qapiMonitorPending *p, const qapiJSON *err,
                      char **errClass)
{
    const char *cls = qapiJSONObjectGetString(err, "class");
    const char *desc = qapiJSONObjectGetString(err, "desc");
    int code = VIR_ERR_OPERATION_FAILED;

    if (g_strcmp0(cls, "CommandNotFound") == 0)
        code = VIR_ERR_OPERATION_UNSUPPORTED;
    g_free(*errClass);
    *errClass = g_strdup(cls ? cls : "GenericError");
    return g_error_new(QAPI_ERROR, code, _("QEMU command '%1$s' failed: %2$s"),
                       p->execute, desc ? desc : _("unknown error"));
}

static void
qapiMonitorComplete(qapiMonitor *mon, qapiMonitorPending *p, qapiJSON *msg)
{
    qapiJSON *err = qapiJSONObjectGetObject(msg, "error");
    g_autoptr(GError) error = NULL;

    g_queue_remove(&mon->pending, p);
    if (p->raw) {
        qapiJSONFree(qapiJSONObjectSteal(msg, "id"));
        if (p->userId)
            qapiJSONObjectSet(msg, "id", g_steal_pointer(&p->userId));
        p->func(mon, msg, NULL, p->opaque);
    } else if (err || !qapiJSONObjectHas(msg, "return")) {
        error = qapiMonitorReplyError(p, err, &mon->lastErrorClass);
        p->func(mon, NULL, error, p->opaque);
        qapiJSONFree(msg);
    } else {
        p->func(mon, qapiJSONObjectSteal(msg, "return"), NULL, p->opaque);
        qapiJSONFree(msg);
    }
    qapiMonitorPendingFree(p);
}

static qapiMonitorPending *
qapiMonitorFindPending(qapiMonitor *mon, const char *id)
{
    GList *l;

    /* A reply without id answers a command QEMU could not parse. */
    if (!id)
        return mon->pending.length == 1 ? mon->pending.head->data : NULL;
    for (l = mon->pending.head; l; l = l->next) {
        qapiMonitorPending *p = l->data;

        if (strcmp(p->id, id) == 0)
            return p;
    }
    return NULL;
}

static void
qapiMonitorHandleReply(qapiMonitor *mon, qapiJSON *msg)
{
    const char *id = qapiJSONObjectGetString(msg, "id");
    qapiMonitorPending *p = qapiMonitorFindPending(mon, id);

    if (p) {
        qapiMonitorComplete(mon, p, msg);
        return;
    }
    if (id && g_hash_table_remove(mon->abandoned, id)) {
        g_debug("monitor %p: late reply to timed-out '%s'", (void *)mon, id);
        qapiJSONFree(msg);
        return;
    }
    qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                     _("QEMU monitor sent a reply to unknown command id '%1$s'"),
                     id ? id : "");
    qapiJSONFree(msg);
}

static int
qapiMonitorEventCompare(const void *key, const void *elem)
{
    const qapiMonitorEventHandler *h = elem;

    return strcmp(key, h->name);
}

static void
qapiMonitorHandleEvent(qapiMonitor *mon, const qapiJSON *msg)
{
    const char *name = qapiJSONObjectGetString(msg, "event");
    const qapiMonitorEventHandler *h = NULL;
    qapiMonitorEventFunc func = mon->catchAll;
    gint64 secs = -1;
    gint64 usecs = -1;

    if (!name) {
        g_debug("monitor %p: event without a name", (void *)mon);
        return;
    }
    qapiJSONPathGetInt64(msg, "timestamp/seconds", &secs);
    qapiJSONPathGetInt64(msg, "timestamp/microseconds", &usecs);
    if (mon->nevents > 0)
        h = bsearch(name, mon->events, mon->nevents, sizeof(*mon->events),
                    qapiMonitorEventCompare);
    if (h)
        func = h->handler;
    if (func)
        func(mon, name, secs, usecs, qapiJSONObjectGet(msg, "data"),
             mon->eventOpaque);
    else
        g_debug("monitor %p: unhandled event %s", (void *)mon, name);
}

static void qapiMonitorStartNegotiation(qapiMonitor *mon);

static void
qapiMonitorHandleGreeting(qapiMonitor *mon, const qapiJSON *msg)
{
    const qapiJSON *qmp = qapiJSONObjectGetObject(msg, "QMP");
    const qapiJSON *caps = qapiJSONObjectGetArray(qmp, "capabilities");
    static const char *const parts[] = { "major", "minor", "micro" };
    g_autoptr(GStrvBuilder) cb = g_strv_builder_new();
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(parts); i++) {
        g_autofree char *path = g_strdup_printf("version/qemu/%s", parts[i]);
        gint64 n = 0;

        qapiJSONPathGetInt64(qmp, path, &n);
        mon->version[i] = n;
    }
    mon->package = g_strdup(qapiJSONPathGetString(qmp, "version/package"));
    for (i = 0; i < qapiJSONArraySize(caps); i++) {
        const char *cap = qapiJSONGetStringValue(qapiJSONArrayGet(caps, i));

        if (cap)
            g_strv_builder_add(cb, cap);
    }
    mon->caps = g_strv_builder_end(cb);
    mon->greeted = true;
    if (mon->hsFunc)
        qapiMonitorStartNegotiation(mon);
}

/*
 * At most QAPI_MONITOR_EXCERPT bytes of a frame for an error message:
 * printable ASCII as it is, every other byte (and the backslash) as
 * \xNN, "..." when cut.
 */
static char *
qapiMonitorExcerpt(const char *data, size_t len)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < len && i < QAPI_MONITOR_EXCERPT; i++) {
        guchar c = data[i];

        if (c >= 0x20 && c < 0x7f && c != '\\')
            g_string_append_c(out, c);
        else
            g_string_append_printf(out, "\\x%02x", c);
    }
    if (len > QAPI_MONITOR_EXCERPT)
        g_string_append(out, "...");
    return g_string_free(out, FALSE);
}

/*
 * A greeting after the first one.  QEMU sends one whenever its chardev
 * reports the connection open, and QEMU 7.2 can report it twice for one
 * client: the main thread accepts the connection (open event, greeting)
 * while the monitor I/O thread installs its handlers and replays the
 * open event of a backend it finds open (a second greeting).  Both come
 * right after the connect, before QEMU reads qmp_capabilities, so the
 * repeat carries nothing new.  libvirt also skips every greeting.
 */
static void
qapiMonitorHandleRepeatedGreeting(qapiMonitor *mon)
{
    g_debug("monitor %p: ignoring a repeated QMP greeting", (void *)mon);
}

/* Takes @msg, parsed from @frame. */
static void
qapiMonitorDispatch(qapiMonitor *mon, qapiJSON *msg, const char *frame,
                    size_t len)
{
    g_autoptr(qapiJSON) owned = msg;
    g_autofree char *text = NULL;

    if (qapiJSONGetType(msg) != QAPI_JSON_TYPE_OBJECT) {
        text = qapiMonitorExcerpt(frame, len);
        qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                         _("QEMU monitor sent a message that is not a JSON object: '%1$s'"),
                         text);
    } else if (!mon->greeted) {
        if (!qapiJSONObjectGetObject(msg, "QMP")) {
            text = qapiMonitorExcerpt(frame, len);
            qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                             _("QEMU monitor did not start with a QMP greeting: '%1$s'"),
                             text);
            return;
        }
        qapiMonitorHandleGreeting(mon, msg);
    } else if (qapiJSONObjectGetObject(msg, "QMP")) {
        qapiMonitorHandleRepeatedGreeting(mon);
    } else if (qapiJSONObjectHas(msg, "event")) {
        qapiMonitorHandleEvent(mon, msg);
    } else if (qapiJSONObjectHas(msg, "return") ||
               qapiJSONObjectHas(msg, "error")) {
        qapiMonitorHandleReply(mon, g_steal_pointer(&owned));
    } else {
        text = qapiMonitorExcerpt(frame, len);
        qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                         _("QEMU monitor sent a message that is neither a reply nor an event: '%1$s'"),
                         text);
    }
}

static void
qapiMonitorHandleFrame(qapiMonitor *mon, const char *data, size_t len)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    qapiJSON *msg;
    size_t i;

    for (i = 0; i < len && g_ascii_isspace(data[i]); i++)
        ;
    if (i == len)
        return;
    msg = qapiJSONParseFull(data, len, QAPI_JSON_DEFAULT_MAX_DEPTH,
                            mon->maxMessage, &err);
    if (!msg) {
        text = qapiMonitorExcerpt(data, len);
        qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                         _("cannot parse a message from the QEMU monitor: %1$s: '%2$s'"),
                         err->message, text);
        return;
    }
    qapiMonitorDispatch(mon, msg, data, len);
}

/* Handles every complete frame in inbuf and drops it. */
static void
qapiMonitorProcessInput(qapiMonitor *mon)
{
    size_t start = 0;

    while (!mon->failed) {
        const char *data = (const char *)mon->inbuf->data;
        size_t from = MAX(start, mon->scanned);
        const char *end = memmem(data + from, mon->inbuf->len - from,
                                 "\r\n", 2);

        if (!end) {
            mon->scanned = mon->inbuf->len > start ? mon->inbuf->len - 1 : start;
            break;
        }
        mon->scanned = end - data + 2;
        qapiMonitorHandleFrame(mon, data + start, end - (data + start));
        start = mon->scanned;
    }
    if (mon->failed)
        return;
    g_byte_array_remove_range(mon->inbuf, 0, start);
    mon->scanned -= start;
    if (mon->inbuf->len > mon->maxMessage) {
        qapiMonitorFailf(mon, VIR_ERR_INTERNAL_ERROR,
                         _("a message from the QEMU monitor exceeds %1$zu bytes"),
                         mon->maxMessage);
    }
}

/* Returns the bytes read, 0 on EOF (monitor failed), -1 when nothing to
 * read now or after a failure. */
static ssize_t
qapiMonitorReadChunk(qapiMonitor *mon)
{
    guint oldLen = mon->inbuf->len;
    ssize_t n;

    g_byte_array_set_size(mon->inbuf, oldLen + QAPI_MONITOR_READ_CHUNK);
    do {
        n = read(mon->fd, mon->inbuf->data + oldLen, QAPI_MONITOR_READ_CHUNK);
    } while (n < 0 && errno == EINTR);
    g_byte_array_set_size(mon->inbuf, oldLen + MAX(n, 0));
    if (n == 0) {
        qapiMonitorFailf(mon, VIR_ERR_OPERATION_FAILED,
                         _("end of file from the QEMU monitor"));
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        qapiMonitorFailf(mon, VIR_ERR_OPERATION_FAILED,
                         _("cannot read from the QEMU monitor: %1$s"),
                         g_strerror(errno));
    }
    return n;
}

static gboolean
qapiMonitorOnReadable(int fd, GIOCondition cond, gpointer opaque)
{
    qapiMonitor *mon = qapiMonitorRef(opaque);
    size_t budget = 0;
    ssize_t n;

    while (budget < QAPI_MONITOR_READ_BUDGET &&
           (n = qapiMonitorReadChunk(mon)) > 0) {
        budget += n;
        qapiMonitorProcessInput(mon);
        if (mon->failed)
            break;
    }
    qapiMonitorUnref(mon);
    /* After a failure the source was destroyed already. */
    return G_SOURCE_CONTINUE;
}


/* ---- handshake ---- */

static void
qapiMonitorNegotiated(qapiMonitor *mon, qapiJSON *reply, const GError *error,
                      gpointer opaque)
{
    qapiMonitorReplyFunc func = mon->hsFunc;

    mon->hsFunc = NULL;
    if (func)
        func(mon, reply, error, mon->hsOpaque);
    else
        qapiJSONFree(reply);
}

static void
qapiMonitorStartNegotiation(qapiMonitor *mon)
{
    qapiJSON *cmd = qapiMonitorMakeCommand("qmp_capabilities", NULL);
    qapiMonitorPending *p;

    qapiMonitorDropSource(&mon->hsTimeout);
    p = qapiMonitorQueueCommand(mon, cmd, "qmp_capabilities",
                                mon->hsTimeoutMs);
    p->func = qapiMonitorNegotiated;
}

static gboolean
qapiMonitorHandshakeTimedOut(gpointer opaque)
{
    qapiMonitor *mon = opaque;
    qapiMonitorReplyFunc func = mon->hsFunc;
    g_autoptr(GError) error = NULL;

    g_source_unref(mon->hsTimeout);
    mon->hsTimeout = NULL;
    mon->hsFunc = NULL;
    error = g_error_new(QAPI_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("timed out waiting for the QEMU monitor greeting"));
    if (func) {
        qapiMonitorRef(mon);
        func(mon, NULL, error, mon->hsOpaque);
        qapiMonitorUnref(mon);
    }
    return G_SOURCE_REMOVE;
}

/**
 * qapiMonitorHandshake:
 * @mon: a monitor
 * @timeoutMs: the limit for the greeting and for the reply to
 *             qmp_capabilities each; <= 0 waits forever
 * @func: called once when negotiation completed (with the empty return
 *        value) or failed
 * @opaque: passed to @func
 * @error: return location for a GError
 *
 * Waits for QEMU's greeting (if it did not come yet) and sends
 * qmp_capabilities.  The greeting's version and capabilities are then
 * available through qapiMonitorGetVersion() and friends.
 *
 * Returns: 0 when started, or -1 with @error set.
 */
int
qapiMonitorHandshake(qapiMonitor *mon, int timeoutMs,
                     qapiMonitorReplyFunc func, gpointer opaque,
                     GError **error)
{
    if (qapiMonitorCheckUsable(mon, error) < 0)
        return -1;
    if (mon->hsFunc) {
        g_set_error(error, QAPI_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("a QEMU monitor handshake is already in progress"));
        return -1;
    }
    mon->hsFunc = func;
    mon->hsOpaque = opaque;
    mon->hsTimeoutMs = timeoutMs;
    if (mon->greeted) {
        qapiMonitorStartNegotiation(mon);
    } else if (timeoutMs > 0) {
        mon->hsTimeout = g_timeout_source_new(timeoutMs);
        g_source_set_callback(mon->hsTimeout, qapiMonitorHandshakeTimedOut,
                              mon, NULL);
        g_source_attach(mon->hsTimeout, mon->ctx);
    }
    return 0;
}


/* ---- synchronous use ---- */

typedef struct {
    bool done;
    qapiJSON *reply;
    GError *error;
} qapiMonitorSyncData;

static void
qapiMonitorSyncDone(qapiMonitor *mon, qapiJSON *reply, const GError *error,
                    gpointer opaque)
{
    qapiMonitorSyncData *d = opaque;

    d->done = true;
    d->reply = reply;
    if (error)
        d->error = g_error_copy(error);
}

static int
qapiMonitorSyncWait(qapiMonitor *mon, qapiMonitorSyncData *d,
                    qapiJSON **reply, GError **error)
{
    qapiMonitorRef(mon);
    while (!d->done)
        g_main_context_iteration(mon->ctx, TRUE);
    qapiMonitorUnref(mon);
    if (d->error) {
        g_propagate_error(error, d->error);
        return -1;
    }
    if (reply)
        *reply = d->reply;
    else
        qapiJSONFree(d->reply);
    return 0;
}

/**
 * qapiMonitorHandshakeSync:
 * @mon: a monitor
 * @timeoutMs: see qapiMonitorHandshake()
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
qapiMonitorHandshakeSync(qapiMonitor *mon, int timeoutMs, GError **error)
{
    qapiMonitorSyncData d = { 0 };

    if (qapiMonitorHandshake(mon, timeoutMs, qapiMonitorSyncDone, &d,
                             error) < 0)
        return -1;
    return qapiMonitorSyncWait(mon, &d, NULL, error);
}

/**
 * qapiMonitorCommandSync:
 * @mon: a monitor
 * @cmd: the command, taken (see qapiMonitorSend())
 * @timeoutMs: how long to wait for the reply; <= 0 waits forever
 * @reply: (out) (optional): the "return" value
 * @error: return location for a GError; an error reply gives QEMU's
 *         "desc" text (its class: qapiMonitorGetLastErrorClass())
 *
 * Sends @cmd and iterates the monitor's context until the reply.
 *
 * Returns: 0, or -1 with @error set.
 */
int
qapiMonitorCommandSync(qapiMonitor *mon, qapiJSON **cmd, int timeoutMs,
                       qapiJSON **reply, GError **error)
{
    qapiMonitorSyncData d = { 0 };

    if (qapiMonitorSend(mon, cmd, timeoutMs, qapiMonitorSyncDone, &d,
                        error) < 0)
        return -1;
    return qapiMonitorSyncWait(mon, &d, reply, error);
}

/**
 * qapiMonitorCommandRawSync:
 * @mon: a monitor
 * @cmdText: a QMP command as JSON text
 * @timeoutMs: how long to wait for the reply; <= 0 waits forever
 * @replyText: (out): QEMU's reply as compact JSON text (also an error
 *             reply), with the caller's "id" if the command had one
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
qapiMonitorCommandRawSync(qapiMonitor *mon, const char *cmdText,
                          int timeoutMs, char **replyText, GError **error)
{
    qapiMonitorSyncData d = { 0 };
    g_autoptr(qapiJSON) reply = NULL;

    if (qapiMonitorSendRaw(mon, cmdText, timeoutMs, qapiMonitorSyncDone, &d,
                           error) < 0)
        return -1;
    if (qapiMonitorSyncWait(mon, &d, &reply, error) < 0)
        return -1;
    *replyText = qapiJSONFormat(reply, false);
    return 0;
}
