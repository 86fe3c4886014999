/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/protocol/remote.h"
#include "daemon/rpcconn.h"
#include "daemon/rpcdispatch.h"

typedef struct {
    unsigned int maxClients;
    unsigned int maxWorkers;         /* normal calls */
    unsigned int maxPrioWorkers;     /* high-priority calls */
    unsigned int maxClientRequests;  /* calls in flight per client */
    unsigned int keepAliveInterval;  /* seconds; 0 disables our PINGs */
    unsigned int keepAliveCount;     /* unanswered PINGs before dropping */
    unsigned int maxPayload;         /* longest message a client may send */
} rpcServerConfig;

/* libvirtd's defaults, where it has one. */
#define RPC_SERVER_CONFIG_DEFAULT \
    { .maxClients = 512, .maxWorkers = 20, .maxPrioWorkers = 5, \
      .maxClientRequests = 16, .keepAliveInterval = 5, .keepAliveCount = 5, \
      .maxPayload = RPC_MESSAGE_MAX }

/* How a listening socket serves its clients. */
typedef enum {
    RPC_LISTENER_READONLY = 1 << 0,  /* every connection is read-only */
    RPC_LISTENER_UNLINK = 1 << 1,    /* remove the socket file when done */
} rpcListenerFlags;

typedef struct rpcServer rpcServer;
typedef struct rpcClient rpcClient;

rpcServer *rpcServerNew(const rpcServerConfig *config, const rpcDaemon *daemon,
                        const rpcProgram *const *programs, GError **error);
void rpcServerFree(rpcServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcServer, rpcServerFree)

int rpcServerAddListener(rpcServer *srv, const char *path, mode_t mode,
                         gid_t gid, bool readonly, GError **error);
void rpcServerAddListenerFD(rpcServer *srv, int fd, const char *name,
                            unsigned int flags);
void rpcServerSetConfig(rpcServer *srv, const rpcServerConfig *config);
void rpcServerAddClient(rpcServer *srv, int fd, bool readonly,
                        const char *where);
void rpcServerSetIdleTimeout(rpcServer *srv, unsigned int seconds,
                             GSourceFunc func, gpointer data);
void rpcServerSetBusyCheck(rpcServer *srv, bool (*busy)(gpointer data),
                           gpointer data);
void rpcServerEmitLifecycle(rpcServer *srv, const remote_nonnull_domain *dom,
                            int event, int detail);
void rpcServerEmitReboot(rpcServer *srv, const remote_nonnull_domain *dom);

/* For rpcclient.c. */
const rpcServerConfig *rpcServerGetConfig(rpcServer *srv);
const rpcDaemon *rpcServerGetDaemon(rpcServer *srv);
const rpcProgram *const *rpcServerGetPrograms(rpcServer *srv);
void rpcServerQueueCall(rpcServer *srv, rpcClient *client,
                        const rpcProc *proc, const rpc_message_header *hdr,
                        guint8 *frame, gsize len);
void rpcServerClientClosed(rpcServer *srv, rpcClient *client);
