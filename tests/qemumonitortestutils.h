/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qapi/schema.h"

/*
 * A fake QMP server for tests.  It runs a script in a thread of its own
 * on one end of a socketpair (or a UNIX socket it listens on) with
 * blocking I/O, so the code under test can iterate its own context.
 *
 * Steps run in the order added:
 *   send      write a line (greeting, event, garbage) followed by "\r\n"
 *   expect    read one command; its "execute" must match, and its
 *             "arguments" too when the expected command has them (or
 *             the expected has none and the command has none).  The
 *             reply, if given, is sent with the command's "id" added.
 *   reply-to  reply to the N-th command received (0-based), for
 *             out-of-order replies
 *   hang-up   shut the connection down and stop
 * A command that does not match, or any command after the script ended,
 * is recorded as a failure and answered with a GenericError, so the
 * client does not hang.  With a schema set, every command received is
 * also validated against it (STYLE 38).
 *
 * Recorded replies (qemu-replies/<ver>/q35/NN-name.jsonl) are added with
 * testQMPServerAddFile(): a {"QMP": …} line is the greeting, an
 * {"execute": …} line is expected and the line after it is its reply,
 * any other line (events) is sent.
 */

typedef struct testQMPServer testQMPServer;

testQMPServer *testQMPServerNew(void);
void testQMPServerFree(testQMPServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testQMPServer, testQMPServerFree);

void testQMPServerSetByteByByte(testQMPServer *srv, bool on);
/*
 * Chunked: what the script writes between two reads of the server goes
 * out together, cut at random (from @seed) into pieces of 1..@maxChunk
 * bytes with short pauses, so frames reach the client split anywhere
 * and several to one read.
 */
void testQMPServerSetChunked(testQMPServer *srv, guint32 seed,
                             size_t maxChunk);
/*
 * Any order: after the leading send steps (the greeting), each command
 * received is matched against the expect steps not used yet, in any
 * order; its reply and the send steps right after it (its events) go
 * out.  reply-to and hang-up steps are not used in this mode.
 */
void testQMPServerSetAnyOrder(testQMPServer *srv, bool on);
void testQMPServerSetSchema(testQMPServer *srv, const qapiSchema *schema);

void testQMPServerAddSend(testQMPServer *srv, const char *line);
void testQMPServerAddExpect(testQMPServer *srv, const char *cmd,
                            const char *reply);
void testQMPServerAddReplyTo(testQMPServer *srv, unsigned int nth,
                             const char *reply);
void testQMPServerAddHangup(testQMPServer *srv);
int testQMPServerAddFile(testQMPServer *srv, const char *path,
                         GError **error);

/* Start the thread; returns the client's end of a socketpair. */
int testQMPServerStart(testQMPServer *srv, GError **error);
/* Start the thread listening on @path (accepts one client). */
int testQMPServerStartListen(testQMPServer *srv, const char *path,
                             GError **error);
/*
 * Wait for the thread (it ends after a hang-up step, or when the client
 * closes its end after the script) and report: -1 with @error listing
 * every failure and every step not reached.
 */
int testQMPServerFinish(testQMPServer *srv, GError **error);
