/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "daemon/rpcframe.h"
#include "tests/rpctestutils.h"

GBytes *
rpcTestHex(const char *hex)
{
    GByteArray *out = g_byte_array_new();

    while (*hex) {
        guint8 b;

        if (g_ascii_isspace(*hex)) {
            hex++;
            continue;
        }
        g_assert(g_ascii_isxdigit(hex[0]) && g_ascii_isxdigit(hex[1]));
        b = g_ascii_xdigit_value(hex[0]) << 4 | g_ascii_xdigit_value(hex[1]);
        g_byte_array_append(out, &b, 1);
        hex += 2;
    }
    return g_byte_array_free_to_bytes(out);
}

char *
rpcTestToHex(GBytes *bytes)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    GString *s = g_string_new(NULL);
    gsize i;

    for (i = 0; i < len; i++) {
        if (i > 0 && i % 4 == 0)
            g_string_append_c(s, ' ');
        g_string_append_printf(s, "%02x", data[i]);
    }
    return g_string_free(s, FALSE);
}

GBytes *
rpcTestCall(int proc, unsigned int serial, xdrproc_t filter, void *args)
{
    rpc_message_header hdr = {
        .prog = REMOTE_PROGRAM,
        .vers = REMOTE_PROTOCOL_VERSION,
        .proc = proc,
        .type = RPC_TYPE_CALL,
        .serial = serial,
        .status = RPC_STATUS_OK,
    };
    GBytes *frame = rpcFrameEncode(&hdr, filter, args, NULL);

    g_assert(frame);
    return frame;
}

void
rpcTestReplyHeader(GBytes *reply, rpc_message_header *hdr)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(reply, &len);

    g_assert_cmpint(rpcHeaderDecode(data, len, hdr, NULL), ==, 0);
}

gboolean
rpcTestReplyError(GBytes *reply, remote_error *err)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(reply, &len);
    rpc_message_header hdr;

    rpcTestReplyHeader(reply, &hdr);
    memset(err, 0, sizeof(*err));
    if (hdr.status != RPC_STATUS_ERROR)
        return FALSE;
    g_assert_cmpint(rpcPayloadDecode(data, len, (xdrproc_t)xdr_remote_error,
                                     err, NULL), ==, 0);
    return TRUE;
}

gboolean
rpcTestReplyRet(GBytes *reply, xdrproc_t filter, void *ret)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(reply, &len);
    rpc_message_header hdr;

    rpcTestReplyHeader(reply, &hdr);
    if (hdr.status != RPC_STATUS_OK)
        return FALSE;
    if (!filter)
        return len == RPC_FRAME_MIN;
    return rpcPayloadDecode(data, len, filter, ret, NULL) == 0;
}

static void
rpcTestSilentErrors(void *data, virErrorPtr err)
{
}

static gpointer
rpcTestEventLoop(gpointer data)
{
    while (TRUE)
        virEventRunDefaultImpl();
    return NULL;
}

void
rpcTestClientInit(void)
{
    virSetErrorFunc(NULL, rpcTestSilentErrors);
    virEventRegisterDefaultImpl();
    g_thread_unref(g_thread_new("libvirt-events", rpcTestEventLoop, NULL));
}
