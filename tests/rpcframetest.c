/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/protocol/keepalive.h"
#include "daemon/rpcerror.h"
#include "daemon/rpcframe.h"
#include "daemon/rpckeepalive.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/* daemon/rpcframe.c and rpcerror.c: framing, headers, error payloads. */

typedef enum {
    FEED_ONCE,          /* all bytes in one call */
    FEED_BYTEWISE,      /* one byte per call */
} feedMode;

typedef struct {
    const char *name;
    const char *hex;            /* the stream */
    feedMode mode;
    int frames;                 /* complete frames expected */
    rpcFrameStatus last;        /* state after the last byte */
    const char *error;          /* substring when INVALID */
    gboolean refusedHeader;     /* INVALID with a header to answer */
} frameCase;

#define AUTH_LIST_CALL \
    "0000001c 20008086 00000001 00000042 00000000 00000000 00000000"
#define GET_TYPE_CALL \
    "0000001c 20008086 00000001 00000003 00000000 00000001 00000000"

static const frameCase frameCases[] = {
    { "auth-list", AUTH_LIST_CALL, FEED_ONCE, 1, RPC_FRAME_COMPLETE,
      NULL, FALSE },
    { "partial-bytewise", AUTH_LIST_CALL, FEED_BYTEWISE, 1,
      RPC_FRAME_COMPLETE, NULL, FALSE },
    { "two-frames", AUTH_LIST_CALL " " GET_TYPE_CALL, FEED_ONCE, 2,
      RPC_FRAME_COMPLETE, NULL, FALSE },
    { "half-length-word", "0000", FEED_ONCE, 0, RPC_FRAME_INCOMPLETE,
      NULL, FALSE },
    { "half-header", "0000001c 20008086 0000", FEED_BYTEWISE, 0,
      RPC_FRAME_INCOMPLETE, NULL, FALSE },
    { "with-payload",
      "00000020 20008086 00000001 0000003c 00000000 00000001 00000000"
      " 0000000a", FEED_BYTEWISE, 1, RPC_FRAME_COMPLETE, NULL, FALSE },
    { "length-zero", "00000000", FEED_ONCE, 0, RPC_FRAME_INVALID,
      "too small", FALSE },
    { "length-27", "0000001b 20008086", FEED_ONCE, 0, RPC_FRAME_INVALID,
      "packet 27 bytes received from client too small", FALSE },
    { "max-accepted", "02000004 20008086 00000001 00000003 00000000",
      FEED_ONCE, 0, RPC_FRAME_INCOMPLETE, NULL, FALSE },
    { "over-max", "02000005 20008086 00000001 00000003 00000000 00000007"
      " 00000000 deadbeef", FEED_ONCE, 0, RPC_FRAME_INVALID,
      "packet 33554437 bytes received from client too large", TRUE },
    { "over-max-bytewise", "ffffffff 20008086 00000001 00000003 00000000"
      " 00000007 00000000", FEED_BYTEWISE, 0, RPC_FRAME_INVALID,
      "too large, want at most 33554436", TRUE },
    { "http-garbage",
      "47455420 2f204854 54502f31 2e310d0a 486f7374 3a20780d 0a0d0a00",
      FEED_ONCE, 0, RPC_FRAME_INVALID, "too large", TRUE },
};

static void
testFrame(gconstpointer data)
{
    const frameCase *tc = data;
    g_autoptr(GBytes) stream = rpcTestHex(tc->hex);
    g_autoptr(GError) error = NULL;
    rpcFrameReader reader;
    gsize len;
    const guint8 *bytes = g_bytes_get_data(stream, &len);
    gsize pos = 0;
    int frames = 0;
    rpcFrameStatus st = RPC_FRAME_INCOMPLETE;

    rpcFrameReaderInit(&reader);
    while (pos < len && st != RPC_FRAME_INVALID) {
        gsize chunk = tc->mode == FEED_ONCE ? len - pos : 1;
        gsize used = 0;

        st = rpcFrameReaderFeed(&reader, bytes + pos, chunk, &used, &error);
        g_assert_cmpuint(used, <=, chunk);
        pos += used;
        if (st == RPC_FRAME_COMPLETE) {
            gsize flen;
            g_autofree guint8 *frame = rpcFrameReaderSteal(&reader, &flen);
            rpc_message_header hdr;

            g_assert_cmpint(rpcHeaderDecode(frame, flen, &hdr, NULL), ==, 0);
            g_assert_cmpuint(hdr.prog, ==, REMOTE_PROGRAM);
            frames++;
        }
        /* Never more memory than the bytes of the frame so far. */
        g_assert_cmpuint(reader.cap, <=, MAX(reader.have, RPC_FRAME_INITIAL));
    }
    g_assert_cmpint(frames, ==, tc->frames);
    g_assert_cmpint(st, ==, tc->last);
    if (tc->error) {
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error->message, tc->error));
        g_assert_true(g_error_matches(error, RPC_ERROR, VIR_ERR_RPC));
    } else {
        g_assert_no_error(error);
    }
    g_assert_cmpint(rpcFrameReaderRefused(&reader) != NULL, ==,
                    tc->refusedHeader);
    rpcFrameReaderClear(&reader);
}

/* Encode then decode a reply: the header and payload survive. */
static void
testRoundTrip(void)
{
    rpc_message_header hdr = {
        REMOTE_PROGRAM, 1, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_TYPE_REPLY,
        42, RPC_STATUS_OK
    };
    remote_connect_get_hostname_ret ret = { (char *)"host.example" };
    remote_connect_get_hostname_ret back = { 0 };
    rpc_message_header hback;
    g_autoptr(GBytes) frame = NULL;
    gsize len;
    const guint8 *data;
    guint32 word;

    frame = rpcFrameEncode(&hdr,
                           (xdrproc_t)xdr_remote_connect_get_hostname_ret,
                           &ret, NULL);
    data = g_bytes_get_data(frame, &len);
    g_assert_cmpuint(len, ==, 28 + 4 + 12);
    memcpy(&word, data, sizeof(word));
    g_assert_cmpuint(GUINT32_FROM_BE(word), ==, len);
    g_assert_cmpint(rpcHeaderDecode(data, len, &hback, NULL), ==, 0);
    g_assert_cmpmem(&hback, sizeof(hback), &hdr, sizeof(hdr));
    g_assert_cmpint(rpcPayloadDecode(data, len,
                                     (xdrproc_t)xdr_remote_connect_get_hostname_ret,
                                     &back, NULL), ==, 0);
    g_assert_cmpstr(back.hostname, ==, "host.example");
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &back);
}

/* libvirt-rpc.md §2.1: the AUTH_LIST reply, byte for byte. */
static void
testAuthListReply(void)
{
    rpc_message_header hdr = {
        REMOTE_PROGRAM, 1, REMOTE_PROC_AUTH_LIST, RPC_TYPE_REPLY, 0,
        RPC_STATUS_OK
    };
    remote_auth_type none = REMOTE_AUTH_NONE;
    remote_auth_list_ret ret = { { 1, &none } };
    g_autoptr(GBytes) frame = rpcFrameEncode(
        &hdr, (xdrproc_t)xdr_remote_auth_list_ret, &ret, NULL);
    g_autofree char *hex = rpcTestToHex(frame);

    g_assert_cmpstr(hex, ==,
                    "00000024 20008086 00000001 00000042 00000001 00000000 "
                    "00000000 00000001 00000000");
}

/* libvirt-rpc.md §2.5: code 42 "Domain not found".  The example comes
 * from VIR_FROM_DOM (6); ours carries the domain of its GError layer. */
static void
testErrorReply(void)
{
    rpc_message_header call = {
        REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_TYPE_CALL,
        7, RPC_STATUS_OK
    };
    g_autoptr(GError) err = g_error_new_literal(RPC_ERROR, VIR_ERR_NO_DOMAIN,
                                                "Domain not found");
    g_autoptr(GBytes) frame = rpcErrorReply(&call, err);
    g_autofree char *hex = rpcTestToHex(frame);

    g_assert_cmpstr(hex, ==,
                    "0000005c 20008086 00000001 00000017 00000001 00000007 "
                    "00000001 "
                    "0000002a 00000007 00000001 00000010 446f6d61 696e206e "
                    "6f742066 6f756e64 00000002 00000000 00000000 00000000 "
                    "00000000 00000000 00000000 00000000");
}

/* A GError from outside our layers is an internal error, domain NONE. */
static void
testErrorForeign(void)
{
    rpc_message_header call = {
        REMOTE_PROGRAM, 1, 3, RPC_TYPE_CALL, 1, RPC_STATUS_OK
    };
    g_autoptr(GError) err = g_error_new_literal(G_FILE_ERROR,
                                                G_FILE_ERROR_NOENT, "gone");
    g_autoptr(GBytes) frame = rpcErrorReply(&call, err);
    remote_error rerr;

    g_assert_true(rpcTestReplyError(frame, &rerr));
    g_assert_cmpint(rerr.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(rerr.domain, ==, VIR_FROM_NONE);
    g_assert_cmpstr(*rerr.message, ==, "gone");
    xdr_free((xdrproc_t)xdr_remote_error, &rerr);
}

/* libvirt-rpc.md §4.2: PING and PONG bytes. */
static void
testKeepAliveFrames(void)
{
    g_autoptr(GBytes) ping = rpcKeepAliveFrame(KEEPALIVE_PROC_PING);
    g_autoptr(GBytes) pong = rpcKeepAliveFrame(KEEPALIVE_PROC_PONG);
    g_autofree char *pingHex = rpcTestToHex(ping);
    g_autofree char *pongHex = rpcTestToHex(pong);

    g_assert_cmpstr(pingHex, ==, "0000001c 6b656570 00000001 00000001 "
                                 "00000002 00000000 00000000");
    g_assert_cmpstr(pongHex, ==, "0000001c 6b656570 00000001 00000002 "
                                 "00000002 00000000 00000000");
}

/* A reply bigger than the client accepts is an error, not a frame. */
static void
testEncodeTooBig(void)
{
    rpc_message_header hdr = { REMOTE_PROGRAM, 1, 7, RPC_TYPE_REPLY, 0, 0 };
    g_autofree char *big = g_malloc(RPC_MESSAGE_MAX + 1);
    remote_connect_get_capabilities_ret ret = { big };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) frame = NULL;

    memset(big, 'x', RPC_MESSAGE_MAX);
    big[RPC_MESSAGE_MAX] = '\0';
    frame = rpcFrameEncode(&hdr,
                           (xdrproc_t)xdr_remote_connect_get_capabilities_ret,
                           &ret, &error);
    g_assert_null(frame);
    g_assert_true(g_error_matches(error, RPC_ERROR, VIR_ERR_RPC));
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(frameCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/frame/%s",
                                                frameCases[i].name);
        g_test_add_data_func(path, &frameCases[i], testFrame);
    }
    g_test_add_func("/rpc/frame/round-trip", testRoundTrip);
    g_test_add_func("/rpc/frame/auth-list-reply", testAuthListReply);
    g_test_add_func("/rpc/error/reply-bytes", testErrorReply);
    g_test_add_func("/rpc/error/foreign-domain", testErrorForeign);
    g_test_add_func("/rpc/keepalive/frames", testKeepAliveFrames);
    g_test_add_func("/rpc/frame/encode-too-big", testEncodeTooBig);
    return g_test_run();
}
