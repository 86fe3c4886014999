/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdlib.h>

#define VGM_RPCDISPATCHPRIV_H_ALLOW
#include "daemon/rpcdispatchpriv.h"
#include "daemon/rpcerror.h"
#include "daemon/rpcframe.h"
#include "util/error.h"
#include "util/i18n.h"

/**
 * rpcErrorNotSupported:
 * @api: the libvirt API the client called
 * @error: return location for a GError
 *
 * Report that the daemon (or its driver) lacks @api, with the code the
 * client's fallbacks look for.
 *
 * Returns: -1, with @error set.
 */
int
rpcErrorNotSupported(const char *api, GError **error)
{
    g_set_error(error, RPC_ERROR, VIR_ERR_NO_SUPPORT,
                _("this function is not supported by the connection driver: %1$s"),
                api);
    return -1;
}

static int
rpcProcCompare(const void *key, const void *elem)
{
    int proc = *(const int *)key;
    const rpcProc *p = elem;

    return proc < p->proc ? -1 : proc > p->proc;
}

static const rpcProgram *
rpcProgramFind(const rpcProgram *const *programs,
               const rpc_message_header *hdr, GError **error)
{
    for (; *programs; programs++) {
        if ((*programs)->prog == hdr->prog && (*programs)->vers == hdr->vers)
            return *programs;
    }
    g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                _("cannot find program %1$u version %2$u"), hdr->prog,
                hdr->vers);
    return NULL;
}

/**
 * rpcDispatchFind:
 * @programs: NULL-terminated list of the programs served
 * @hdr: header of a message received from a client
 * @error: return location for a GError
 *
 * Check that @hdr is a CALL with status OK to a procedure we serve.  An
 * unknown procedure gets VIR_ERR_NO_SUPPORT with libvirt's "unknown
 * procedure" text, so the client's fallbacks run.
 *
 * Returns: the procedure, or NULL with @error set.
 */
const rpcProc *
rpcDispatchFind(const rpcProgram *const *programs,
                const rpc_message_header *hdr, GError **error)
{
    const rpcProgram *prog;
    const rpcProc *proc;

    if (hdr->type != RPC_TYPE_CALL) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("unexpected message type %1$u"), (unsigned int)hdr->type);
        return NULL;
    }
    if (hdr->status != RPC_STATUS_OK) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("unexpected message status %1$u"),
                    (unsigned int)hdr->status);
        return NULL;
    }
    if (!(prog = rpcProgramFind(programs, hdr, error)))
        return NULL;
    proc = prog->nprocs == 0 ? NULL
                             : bsearch(&hdr->proc, prog->procs, prog->nprocs,
                                       sizeof(rpcProc), rpcProcCompare);
    if (!proc) {
        g_set_error(error, RPC_ERROR, VIR_ERR_NO_SUPPORT,
                    _("unknown procedure: %1$d"), hdr->proc);
        return NULL;
    }
    return proc;
}

/* The checks that depend on the connection's state. */
static int
rpcDispatchAllowed(const rpcProc *proc, rpcConn *conn, GError **error)
{
    if (!(proc->flags & RPC_PROC_NO_OPEN) && !rpcConnIsOpen(conn)) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("connection not open"));
        return -1;
    }
    if (!(proc->flags & RPC_PROC_READONLY) && rpcConnIsReadOnly(conn)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_OPERATION_DENIED,
                    _("operation forbidden: read only access prevents %1$s"),
                    proc->name);
        return -1;
    }
    return 0;
}

/* Decode the args, call the handler and encode the reply. */
static GBytes *
rpcDispatchInvoke(const rpcProc *proc, rpcConn *conn,
                  const rpc_message_header *hdr, const guint8 *frame,
                  gsize len, void *args, void *ret, GError **error)
{
    rpc_message_header reply = *hdr;

    if (proc->argsFilter &&
        rpcPayloadDecode(frame, len, proc->argsFilter, args, error) < 0)
        return NULL;
    if (proc->func(conn, args, ret, error) < 0)
        return NULL;
    reply.type = RPC_TYPE_REPLY;
    reply.status = RPC_STATUS_OK;
    return rpcFrameEncode(&reply, proc->retFilter, ret, error);
}

/**
 * rpcDispatchRun:
 * @proc: the procedure rpcDispatchFind() returned
 * @conn: the connection the call came on
 * @hdr: header of the call
 * @frame: the whole frame of the call
 * @len: its length
 *
 * Run a call.  Called on a worker thread.
 *
 * Returns: (transfer full): the REPLY frame, OK or ERROR; never NULL.
 */
GBytes *
rpcDispatchRun(const rpcProc *proc, rpcConn *conn,
               const rpc_message_header *hdr, const guint8 *frame, gsize len)
{
    g_autoptr(GError) error = NULL;
    g_autofree void *args = proc->argsSize ? g_malloc0(proc->argsSize) : NULL;
    g_autofree void *ret = proc->retSize ? g_malloc0(proc->retSize) : NULL;
    GBytes *reply = NULL;

    if (rpcDispatchAllowed(proc, conn, &error) == 0) {
        reply = rpcDispatchInvoke(proc, conn, hdr, frame, len, args, ret,
                                  &error);
    }
    if (args)
        xdr_free(proc->argsFilter, args);
    if (ret)
        xdr_free(proc->retFilter, ret);
    if (!reply)
        reply = rpcErrorReply(hdr, error);
    return reply;
}

/**
 * rpcDispatch:
 * @programs: NULL-terminated list of the programs served
 * @conn: the connection the call came on
 * @frame: a whole frame received
 * @len: its length (at least RPC_FRAME_MIN)
 *
 * Find and run a call in one go (tests; the server splits the two steps
 * between its I/O thread and its workers).
 *
 * Returns: (transfer full): the reply frame, or NULL when @frame is
 * shorter than a header.
 */
GBytes *
rpcDispatch(const rpcProgram *const *programs, rpcConn *conn,
            const guint8 *frame, gsize len)
{
    g_autoptr(GError) error = NULL;
    rpc_message_header hdr;
    const rpcProc *proc;

    if (rpcHeaderDecode(frame, len, &hdr, &error) < 0)
        return NULL;
    if (!(proc = rpcDispatchFind(programs, &hdr, &error)))
        return rpcErrorReply(&hdr, error);
    return rpcDispatchRun(proc, conn, &hdr, frame, len);
}
