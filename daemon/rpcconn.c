/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt.h>
#include <string.h>

#include "daemon/rpcconn.h"
#include "util/error.h"
#include "util/i18n.h"

/* libvirt keeps VIR_DOMAIN_EVENT_ID_LAST behind VIR_ENUM_SENTINELS:
 * the event IDs a 9.0 client knows are 0 to this one. */
#define RPC_DOMAIN_EVENT_ID_LAST (VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1)

/* Bound on the event callbacks one connection may hold. */
#define RPC_CONN_MAX_CALLBACKS 1024

struct rpcConn {
    GMutex lock;
    const rpcDaemon *daemon;
    rpcConnOps ops;
    bool readonlySocket;
    bool opened;
    bool closed;
    bool readonly;
    bool closeCallback;
    char *uri;
    GArray *callbacks;           /* of rpcEventCallback */
    int nextCallbackID;
};

/**
 * rpcConnNew:
 * @daemon: the daemon accepting the connection (outlives it)
 * @readonlySocket: whether it arrived on a read-only socket
 * @ops: (nullable): transport operations
 *
 * Returns: (transfer full): the state of a connection not yet opened.
 */
rpcConn *
rpcConnNew(const rpcDaemon *daemon, bool readonlySocket, const rpcConnOps *ops)
{
    rpcConn *conn = g_new0(rpcConn, 1);

    g_mutex_init(&conn->lock);
    conn->daemon = daemon;
    if (ops)
        conn->ops = *ops;
    conn->readonlySocket = readonlySocket;
    conn->callbacks = g_array_new(FALSE, FALSE, sizeof(rpcEventCallback));
    conn->nextCallbackID = 1;
    return conn;
}

void
rpcConnFree(rpcConn *conn)
{
    if (!conn)
        return;
    g_array_unref(conn->callbacks);
    g_free(conn->uri);
    g_mutex_clear(&conn->lock);
    g_free(conn);
}

const rpcDaemon *
rpcConnGetDaemon(rpcConn *conn)
{
    return conn->daemon;
}

/* Check the URI a client opens: gmem:///system or gmem:///session. */
static int
rpcConnCheckURI(const rpcDaemon *daemon, const char *name, GError **error)
{
    g_autoptr(GUri) uri = g_uri_parse(name, G_URI_FLAGS_NONE, NULL);
    const char *path;

    if (!uri || g_strcmp0(g_uri_get_scheme(uri), "gmem") != 0 ||
        (g_uri_get_host(uri) && *g_uri_get_host(uri))) {
        g_set_error(error, RPC_ERROR, VIR_ERR_NO_CONNECT,
                    _("no connection driver available for '%1$s'"), name);
        return -1;
    }
    path = g_uri_get_path(uri);
    if (g_strcmp0(path, "/session") == 0 ||
        (daemon->privileged && g_strcmp0(path, "/system") == 0))
        return 0;
    g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                _("unexpected URI path '%1$s', try %2$s"), path,
                daemon->privileged ? "gmem:///system" : "gmem:///session");
    return -1;
}

/**
 * rpcConnOpen:
 * @conn: a connection
 * @name: (nullable): the URI the client opens; NULL or "" for ours
 * @flags: the remote driver's open flags (RPC_OPEN_*)
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcConnOpen(rpcConn *conn, const char *name, unsigned int flags,
            GError **error)
{
    RPC_LOCK_SCOPE(&conn->lock);

    if (conn->opened || conn->closed) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("connection already open"));
        return -1;
    }
    if (name && *name && rpcConnCheckURI(conn->daemon, name, error) < 0)
        return -1;
    if (name && *name)
        conn->uri = g_strdup(name);
    else if (conn->daemon->privileged)
        conn->uri = g_strdup("gmem:///system");
    else
        conn->uri = g_strdup("gmem:///session");
    conn->readonly = conn->readonlySocket || (flags & RPC_OPEN_READONLY);
    conn->opened = true;
    return 0;
}

/**
 * rpcConnClose:
 * @conn: a connection
 *
 * CONNECT_CLOSE: nothing but CONNECT_OPEN-free procedures work after it.
 */
void
rpcConnClose(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    conn->opened = false;
    conn->closed = true;
    conn->closeCallback = false;
    g_array_set_size(conn->callbacks, 0);
}

/* Whether CONNECT_CLOSE ended the connection. */
bool
rpcConnIsClosed(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    return conn->closed;
}

bool
rpcConnIsOpen(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    return conn->opened;
}

/* Read-only once opened so; before that, read-only if its socket is. */
bool
rpcConnIsReadOnly(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    return conn->readonly || conn->readonlySocket;
}

/* Returns: (transfer full) (nullable): the URI opened. */
char *
rpcConnGetURI(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    return g_strdup(conn->uri);
}

void
rpcConnSetCloseCallback(rpcConn *conn, bool registered)
{
    RPC_LOCK_SCOPE(&conn->lock);

    conn->closeCallback = registered;
}

bool
rpcConnHasCloseCallback(rpcConn *conn)
{
    RPC_LOCK_SCOPE(&conn->lock);

    return conn->closeCallback;
}

void
rpcConnStartKeepAlive(rpcConn *conn)
{
    if (conn->ops.startKeepAlive)
        conn->ops.startKeepAlive(conn->ops.opaque);
}

/**
 * rpcConnEventRegister:
 * @conn: an open connection
 * @eventID: a virDomainEventID
 * @dom: (nullable): the one domain to report on; NULL for all
 * @error: return location for a GError
 *
 * Returns: the new callback ID (> 0), or -1 with @error set.
 */
int
rpcConnEventRegister(rpcConn *conn, int eventID,
                     const remote_nonnull_domain *dom, GError **error)
{
    RPC_LOCK_SCOPE(&conn->lock);
    rpcEventCallback cb = { 0 };

    if (eventID < 0 || eventID >= RPC_DOMAIN_EVENT_ID_LAST) {
        g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported event ID %1$d"), eventID);
        return -1;
    }
    if (conn->callbacks->len >= RPC_CONN_MAX_CALLBACKS) {
        g_set_error(error, RPC_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("too many event callbacks on this connection (limit %1$d)"),
                    RPC_CONN_MAX_CALLBACKS);
        return -1;
    }
    cb.callbackID = conn->nextCallbackID++;
    cb.eventID = eventID;
    cb.anyDomain = dom == NULL;
    if (dom)
        memcpy(cb.uuid, dom->uuid, REMOTE_UUID_LEN);
    g_array_append_val(conn->callbacks, cb);
    return cb.callbackID;
}

/**
 * rpcConnEventDeregister:
 * @conn: an open connection
 * @callbackID: an ID returned by rpcConnEventRegister()
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcConnEventDeregister(rpcConn *conn, int callbackID, GError **error)
{
    RPC_LOCK_SCOPE(&conn->lock);
    guint i;

    for (i = 0; i < conn->callbacks->len; i++) {
        if (g_array_index(conn->callbacks, rpcEventCallback, i).callbackID ==
            callbackID) {
            g_array_remove_index(conn->callbacks, i);
            return 0;
        }
    }
    g_set_error(error, RPC_ERROR, VIR_ERR_INVALID_ARG,
                _("domain event callback %1$d is not registered"), callbackID);
    return -1;
}

/**
 * rpcConnEventTargets:
 * @conn: a connection
 * @eventID: the virDomainEventID being emitted
 * @uuid: the UUID of the domain it is about
 *
 * Returns: (transfer full): the callback IDs (int) that want the event;
 * one event message is sent per ID.
 */
GArray *
rpcConnEventTargets(rpcConn *conn, int eventID, const char *uuid)
{
    RPC_LOCK_SCOPE(&conn->lock);
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    guint i;

    for (i = 0; i < conn->callbacks->len; i++) {
        rpcEventCallback *cb = &g_array_index(conn->callbacks,
                                              rpcEventCallback, i);

        if (cb->eventID != eventID)
            continue;
        if (cb->anyDomain || memcmp(cb->uuid, uuid, REMOTE_UUID_LEN) == 0)
            g_array_append_val(ids, cb->callbackID);
    }
    return ids;
}
