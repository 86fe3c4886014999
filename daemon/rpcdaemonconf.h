/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/enum.h"

/*
 * virtgmemd.conf: libvirt's "key = value" syntax (libvirtd.conf), one
 * setting a line, strings in quotes, integers bare, '#' comments.  The
 * keys are libvirtd's where it has one.
 */

/* TCP authentication (auth_tcp). */
typedef enum {
    RPC_AUTH_TCP_SASL,           /* libvirtd's default; not available */
    RPC_AUTH_TCP_NONE,
    RPC_AUTH_TCP_LAST
} rpcAuthTcp;
VGM_ENUM_DECL(rpcAuthTcp);

/* log_level: libvirt's numbers. */
typedef enum {
    RPC_LOG_DEBUG = 1,
    RPC_LOG_INFO = 2,
    RPC_LOG_WARNING = 3,
    RPC_LOG_ERROR = 4,
} rpcLogLevel;

#define RPC_DAEMON_CONF_TCP_PORT 16509
/* The message limit of libvirt (header and payload, no length word). */
#define RPC_DAEMON_CONF_PAYLOAD_MAX (32 * 1024 * 1024)
#define RPC_DAEMON_CONF_PAYLOAD_MIN 65536

typedef struct {
    /* Sockets: read at start only. */
    char *unixSockGroup;         /* NULL: root's group */
    int unixSockRoPerms;         /* -1: default */
    int unixSockRwPerms;         /* -1: default */
    char *unixSockDir;           /* NULL: the mode's default */
    bool listenTcp;
    char *listenAddr;            /* NULL: not given (required for TCP) */
    unsigned int tcpPort;
    rpcAuthTcp authTcp;          /* "none" only when the file says so */

    /* Limits and logging: SIGHUP applies them. */
    unsigned int maxClients;
    unsigned int maxClientRequests;
    unsigned int maxWorkers;
    unsigned int prioWorkers;
    unsigned int keepAliveInterval;
    unsigned int keepAliveCount;
    unsigned int maxPayload;     /* bytes of a message from a client */
    unsigned int logLevel;       /* an rpcLogLevel */
} rpcDaemonConf;

void rpcDaemonConfInit(rpcDaemonConf *conf);
void rpcDaemonConfClear(rpcDaemonConf *conf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(rpcDaemonConf, rpcDaemonConfClear)

int rpcDaemonConfParse(rpcDaemonConf *conf, const char *text,
                       const char *filename, GError **error);
int rpcDaemonConfLoad(rpcDaemonConf *conf, const char *path, bool mustExist,
                      GError **error);
char *rpcDaemonConfDefaultPath(bool privileged);
int rpcDaemonConfCheckTcp(const rpcDaemonConf *conf, const char *filename,
                          bool needAddr, GError **error);
