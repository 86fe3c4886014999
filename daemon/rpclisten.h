/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/rpcdaemonconf.h"
#include "daemon/rpcserver.h"

/*
 * The sockets of virtgmemd: the UNIX sockets of the system or session
 * mode (or --socket), the optional TCP listener, or the sockets systemd
 * passes (LISTEN_FDS).
 */

/* The directory and names stock libvirt clients look for. */
#define RPC_SYSTEM_SOCKET_DIR "/var/run/libvirt"
#define RPC_SOCKET_NAME "virtgmemd-sock"

/* What the daemon listens on, besides the configuration file. */
typedef struct {
    const rpcDaemonConf *conf;
    const char *confFile;        /* for messages */
    const char *socket;          /* --socket, or NULL */
    bool privileged;
} rpcListenSpec;

int rpcListenAll(rpcServer *srv, const rpcListenSpec *spec, GError **error);
int rpcListenTcp(rpcServer *srv, const char *addr, unsigned int port,
                 GError **error);
int rpcListenActivated(rpcServer *srv, const rpcListenSpec *spec,
                       GError **error);
