/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon/rpcdispatch.h"

/*
 * Adding a procedure:
 *  1. describe its args/ret in daemon/protocol/remote.x (or qemu.x) with
 *     the field order of libvirt-rpc.md §7, and its number in the enum;
 *  2. write a handler (rpcProcFunc) that fills the ret or sets a GError
 *     whose code is a virErrorNumber;
 *  3. add an entry to the program's table, kept sorted by number, with
 *     RPC_PROC_READONLY only when every ACL of the procedure is
 *     anonymous (libvirt-rpc.md §5.3) and RPC_PROC_PRIORITY for the
 *     quick ones libvirt marks high priority (lookups, open/close,
 *     event registration);
 *  4. add a case to tests/rpcdispatchtest.c.
 */

/* The connection's type as virConnectGetType() reports it. */
#define RPC_CONNECT_TYPE "GMEM"

extern const rpcProgram rpcRemoteProgram;
extern const rpcProgram rpcQemuProgram;
/* NULL-terminated: every program virtgmemd serves (keepalive aside). */
extern const rpcProgram *const rpcPrograms[];
