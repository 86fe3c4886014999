/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/rpcclient.h"
#include "daemon/rpcerror.h"
#include "daemon/rpcframe.h"
#include "daemon/rpckeepalive.h"
#include "util/error.h"
#include "util/i18n.h"

/* Bytes read from the socket at a time. */
#define RPC_CLIENT_READ_CHUNK 65536

struct rpcClient {
    gint refs;
    rpcServer *srv;
    GMainContext *ctx;
    int fd;
    guint64 id;
    rpcConn *conn;

    /* I/O thread only. */
    rpcFrameReader reader;
    GSource *readSource;
    GSource *writeSource;
    rpcKeepAlive *ka;
    bool stopped;                /* no more input is processed */
    GByteArray *pending;         /* read while busy, not yet handled */

    /* Shared with the workers, under lock. */
    GMutex lock;
    GQueue outq;                 /* of GBytes, whole frames */
    gsize outOffset;             /* bytes of the head already written */
    bool flushScheduled;
    bool closed;
    bool closeWhenFlushed;       /* a last reply is queued (a fatal
                                  * error, CONNECT_CLOSE) */
    unsigned int inflight;       /* calls handed to workers */
};

static void rpcClientFlush(rpcClient *client);
static void rpcClientResumeRead(rpcClient *client);

rpcClient *
rpcClientRef(rpcClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

void
rpcClientUnref(rpcClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    rpcFrameReaderClear(&client->reader);
    g_byte_array_unref(client->pending);
    rpcKeepAliveFree(client->ka);
    rpcConnFree(client->conn);
    g_main_context_unref(client->ctx);
    g_mutex_clear(&client->lock);
    if (client->fd >= 0)
        close(client->fd);
    g_free(client);
}

rpcConn *
rpcClientGetConn(rpcClient *client)
{
    return client->conn;
}

guint64
rpcClientGetID(rpcClient *client)
{
    return client->id;
}

static gboolean
rpcClientFlushIdle(gpointer data)
{
    rpcClient *client = data;

    g_mutex_lock(&client->lock);
    client->flushScheduled = false;
    g_mutex_unlock(&client->lock);
    rpcClientFlush(client);
    return G_SOURCE_REMOVE;
}

/* Have the I/O thread write the queue out; called with the lock held. */
static void
rpcClientScheduleFlushLocked(rpcClient *client)
{
    GSource *idle;

    if (client->flushScheduled)
        return;
    client->flushScheduled = true;
    idle = g_idle_source_new();
    /* As urgent as reading, or a busy reader would starve the writer. */
    g_source_set_priority(idle, G_PRIORITY_DEFAULT);
    g_source_set_callback(idle, rpcClientFlushIdle, rpcClientRef(client),
                          (GDestroyNotify)rpcClientUnref);
    g_source_attach(idle, client->ctx);
    g_source_unref(idle);
}

/**
 * rpcClientSend:
 * @client: a client
 * @frame: (transfer full): a whole frame
 *
 * Queue @frame for the client's one writer.  Any thread; frames of a
 * closed client are dropped.
 */
void
rpcClientSend(rpcClient *client, GBytes *frame)
{
    RPC_LOCK_SCOPE(&client->lock);

    if (client->closed) {
        g_bytes_unref(frame);
        return;
    }
    g_queue_push_tail(&client->outq, frame);
    rpcClientScheduleFlushLocked(client);
}

/**
 * rpcClientCallDone:
 * @client: a client
 * @reply: (transfer full): the reply to a call rpcServerQueueCall() took
 *
 * Called by a worker when a call has finished.  Once CONNECT_CLOSE has
 * run, the last reply is the client's last frame: the I/O thread closes
 * the client right after writing it, as libvirtd does, so the client no
 * longer counts against max_clients by the time it reads that reply.
 */
void
rpcClientCallDone(rpcClient *client, GBytes *reply)
{
    bool connClosed = rpcConnIsClosed(client->conn);
    RPC_LOCK_SCOPE(&client->lock);

    client->inflight--;
    if (client->closed) {
        g_bytes_unref(reply);
        return;
    }
    /* Set with the reply queued under one lock: no flush in between
     * may close before the reply is out. */
    if (connClosed && client->inflight == 0)
        client->closeWhenFlushed = true;
    g_queue_push_tail(&client->outq, reply);
    rpcClientScheduleFlushLocked(client);
}

/* Write what the socket takes. Returns 0 (all out), 1 (would block) or
 * -1 (broken).  Lock held. */
static int
rpcClientWriteLocked(rpcClient *client)
{
    GBytes *head;

    while ((head = g_queue_peek_head(&client->outq))) {
        gsize len;
        const guint8 *data = g_bytes_get_data(head, &len);
        ssize_t n = send(client->fd, data + client->outOffset,
                         len - client->outOffset, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 1;
        if (n < 0) {
            g_info("client %" G_GUINT64_FORMAT ": write failed: %s",
                   client->id, g_strerror(errno));
            return -1;
        }
        client->outOffset += n;
        if (client->outOffset == len) {
            g_bytes_unref(g_queue_pop_head(&client->outq));
            client->outOffset = 0;
        }
    }
    return 0;
}

static gboolean
rpcClientOnWritable(gint fd, GIOCondition cond, gpointer data)
{
    rpcClient *client = data;
    G_GNUC_UNUSED g_autoptr(rpcClient) ref = rpcClientRef(client);

    rpcClientFlush(client);
    return client->writeSource ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
rpcClientWatchWritable(rpcClient *client, bool watch)
{
    if (watch && !client->writeSource) {
        client->writeSource = g_unix_fd_source_new(client->fd, G_IO_OUT);
        g_source_set_callback(client->writeSource,
                              (GSourceFunc)(void (*)(void))rpcClientOnWritable,
                              client, NULL);
        g_source_attach(client->writeSource, client->ctx);
        g_source_unref(client->writeSource);
    } else if (!watch && client->writeSource) {
        g_source_destroy(client->writeSource);
        client->writeSource = NULL;
    }
}

/* Calls running plus replies not yet written reach the limit: stop
 * reading, so a client that sends without reading cannot make the
 * daemon queue replies without bound.  Lock held. */
static bool
rpcClientBusyLocked(rpcClient *client)
{
    return client->inflight + g_queue_get_length(&client->outq) >=
           rpcServerGetConfig(client->srv)->maxClientRequests;
}

/* I/O thread: write the queue, then resume reading or close as due. */
static void
rpcClientFlush(rpcClient *client)
{
    int rc;
    bool resume;
    bool finished;

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    rc = rpcClientWriteLocked(client);
    finished = client->closeWhenFlushed && rc == 0;
    resume = !client->closeWhenFlushed && !rpcClientBusyLocked(client);
    g_mutex_unlock(&client->lock);
    if (rc < 0 || finished) {
        rpcClientClose(client);
        return;
    }
    rpcClientWatchWritable(client, rc == 1);
    if (resume && !client->readSource)
        rpcClientResumeRead(client);
}

static void
rpcClientPauseRead(rpcClient *client)
{
    if (client->readSource)
        g_source_destroy(client->readSource);
    client->readSource = NULL;
}

/* Stop reading while the client is busy; rpcClientFlush() resumes.
 * Returns whether it is. */
static bool
rpcClientPauseIfBusy(rpcClient *client)
{
    bool busy;

    g_mutex_lock(&client->lock);
    busy = rpcClientBusyLocked(client);
    g_mutex_unlock(&client->lock);
    if (busy)
        rpcClientPauseRead(client);
    return busy;
}

/* Answer @hdr with @err (when it is a call), then close once sent. */
static void
rpcClientFatal(rpcClient *client, const rpc_message_header *hdr,
               const GError *err)
{
    g_info("client %" G_GUINT64_FORMAT ": %s", client->id, err->message);
    client->stopped = true;
    rpcClientPauseRead(client);
    if (!hdr || (hdr->type != RPC_TYPE_CALL &&
                 hdr->type != RPC_TYPE_CALL_WITH_FDS)) {
        rpcClientClose(client);
        return;
    }
    g_mutex_lock(&client->lock);
    client->closeWhenFlushed = true;
    g_mutex_unlock(&client->lock);
    rpcClientSend(client, rpcErrorReply(hdr, err));
}

/* A call: answer errors found on the spot, hand the rest to a worker. */
static void
rpcClientHandleCall(rpcClient *client, const rpc_message_header *hdr,
                    guint8 *frame, gsize len)
{
    g_autoptr(GError) error = NULL;
    const rpcProc *proc;

    proc = rpcDispatchFind(rpcServerGetPrograms(client->srv), hdr, &error);
    if (!proc) {
        g_free(frame);
        rpcClientSend(client, rpcErrorReply(hdr, error));
        return;
    }
    g_mutex_lock(&client->lock);
    client->inflight++;
    g_mutex_unlock(&client->lock);
    rpcServerQueueCall(client->srv, client, proc, hdr, frame, len);
}

static void
rpcClientHandleFrame(rpcClient *client, guint8 *frame, gsize len)
{
    g_autoptr(GError) error = NULL;
    rpc_message_header hdr;

    if (rpcHeaderDecode(frame, len, &hdr, &error) < 0) {
        g_free(frame);
        rpcClientFatal(client, NULL, error);
        return;
    }
    if (rpcKeepAliveReceived(client->ka, &hdr)) {
        g_free(frame);
        return;
    }
    if (hdr.type == RPC_TYPE_CALL_WITH_FDS) {
        g_free(frame);
        g_set_error_literal(&error, RPC_ERROR, VIR_ERR_NO_SUPPORT,
                            _("passing file descriptors is not supported"));
        rpcClientFatal(client, &hdr, error);
        return;
    }
    if (hdr.type != RPC_TYPE_CALL) {
        /* libvirtd does not answer what is not a call either. */
        g_debug("client %" G_GUINT64_FORMAT ": ignoring message type %d",
                client->id, hdr.type);
        g_free(frame);
        return;
    }
    rpcClientHandleCall(client, &hdr, frame, len);
}

/* Feed received bytes to the frame reader; handle each whole frame.
 * Once the client is busy the rest waits in client->pending, so no more
 * than maxClientRequests of its calls ever run at once. */
static void
rpcClientConsume(rpcClient *client, const guint8 *data, gsize len)
{
    while (len > 0 && !client->stopped) {
        g_autoptr(GError) error = NULL;
        gsize used = 0;
        gsize flen;
        guint8 *frame;
        rpcFrameStatus status = rpcFrameReaderFeed(&client->reader, data, len,
                                                   &used, &error);

        data += used;
        len -= used;
        if (status == RPC_FRAME_INVALID) {
            rpcClientFatal(client, rpcFrameReaderRefused(&client->reader),
                           error);
            return;
        }
        if (status == RPC_FRAME_INCOMPLETE)
            return;
        frame = rpcFrameReaderSteal(&client->reader, &flen);
        rpcClientHandleFrame(client, frame, flen);
        if (rpcClientPauseIfBusy(client)) {
            g_byte_array_append(client->pending, data, len);
            return;
        }
    }
}

static gboolean
rpcClientOnReadable(gint fd, GIOCondition cond, gpointer data)
{
    rpcClient *client = data;
    G_GNUC_UNUSED g_autoptr(rpcClient) ref = rpcClientRef(client);
    guint8 buf[RPC_CLIENT_READ_CHUNK];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    if (n <= 0) {
        if (n < 0)
            g_info("client %" G_GUINT64_FORMAT ": read failed: %s",
                   client->id, g_strerror(errno));
        rpcClientClose(client);
        return G_SOURCE_REMOVE;
    }
    rpcClientConsume(client, buf, n);
    return client->readSource ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
rpcClientResumeRead(rpcClient *client)
{
    if (client->readSource || client->stopped)
        return;
    if (client->pending->len > 0) {
        g_autoptr(GByteArray) pending = client->pending;

        client->pending = g_byte_array_new();
        rpcClientConsume(client, pending->data, pending->len);
        /* Busy again (or gone): a later flush resumes. */
        if (client->stopped || client->pending->len > 0 ||
            rpcClientPauseIfBusy(client))
            return;
    }
    client->readSource = g_unix_fd_source_new(client->fd, G_IO_IN);
    g_source_set_callback(client->readSource,
                          (GSourceFunc)(void (*)(void))rpcClientOnReadable,
                          client, NULL);
    g_source_attach(client->readSource, client->ctx);
    g_source_unref(client->readSource);
}

static void
rpcClientKeepAliveSend(gpointer opaque, GBytes *frame)
{
    rpcClientSend(opaque, frame);
}

static void
rpcClientKeepAliveDead(gpointer opaque)
{
    rpcClientClose(opaque);
}

static gboolean
rpcClientKeepAliveStartCb(gpointer data)
{
    rpcClient *client = data;

    if (!client->stopped)
        rpcKeepAliveStart(client->ka);
    return G_SOURCE_REMOVE;
}

/* rpcConnOps: a worker asks the I/O thread to start pinging. */
static void
rpcClientStartKeepAlive(gpointer opaque)
{
    rpcClient *client = opaque;

    g_main_context_invoke_full(client->ctx, G_PRIORITY_DEFAULT,
                               rpcClientKeepAliveStartCb,
                               rpcClientRef(client),
                               (GDestroyNotify)rpcClientUnref);
}

/**
 * rpcClientNew:
 * @srv: the server that accepted the connection
 * @fd: (transfer full): the connected, non-blocking socket
 * @readonly: whether it came on a read-only socket
 * @id: a number for the logs
 *
 * Returns: (transfer full): the client; rpcClientStart() starts reading.
 */
rpcClient *
rpcClientNew(rpcServer *srv, int fd, bool readonly, guint64 id)
{
    rpcClient *client = g_new0(rpcClient, 1);
    const rpcServerConfig *cfg = rpcServerGetConfig(srv);
    rpcConnOps connOps = { rpcClientStartKeepAlive, client };
    rpcKeepAliveOps kaOps = {
        rpcClientKeepAliveSend, rpcClientKeepAliveDead, client
    };

    client->refs = 1;
    client->srv = srv;
    client->ctx = g_main_context_ref_thread_default();
    client->fd = fd;
    client->id = id;
    g_mutex_init(&client->lock);
    g_queue_init(&client->outq);
    client->pending = g_byte_array_new();
    rpcFrameReaderInit(&client->reader);
    rpcFrameReaderSetMax(&client->reader,
                         RPC_FRAME_LEN_SIZE + cfg->maxPayload);
    client->conn = rpcConnNew(rpcServerGetDaemon(srv), readonly, &connOps);
    client->ka = rpcKeepAliveNew(cfg->keepAliveInterval, cfg->keepAliveCount,
                                 client->ctx, &kaOps);
    return client;
}

void
rpcClientStart(rpcClient *client)
{
    rpcClientResumeRead(client);
}

/**
 * rpcClientClose:
 * @client: a client
 *
 * Drop the connection (I/O thread).  Replies still being computed are
 * thrown away when they arrive.  Closing twice does nothing.
 */
void
rpcClientClose(rpcClient *client)
{
    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    client->closed = true;
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    g_mutex_unlock(&client->lock);

    client->stopped = true;
    rpcClientPauseRead(client);
    rpcClientWatchWritable(client, false);
    rpcKeepAliveStop(client->ka);
    shutdown(client->fd, SHUT_RDWR);
    g_info("client %" G_GUINT64_FORMAT ": disconnected", client->id);
    rpcServerClientClosed(client->srv, client);
}
