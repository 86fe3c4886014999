/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "daemon/protocol/keepalive.h"
#include "daemon/rpcframe.h"
#include "daemon/rpckeepalive.h"

struct rpcKeepAlive {
    unsigned int interval;       /* seconds */
    unsigned int count;
    unsigned int missed;         /* PINGs sent since the peer spoke */
    gint64 lastRecv;             /* monotonic, microseconds */
    GMainContext *ctx;
    GSource *timer;
    rpcKeepAliveOps ops;
};

/**
 * rpcKeepAliveNew:
 * @interval: seconds of silence before a PING; 0 never pings
 * @count: unanswered PINGs before the peer counts as dead
 * @ctx: the I/O thread's context
 * @ops: how to send a frame and to drop the peer
 *
 * Returns: (transfer full): keepalive state, not yet pinging.
 */
rpcKeepAlive *
rpcKeepAliveNew(unsigned int interval, unsigned int count, GMainContext *ctx,
                const rpcKeepAliveOps *ops)
{
    rpcKeepAlive *ka = g_new0(rpcKeepAlive, 1);

    ka->interval = interval;
    ka->count = count;
    ka->ctx = g_main_context_ref(ctx);
    ka->ops = *ops;
    ka->lastRecv = g_get_monotonic_time();
    return ka;
}

void
rpcKeepAliveFree(rpcKeepAlive *ka)
{
    if (!ka)
        return;
    rpcKeepAliveStop(ka);
    g_main_context_unref(ka->ctx);
    g_free(ka);
}

/**
 * rpcKeepAliveFrame:
 * @proc: KEEPALIVE_PROC_PING or KEEPALIVE_PROC_PONG
 *
 * Returns: (transfer full): the 28-byte MESSAGE frame.
 */
GBytes *
rpcKeepAliveFrame(int proc)
{
    rpc_message_header hdr = {
        .prog = KEEPALIVE_PROGRAM,
        .vers = KEEPALIVE_PROTOCOL_VERSION,
        .proc = proc,
        .type = RPC_TYPE_MESSAGE,
        .serial = 0,
        .status = RPC_STATUS_OK,
    };

    return rpcFrameEncode(&hdr, NULL, NULL, NULL);
}

static gboolean
rpcKeepAliveTick(gpointer data)
{
    rpcKeepAlive *ka = data;
    gint64 idle = g_get_monotonic_time() - ka->lastRecv;

    /* Some slack: the timer and the last frame are not in phase. */
    if (idle < (gint64)ka->interval * G_USEC_PER_SEC - G_USEC_PER_SEC / 10)
        return G_SOURCE_CONTINUE;
    if (ka->missed >= ka->count) {
        g_info("no answer to %u keepalive messages in %" G_GINT64_FORMAT
               " seconds", ka->missed, idle / G_USEC_PER_SEC);
        ka->timer = NULL;
        ka->ops.dead(ka->ops.opaque);
        return G_SOURCE_REMOVE;
    }
    ka->missed++;
    ka->ops.send(ka->ops.opaque, rpcKeepAliveFrame(KEEPALIVE_PROC_PING));
    return G_SOURCE_CONTINUE;
}

/**
 * rpcKeepAliveStart:
 * @ka: keepalive state
 *
 * Start pinging (the peer asked about the keepalive feature).  Starting
 * twice does nothing.
 */
void
rpcKeepAliveStart(rpcKeepAlive *ka)
{
    if (ka->timer || ka->interval == 0)
        return;
    ka->timer = g_timeout_source_new_seconds(ka->interval);
    g_source_set_callback(ka->timer, rpcKeepAliveTick, ka, NULL);
    g_source_attach(ka->timer, ka->ctx);
    g_source_unref(ka->timer);
}

void
rpcKeepAliveStop(rpcKeepAlive *ka)
{
    if (ka->timer)
        g_source_destroy(ka->timer);
    ka->timer = NULL;
}

/**
 * rpcKeepAliveReceived:
 * @ka: keepalive state
 * @hdr: header of any frame received from the peer
 *
 * Any frame shows the peer is alive.  A PING is answered with a PONG.
 *
 * Returns: true when the frame belonged to the keepalive program (and
 * needs nothing else).
 */
bool
rpcKeepAliveReceived(rpcKeepAlive *ka, const rpc_message_header *hdr)
{
    ka->lastRecv = g_get_monotonic_time();
    ka->missed = 0;
    if (hdr->prog != KEEPALIVE_PROGRAM)
        return false;
    if (hdr->vers == KEEPALIVE_PROTOCOL_VERSION &&
        hdr->type == RPC_TYPE_MESSAGE && hdr->proc == KEEPALIVE_PROC_PING)
        ka->ops.send(ka->ops.opaque, rpcKeepAliveFrame(KEEPALIVE_PROC_PONG));
    else if (hdr->proc != KEEPALIVE_PROC_PONG)
        g_debug("ignoring keepalive message proc=%d type=%d", hdr->proc,
                hdr->type);
    return true;
}
