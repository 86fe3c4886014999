/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/protocol/remote.h"
#include "driver/driver.h"

/* Hold @mutex until the end of the enclosing block (a declaration). */
#define RPC_LOCK_SCOPE(mutex) \
    G_GNUC_UNUSED g_autoptr(GMutexLocker) rpcScopeLocker = \
        g_mutex_locker_new(mutex)

/*
 * What the procedures of the daemon need from the hypervisor driver.  The
 * driver does not exist yet: every hook may be NULL, and a procedure
 * whose hook is missing answers "not supported".
 */
typedef struct {
    /* The capabilities XML (virConnectGetCapabilities). */
    char *(*getCapabilities)(gpointer opaque, GError **error);
    /* The hypervisor (QEMU) version, major * 1000000 + minor * 1000 +
     * micro; 0 when it is not known. */
    int (*getVersion)(gpointer opaque, guint64 *version, GError **error);
    /* Whether the driver has a VIR_DRV_FEATURE_* (migration and the
     * like); features of the daemon itself are answered without it. */
    bool (*supportsFeature)(gpointer opaque, int feature);
    gpointer opaque;
} rpcDriverHooks;

/* What a connection sees of the daemon that accepted it. */
typedef struct {
    bool privileged;             /* system daemon (gmem:///system) */
    rpcDriverHooks hooks;
    /* The domain procedures' driver; NULL answers them "not supported". */
    drvDriver *driver;
} rpcDaemon;

/* What a connection may ask of the transport that carries it. */
typedef struct {
    /* Start pinging an idle peer (it asked about keepalive). */
    void (*startKeepAlive)(gpointer opaque);
    gpointer opaque;
} rpcConnOps;

/* The feature numbers of libvirt's private VIR_DRV_FEATURE_* enum. */
typedef enum {
    RPC_FEATURE_FD_PASSING = 8,
    RPC_FEATURE_TYPED_PARAM_STRING = 9,
    RPC_FEATURE_PROGRAM_KEEPALIVE = 10,
    RPC_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    RPC_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
} rpcFeature;

/* The bits of CONNECT_OPEN's flags (the remote driver's own). */
#define RPC_OPEN_READONLY (1U << 0)

/* A registered domain event callback (CALLBACK_REGISTER_ANY). */
typedef struct {
    int callbackID;
    int eventID;
    bool anyDomain;
    char uuid[REMOTE_UUID_LEN];
} rpcEventCallback;

/* The protocol state of one client connection. */
typedef struct rpcConn rpcConn;

rpcConn *rpcConnNew(const rpcDaemon *daemon, bool readonlySocket,
                    const rpcConnOps *ops);
void rpcConnFree(rpcConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcConn, rpcConnFree)

const rpcDaemon *rpcConnGetDaemon(rpcConn *conn);
int rpcConnOpen(rpcConn *conn, const char *name, unsigned int flags,
                GError **error);
void rpcConnClose(rpcConn *conn);
bool rpcConnIsClosed(rpcConn *conn);
bool rpcConnIsOpen(rpcConn *conn);
bool rpcConnIsReadOnly(rpcConn *conn);
char *rpcConnGetURI(rpcConn *conn);
void rpcConnSetCloseCallback(rpcConn *conn, bool registered);
bool rpcConnHasCloseCallback(rpcConn *conn);
void rpcConnStartKeepAlive(rpcConn *conn);

int rpcConnEventRegister(rpcConn *conn, int eventID,
                         const remote_nonnull_domain *dom, GError **error);
int rpcConnEventDeregister(rpcConn *conn, int callbackID, GError **error);
GArray *rpcConnEventTargets(rpcConn *conn, int eventID,
                            const char *uuid);
