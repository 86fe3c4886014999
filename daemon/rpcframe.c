/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/rpcframe.h"
#include "util/error.h"
#include "util/i18n.h"

/**
 * rpcFrameReaderInit:
 * @reader: the reader to set up
 *
 * Prepare @reader for the first frame of a stream.
 */
void
rpcFrameReaderInit(rpcFrameReader *reader)
{
    memset(reader, 0, sizeof(*reader));
}

/**
 * rpcFrameReaderClear:
 * @reader: a reader
 *
 * Free the partial frame @reader holds; it can then be used again.
 */
void
rpcFrameReaderClear(rpcFrameReader *reader)
{
    guint32 max = reader->max;

    g_free(reader->buf);
    rpcFrameReaderInit(reader);
    reader->max = max;
}

/**
 * rpcFrameReaderSetMax:
 * @reader: a reader
 * @max: the longest frame (length word included) to accept, at most
 *   RPC_FRAME_MAX; 0 for RPC_FRAME_MAX
 *
 * Lower the limit of the frames @reader accepts (max_payload).
 */
void
rpcFrameReaderSetMax(rpcFrameReader *reader, guint32 max)
{
    reader->max = MIN(max, RPC_FRAME_MAX);
}

/* The longest frame @reader accepts. */
static guint32
rpcFrameReaderLimit(const rpcFrameReader *reader)
{
    return reader->max ? reader->max : RPC_FRAME_MAX;
}

/* Bytes the reader still collects for the current frame. */
static gsize
rpcFrameReaderTarget(const rpcFrameReader *reader)
{
    return reader->oversized ? RPC_FRAME_MIN : reader->length;
}

/* The length word is complete: check it and prepare the buffer. */
static int
rpcFrameReaderStart(rpcFrameReader *reader, GError **error)
{
    guint32 len;

    memcpy(&len, reader->lenWord, sizeof(len));
    reader->length = GUINT32_FROM_BE(len);
    if (reader->length < RPC_FRAME_MIN) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("packet %1$u bytes received from client too small, want at least %2$u"),
                    reader->length, (unsigned int)RPC_FRAME_MIN);
        return -1;
    }
    reader->oversized = reader->length > rpcFrameReaderLimit(reader);
    reader->cap = MIN(rpcFrameReaderTarget(reader), RPC_FRAME_INITIAL);
    reader->buf = g_malloc(reader->cap);
    memcpy(reader->buf, reader->lenWord, RPC_FRAME_LEN_SIZE);
    return 0;
}

/* Copy up to @len bytes of the frame body, growing the buffer. */
static gsize
rpcFrameReaderCopy(rpcFrameReader *reader, const guint8 *data, gsize len)
{
    gsize target = rpcFrameReaderTarget(reader);
    gsize n = MIN(target - reader->have, len);

    if (reader->have + n > reader->cap) {
        reader->cap = MIN(MAX(reader->cap * 2, reader->have + n), target);
        reader->buf = g_realloc(reader->buf, reader->cap);
    }
    memcpy(reader->buf + reader->have, data, n);
    reader->have += n;
    return n;
}

/* The header of a refused (too large) frame has arrived. */
static rpcFrameStatus
rpcFrameReaderRefuse(rpcFrameReader *reader, GError **error)
{
    if (rpcHeaderDecode(reader->buf, reader->have, &reader->refused,
                        NULL) == 0)
        reader->hasHeader = true;
    g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                _("packet %1$u bytes received from client too large, want at most %2$u"),
                reader->length, rpcFrameReaderLimit(reader));
    return RPC_FRAME_INVALID;
}

/**
 * rpcFrameReaderFeed:
 * @reader: a reader
 * @data: bytes received from the stream
 * @len: number of bytes in @data
 * @used: set to the number of bytes of @data consumed
 * @error: return location for a GError
 *
 * Consume bytes until a frame is complete or @data is used up.  A length
 * word below the minimum makes the stream invalid at once; one above the
 * maximum after the header that follows it (so the caller can answer
 * that call with an error, see rpcFrameReaderRefused()).
 *
 * Returns: the state of the reader; RPC_FRAME_INVALID with @error set.
 */
rpcFrameStatus
rpcFrameReaderFeed(rpcFrameReader *reader, const guint8 *data, gsize len,
                   gsize *used, GError **error)
{
    gsize pos = 0;
    rpcFrameStatus status = RPC_FRAME_INCOMPLETE;

    while (pos < len && status == RPC_FRAME_INCOMPLETE) {
        if (reader->have < RPC_FRAME_LEN_SIZE) {
            gsize n = MIN(RPC_FRAME_LEN_SIZE - reader->have, len - pos);

            memcpy(reader->lenWord + reader->have, data + pos, n);
            reader->have += n;
            pos += n;
            if (reader->have == RPC_FRAME_LEN_SIZE &&
                rpcFrameReaderStart(reader, error) < 0)
                status = RPC_FRAME_INVALID;
            continue;
        }
        pos += rpcFrameReaderCopy(reader, data + pos, len - pos);
        if (reader->have == rpcFrameReaderTarget(reader)) {
            status = reader->oversized ? rpcFrameReaderRefuse(reader, error)
                                       : RPC_FRAME_COMPLETE;
        }
    }
    *used = pos;
    return status;
}

/**
 * rpcFrameReaderSteal:
 * @reader: a reader that returned RPC_FRAME_COMPLETE
 * @len: set to the length of the frame
 *
 * Returns: (transfer full): the frame, length word included; the reader
 * starts on the next one.
 */
guint8 *
rpcFrameReaderSteal(rpcFrameReader *reader, gsize *len)
{
    guint8 *frame = g_steal_pointer(&reader->buf);

    *len = reader->length;
    rpcFrameReaderClear(reader);
    return frame;
}

/**
 * rpcFrameReaderRefused:
 * @reader: a reader that returned RPC_FRAME_INVALID
 *
 * Returns: the header of the frame that was refused for its size, or
 * NULL when there is none.
 */
const rpc_message_header *
rpcFrameReaderRefused(const rpcFrameReader *reader)
{
    return reader->hasHeader ? &reader->refused : NULL;
}

/**
 * rpcHeaderDecode:
 * @frame: a frame, length word included
 * @len: its length, at least RPC_FRAME_MIN
 * @hdr: filled with the header
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcHeaderDecode(const guint8 *frame, gsize len, rpc_message_header *hdr,
                GError **error)
{
    XDR xdr;
    bool ok;

    if (len < RPC_FRAME_MIN) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("packet of %1$zu bytes is too short for a message header"),
                    len);
        return -1;
    }
    xdrmem_create(&xdr, (char *)frame + RPC_FRAME_LEN_SIZE,
                  RPC_MESSAGE_HEADER_SIZE, XDR_DECODE);
    ok = xdr_rpc_message_header(&xdr, hdr);
    xdr_destroy(&xdr);
    if (!ok) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_RPC,
                            _("unable to decode message header"));
        return -1;
    }
    return 0;
}

/**
 * rpcFrameEncode:
 * @hdr: the header to send
 * @filter: (nullable): XDR filter of the payload; NULL for none
 * @data: the payload for @filter
 * @error: return location for a GError
 *
 * Build a whole frame.  A frame over RPC_FRAME_MAX is an error: the
 * client would refuse it.
 *
 * Returns: (transfer full): the frame, or NULL with @error set.
 */
GBytes *
rpcFrameEncode(const rpc_message_header *hdr, xdrproc_t filter, void *data,
               GError **error)
{
    gsize size = RPC_FRAME_MIN;
    g_autofree guint8 *buf = NULL;
    guint32 word;
    XDR xdr;
    bool ok;

    if (filter)
        size += xdr_sizeof(filter, data);
    if (size > RPC_FRAME_MAX) {
        g_set_error(error, RPC_ERROR, VIR_ERR_RPC,
                    _("message of %1$zu bytes is larger than the limit of %2$u bytes"),
                    size, (unsigned int)RPC_FRAME_MAX);
        return NULL;
    }
    buf = g_malloc0(size);
    word = GUINT32_TO_BE((guint32)size);
    memcpy(buf, &word, sizeof(word));
    xdrmem_create(&xdr, (char *)buf + RPC_FRAME_LEN_SIZE,
                  size - RPC_FRAME_LEN_SIZE, XDR_ENCODE);
    ok = xdr_rpc_message_header(&xdr, (rpc_message_header *)hdr) &&
         (!filter || filter(&xdr, data)) &&
         xdr_getpos(&xdr) == size - RPC_FRAME_LEN_SIZE;
    xdr_destroy(&xdr);
    if (!ok) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_RPC,
                            _("unable to encode message payload"));
        return NULL;
    }
    return g_bytes_new_take(g_steal_pointer(&buf), size);
}

/**
 * rpcPayloadDecode:
 * @frame: a whole frame
 * @len: its length
 * @filter: XDR filter of the payload
 * @data: zeroed storage for @filter; free it with xdr_free()
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcPayloadDecode(const guint8 *frame, gsize len, xdrproc_t filter,
                 void *data, GError **error)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)frame + RPC_FRAME_MIN, len - RPC_FRAME_MIN,
                  XDR_DECODE);
    ok = filter(&xdr, data);
    xdr_destroy(&xdr);
    if (!ok) {
        g_set_error_literal(error, RPC_ERROR, VIR_ERR_RPC,
                            _("unable to decode message payload"));
        return -1;
    }
    return 0;
}
