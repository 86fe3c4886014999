/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/rpcconn.h"
#include "daemon/rpcserver.h"

/*
 * One client connection.  Reading, writing and closing happen on the
 * server's I/O thread (the GLib main context); worker threads only hand
 * frames over with rpcClientSend() and rpcClientCallDone().
 */
rpcClient *rpcClientNew(rpcServer *srv, int fd, bool readonly, guint64 id);
rpcClient *rpcClientRef(rpcClient *client);
void rpcClientUnref(rpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcClient, rpcClientUnref)

void rpcClientStart(rpcClient *client);
void rpcClientClose(rpcClient *client);
rpcConn *rpcClientGetConn(rpcClient *client);
guint64 rpcClientGetID(rpcClient *client);
void rpcClientSend(rpcClient *client, GBytes *frame);
void rpcClientCallDone(rpcClient *client, GBytes *reply);
