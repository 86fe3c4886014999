/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/protocol/remote.h"

/*
 * The keepalive program on one connection: answer PINGs with PONGs and,
 * once started, PING a silent peer every interval seconds and give up on
 * it after count unanswered PINGs.  Runs on the I/O thread.
 */
typedef struct {
    void (*send)(gpointer opaque, GBytes *frame);  /* takes the frame */
    void (*dead)(gpointer opaque);                 /* peer is gone */
    gpointer opaque;
} rpcKeepAliveOps;

typedef struct rpcKeepAlive rpcKeepAlive;

rpcKeepAlive *rpcKeepAliveNew(unsigned int interval, unsigned int count,
                              GMainContext *ctx, const rpcKeepAliveOps *ops);
void rpcKeepAliveFree(rpcKeepAlive *ka);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcKeepAlive, rpcKeepAliveFree)

void rpcKeepAliveStart(rpcKeepAlive *ka);
void rpcKeepAliveStop(rpcKeepAlive *ka);
bool rpcKeepAliveReceived(rpcKeepAlive *ka, const rpc_message_header *hdr);
GBytes *rpcKeepAliveFrame(int proc);
