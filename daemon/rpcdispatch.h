/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "daemon/protocol/remote.h"
#include "daemon/rpcconn.h"

/*
 * A procedure handler decodes nothing itself: it gets the decoded args
 * (NULL for void) and fills the zeroed ret (NULL for void).  Strings it
 * puts in @ret must be malloc'ed (g_strdup is fine: GLib uses malloc);
 * they are released with xdr_free().
 */
typedef int (*rpcProcFunc)(rpcConn *conn, void *args, void *ret,
                           GError **error);

typedef enum {
    RPC_PROC_READONLY = 1 << 0,  /* allowed on a read-only connection */
    RPC_PROC_PRIORITY = 1 << 1,  /* runs on the high-priority workers */
    RPC_PROC_NO_OPEN = 1 << 2,   /* allowed before CONNECT_OPEN */
} rpcProcFlags;

typedef struct {
    int proc;
    const char *name;            /* the libvirt API, for messages */
    xdrproc_t argsFilter;        /* NULL: no args */
    gsize argsSize;
    xdrproc_t retFilter;         /* NULL: no ret */
    gsize retSize;
    rpcProcFunc func;
    unsigned int flags;          /* rpcProcFlags */
} rpcProc;

/* A program: its procedures sorted by number. */
typedef struct {
    guint32 prog;
    guint32 vers;
    const rpcProc *procs;
    gsize nprocs;
} rpcProgram;

/* The filter and size fields of an rpcProc, for an XDR type or none. */
#define RPC_XDR(type) (xdrproc_t)xdr_##type, sizeof(type)
#define RPC_XDR_VOID NULL, 0

const rpcProc *rpcDispatchFind(const rpcProgram *const *programs,
                               const rpc_message_header *hdr,
                               GError **error);
GBytes *rpcDispatchRun(const rpcProc *proc, rpcConn *conn,
                       const rpc_message_header *hdr, const guint8 *frame,
                       gsize len);
int rpcErrorNotSupported(const char *api, GError **error);
