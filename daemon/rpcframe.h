/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/protocol/remote.h"

/*
 * Framing of libvirt RPC messages: a 4-byte big-endian length word that
 * counts itself, a 24-byte header, then the XDR payload.
 */
#define RPC_FRAME_LEN_SIZE 4
#define RPC_FRAME_MIN (RPC_FRAME_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE)
#define RPC_FRAME_MAX (RPC_FRAME_LEN_SIZE + RPC_MESSAGE_MAX)
/* The first buffer of a frame; it grows with the bytes that arrive. */
#define RPC_FRAME_INITIAL 65536

typedef enum {
    RPC_FRAME_INCOMPLETE,   /* all input used, no frame yet */
    RPC_FRAME_COMPLETE,     /* a frame is ready: rpcFrameReaderSteal() */
    RPC_FRAME_INVALID,      /* the stream is unusable; close it */
} rpcFrameStatus;

/*
 * Incremental reader of frames from a byte stream.  It never holds more
 * memory than the bytes received for the current frame (rounded up to
 * a doubling), and never more than RPC_FRAME_MAX.
 */
typedef struct {
    guint8 lenWord[RPC_FRAME_LEN_SIZE];
    guint32 length;         /* of the current frame, once known */
    gsize have;             /* bytes of the current frame received */
    guint8 *buf;            /* the frame, length word included */
    gsize cap;
    bool oversized;         /* reading the header of a refused frame */
    bool hasHeader;         /* header of a refused frame is valid */
    rpc_message_header refused;
    guint32 max;            /* longest frame accepted; 0: RPC_FRAME_MAX */
} rpcFrameReader;

void rpcFrameReaderInit(rpcFrameReader *reader);
void rpcFrameReaderClear(rpcFrameReader *reader);
void rpcFrameReaderSetMax(rpcFrameReader *reader, guint32 max);
rpcFrameStatus rpcFrameReaderFeed(rpcFrameReader *reader, const guint8 *data,
                                  gsize len, gsize *used, GError **error);
guint8 *rpcFrameReaderSteal(rpcFrameReader *reader, gsize *len);
const rpc_message_header *rpcFrameReaderRefused(const rpcFrameReader *reader);

int rpcHeaderDecode(const guint8 *frame, gsize len, rpc_message_header *hdr,
                    GError **error);
GBytes *rpcFrameEncode(const rpc_message_header *hdr, xdrproc_t filter,
                       void *data, GError **error);
int rpcPayloadDecode(const guint8 *frame, gsize len, xdrproc_t filter,
                     void *data, GError **error);
