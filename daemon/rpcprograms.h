/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon/rpcdispatch.h"

/* The connection's type as virConnectGetType() reports it. */
#define RPC_CONNECT_TYPE "GMEM"

extern const rpcProgram rpcRemoteProgram;
extern const rpcProgram rpcQemuProgram;
/* NULL-terminated: every program virtgmemd serves (keepalive aside). */
extern const rpcProgram *const rpcPrograms[];
