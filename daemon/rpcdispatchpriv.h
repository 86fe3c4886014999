/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_RPCDISPATCHPRIV_H_ALLOW
# error "rpcdispatchpriv.h is for rpcdispatch.c and its tests only"
#endif

#include "daemon/rpcdispatch.h"

GBytes *rpcDispatch(const rpcProgram *const *programs, rpcConn *conn,
                    const guint8 *frame, gsize len);
