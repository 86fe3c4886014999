/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "daemon/protocol/remote.h"

/* Helpers of the RPC unit tests. */

/* Bytes from hex with optional blanks: "0000001c 20008086". */
GBytes *rpcTestHex(const char *hex);
/* Hex words of @bytes, blank-separated, for messages. */
char *rpcTestToHex(GBytes *bytes);
/* A CALL frame of the REMOTE program. */
GBytes *rpcTestCall(int proc, unsigned int serial, xdrproc_t filter,
                    void *args);
/* Decode a reply frame: its header, and the remote_error when it is one
 * (@err is then filled; free with xdr_free). */
void rpcTestReplyHeader(GBytes *reply, rpc_message_header *hdr);
gboolean rpcTestReplyError(GBytes *reply, remote_error *err);
gboolean rpcTestReplyRet(GBytes *reply, xdrproc_t filter, void *ret);

/* For tests through the libvirt client library: its errors silenced and
 * its default event loop running in a thread of its own. */
void rpcTestClientInit(void);
