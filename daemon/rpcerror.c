/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/rpcerror.h"
#include "daemon/rpcframe.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The one place where a GError becomes a remote_error (STYLE.md rule 16).
 * Errors of our own layers carry a virErrorNumber as code and map their
 * domain with vgmErrorDomainToVir(); anything else (GIO, GFile) is an
 * internal error.  @rerr borrows the message of @err.
 */
static void
rpcErrorFromGError(const GError *err, remote_error *rerr,
                   rpc_error_string *message)
{
    virErrorDomain domain = vgmErrorDomainToVir(err->domain);

    memset(rerr, 0, sizeof(*rerr));
    rerr->code = domain == VIR_FROM_NONE ? VIR_ERR_INTERNAL_ERROR : err->code;
    rerr->domain = domain;
    rerr->level = VIR_ERR_ERROR;
    *message = err->message;
    rerr->message = message;
}

/**
 * rpcErrorReply:
 * @call: header of the call being answered
 * @err: what went wrong
 *
 * Build the REPLY frame with status ERROR that answers @call.  A message
 * too large to send is replaced by a short one, so there is always a
 * frame to send.
 *
 * Returns: (transfer full): the frame.
 */
GBytes *
rpcErrorReply(const rpc_message_header *call, const GError *err)
{
    rpc_message_header hdr = *call;
    remote_error rerr;
    rpc_error_string message;
    GBytes *frame;
    g_autoptr(GError) tooBig = NULL;

    hdr.type = RPC_TYPE_REPLY;
    hdr.status = RPC_STATUS_ERROR;
    rpcErrorFromGError(err, &rerr, &message);
    frame = rpcFrameEncode(&hdr, (xdrproc_t)xdr_remote_error, &rerr, &tooBig);
    if (frame)
        return frame;
    rpcErrorFromGError(tooBig, &rerr, &message);
    frame = rpcFrameEncode(&hdr, (xdrproc_t)xdr_remote_error, &rerr, NULL);
    g_assert(frame);
    return frame;
}
