/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qapi/json.h"
#include "tests/qemumonitortestutils.h"
#include "util/error.h"
#include "util/fd.h"

typedef enum {
    TEST_QMP_SEND,
    TEST_QMP_EXPECT,
    TEST_QMP_REPLY_TO,
    TEST_QMP_HANGUP,
} testQMPStepType;

typedef struct {
    testQMPStepType type;
    char *text;         /* SEND line, EXPECT command */
    char *reply;        /* EXPECT, REPLY_TO */
    unsigned int nth;   /* REPLY_TO */
} testQMPStep;

struct testQMPServer {
    GPtrArray *steps;
    bool byteByByte;
    bool anyOrder;
    GRand *chunkRand;       /* set: chunked mode */
    size_t maxChunk;
    GString *outbuf;        /* chunked mode: lines not written yet */
    const qapiSchema *schema;
    int fd;
    int listenFD;
    GThread *thread;
    GByteArray *inbuf;
    GPtrArray *ids;         /* ids of the commands received */
    GPtrArray *failures;    /* char * */
    size_t reached;         /* steps done */
};

static void
testQMPStepFree(gpointer data)
{
    testQMPStep *s = data;

    g_free(s->text);
    g_free(s->reply);
    g_free(s);
}

testQMPServer *
testQMPServerNew(void)
{
    testQMPServer *srv = g_new0(testQMPServer, 1);

    srv->steps = g_ptr_array_new_with_free_func(testQMPStepFree);
    srv->fd = -1;
    srv->listenFD = -1;
    srv->inbuf = g_byte_array_new();
    srv->ids = g_ptr_array_new_with_free_func(g_free);
    srv->failures = g_ptr_array_new_with_free_func(g_free);
    srv->outbuf = g_string_new(NULL);
    return srv;
}

void
testQMPServerFree(testQMPServer *srv)
{
    if (!srv)
        return;
    if (srv->thread)
        testQMPServerFinish(srv, NULL);
    vgmCloseFDPtr(&srv->fd);
    vgmCloseFDPtr(&srv->listenFD);
    g_ptr_array_unref(srv->steps);
    g_byte_array_unref(srv->inbuf);
    g_ptr_array_unref(srv->ids);
    g_ptr_array_unref(srv->failures);
    g_string_free(srv->outbuf, TRUE);
    if (srv->chunkRand)
        g_rand_free(srv->chunkRand);
    g_free(srv);
}

void
testQMPServerSetByteByByte(testQMPServer *srv, bool on)
{
    srv->byteByByte = on;
}

void
testQMPServerSetChunked(testQMPServer *srv, guint32 seed, size_t maxChunk)
{
    if (srv->chunkRand)
        g_rand_free(srv->chunkRand);
    srv->chunkRand = g_rand_new_with_seed(seed);
    srv->maxChunk = MAX(maxChunk, 1);
}

void
testQMPServerSetAnyOrder(testQMPServer *srv, bool on)
{
    srv->anyOrder = on;
}

void
testQMPServerSetSchema(testQMPServer *srv, const qapiSchema *schema)
{
    srv->schema = schema;
}

static void
testQMPServerAddStep(testQMPServer *srv, testQMPStepType type,
                     const char *text, const char *reply)
{
    testQMPStep *s = g_new0(testQMPStep, 1);

    s->type = type;
    s->text = g_strdup(text);
    s->reply = g_strdup(reply);
    g_ptr_array_add(srv->steps, s);
}

void
testQMPServerAddSend(testQMPServer *srv, const char *line)
{
    testQMPServerAddStep(srv, TEST_QMP_SEND, line, NULL);
}

/* @reply NULL: read the command but do not answer (yet). */
void
testQMPServerAddExpect(testQMPServer *srv, const char *cmd,
                       const char *reply)
{
    testQMPServerAddStep(srv, TEST_QMP_EXPECT, cmd, reply);
}

void
testQMPServerAddReplyTo(testQMPServer *srv, unsigned int nth,
                        const char *reply)
{
    testQMPServerAddStep(srv, TEST_QMP_REPLY_TO, NULL, reply);
    ((testQMPStep *)srv->steps->pdata[srv->steps->len - 1])->nth = nth;
}

void
testQMPServerAddHangup(testQMPServer *srv)
{
    testQMPServerAddStep(srv, TEST_QMP_HANGUP, NULL, NULL);
}

/**
 * testQMPServerAddFile:
 * @srv: a server
 * @path: a recorded *.jsonl file
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
testQMPServerAddFile(testQMPServer *srv, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(path, &data, NULL, error))
        return -1;
    lines = g_strsplit(data, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *line = g_strstrip(lines[i]);

        if (!*line)
            continue;
        if (g_str_has_prefix(line, "{\"execute\"")) {
            const char *reply = lines[i + 1] ? g_strstrip(lines[i + 1]) : "";

            if (!*reply) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "%s: command without a reply", path);
                return -1;
            }
            testQMPServerAddExpect(srv, line, reply);
            i++;
        } else {
            testQMPServerAddSend(srv, line);
        }
    }
    return 0;
}


/* ---- the server thread ---- */

static void
testQMPServerFailure(testQMPServer *srv, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
testQMPServerFailure(testQMPServer *srv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(srv->failures, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static int
testQMPServerSendAll(testQMPServer *srv, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = send(srv->fd, data + off, len - off, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        off += w;
    }
    return 0;
}

/*
 * Chunked mode: write what the script produced since the last read, in
 * pieces of 1..maxChunk bytes with a short pause after some, so
 * the client sees frames split anywhere (also between "\r" and "\n") and
 * several frames in one read.
 */
static int
testQMPServerFlush(testQMPServer *srv)
{
    size_t off = 0;
    int rc = 0;

    while (rc == 0 && off < srv->outbuf->len) {
        size_t n = g_rand_int_range(srv->chunkRand, 1, srv->maxChunk + 1);

        n = MIN(n, srv->outbuf->len - off);
        rc = testQMPServerSendAll(srv, srv->outbuf->str + off, n);
        off += n;
        if (g_rand_int_range(srv->chunkRand, 0, 8) == 0)
            g_usleep(g_rand_int_range(srv->chunkRand, 1, 200));
    }
    g_string_truncate(srv->outbuf, 0);
    return rc;
}

static int
testQMPServerWrite(testQMPServer *srv, const char *text)
{
    g_autofree char *line = g_strconcat(text, "\r\n", NULL);
    size_t len = strlen(line);
    size_t off;

    if (srv->chunkRand) {
        g_string_append(srv->outbuf, line);
        return 0;
    }
    if (!srv->byteByByte)
        return testQMPServerSendAll(srv, line, len);
    for (off = 0; off < len; off++) {
        if (testQMPServerSendAll(srv, line + off, 1) < 0)
            return -1;
    }
    return 0;
}

/* Reads one line ("\n", a "\r" before it dropped); NULL on EOF. */
static char *
testQMPServerReadLine(testQMPServer *srv)
{
    char buf[4096];

    for (;;) {
        guint8 *nl = srv->inbuf->len ?
            memchr(srv->inbuf->data, '\n', srv->inbuf->len) : NULL;
        ssize_t n;

        if (nl) {
            size_t len = nl - srv->inbuf->data;
            char *line = g_strndup((char *)srv->inbuf->data, len);

            g_byte_array_remove_range(srv->inbuf, 0, len + 1);
            return g_strchomp(line);
        }
        if (srv->chunkRand && testQMPServerFlush(srv) < 0)
            return NULL;
        n = read(srv->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        g_byte_array_append(srv->inbuf, (guint8 *)buf, n);
    }
}

static int
testQMPServerReply(testQMPServer *srv, const char *reply, const char *id)
{
    g_autoptr(qapiJSON) r = qapiJSONParse(reply, NULL);
    g_autofree char *text = NULL;

    if (!r || qapiJSONGetType(r) != QAPI_JSON_TYPE_OBJECT) {
        /* not an object: send it as it is (garbage tests) */
        return testQMPServerWrite(srv, reply);
    }
    if (id)
        qapiJSONObjectSet(r, "id", qapiJSONNewString(id));
    text = qapiJSONFormat(r, false);
    return testQMPServerWrite(srv, text);
}

static void
testQMPServerRefuse(testQMPServer *srv, const qapiJSON *cmd, const char *why)
{
    g_autofree char *reply = g_strdup_printf(
        "{\"error\":{\"class\":\"GenericError\",\"desc\":\"fake QMP server: %s\"}}",
        why);

    testQMPServerReply(srv, reply, qapiJSONObjectGetString(cmd, "id"));
}

static void
testQMPServerCheckSchema(testQMPServer *srv, const qapiJSON *cmd)
{
    g_autoptr(GError) error = NULL;
    const char *execute = qapiJSONObjectGetString(cmd, "execute");

    if (!srv->schema || !execute)
        return;
    if (qapiSchemaValidateArgs(srv->schema, execute,
                               qapiJSONObjectGet(cmd, "arguments"),
                               &error) < 0)
        testQMPServerFailure(srv, "command fails the schema check: %s",
                             error->message);
}

static bool
testQMPServerArgsMatch(const qapiJSON *want, const qapiJSON *got)
{
    const qapiJSON *wa = qapiJSONObjectGet(want, "arguments");
    const qapiJSON *ga = qapiJSONObjectGet(got, "arguments");

    if (!wa)
        return !ga || qapiJSONObjectSize(ga) == 0;
    return qapiJSONEqual(wa, ga);
}

static bool
testQMPServerMatches(const testQMPStep *step, const qapiJSON *got)
{
    g_autoptr(qapiJSON) want = qapiJSONParse(step->text, NULL);

    return want && got &&
        g_strcmp0(qapiJSONObjectGetString(got, "execute"),
                  qapiJSONObjectGetString(want, "execute")) == 0 &&
        testQMPServerArgsMatch(want, got);
}

/* @got matched @step: check it, remember its id and reply. */
static void
testQMPServerAccept(testQMPServer *srv, const testQMPStep *step,
                    const qapiJSON *got)
{
    const char *id = qapiJSONObjectGetString(got, "id");

    testQMPServerCheckSchema(srv, got);
    g_ptr_array_add(srv->ids, g_strdup(id));
    if (step->reply)
        testQMPServerReply(srv, step->reply, id);
}

/* Returns false when the script cannot go on. */
static bool
testQMPServerExpect(testQMPServer *srv, const testQMPStep *step)
{
    g_autofree char *line = testQMPServerReadLine(srv);
    g_autoptr(qapiJSON) got = NULL;

    if (!line) {
        testQMPServerFailure(srv, "client hung up before sending %s",
                             step->text);
        return false;
    }
    got = qapiJSONParse(line, NULL);
    if (!testQMPServerMatches(step, got)) {
        testQMPServerFailure(srv, "expected %s, got %s", step->text, line);
        if (got)
            testQMPServerRefuse(srv, got, "unexpected command");
        return false;
    }
    testQMPServerAccept(srv, step, got);
    return true;
}

/* Any-order mode: the first unused expect step @got matches, or -1. */
static gssize
testQMPServerFindUnused(testQMPServer *srv, const bool *used,
                        const qapiJSON *got)
{
    size_t i;

    for (i = 0; i < srv->steps->len; i++) {
        const testQMPStep *s = srv->steps->pdata[i];

        if (s->type == TEST_QMP_EXPECT && !used[i] &&
            testQMPServerMatches(s, got))
            return i;
    }
    return -1;
}

static void
testQMPServerRunAnyOrder(testQMPServer *srv, size_t left)
{
    g_autofree bool *used = g_new0(bool, srv->steps->len);
    size_t i;

    while (left > 0) {
        g_autofree char *line = testQMPServerReadLine(srv);
        g_autoptr(qapiJSON) got = line ? qapiJSONParse(line, NULL) : NULL;
        gssize j;

        if (!line) {
            testQMPServerFailure(srv, "client hung up with %zu expected commands left",
                                 left);
            return;
        }
        if ((j = testQMPServerFindUnused(srv, used, got)) < 0) {
            testQMPServerFailure(srv, "unexpected command %s", line);
            if (got)
                testQMPServerRefuse(srv, got, "unexpected command");
            continue;
        }
        used[j] = true;
        left--;
        testQMPServerAccept(srv, srv->steps->pdata[j], got);
        for (i = j + 1; i < srv->steps->len; i++) {
            const testQMPStep *s = srv->steps->pdata[i];

            if (s->type != TEST_QMP_SEND)
                break;
            testQMPServerWrite(srv, s->text);
        }
    }
}

static bool
testQMPServerRunStep(testQMPServer *srv, const testQMPStep *step)
{
    switch (step->type) {
    case TEST_QMP_SEND:
        return testQMPServerWrite(srv, step->text) == 0;
    case TEST_QMP_EXPECT:
        return testQMPServerExpect(srv, step);
    case TEST_QMP_REPLY_TO:
        if (step->nth >= srv->ids->len) {
            testQMPServerFailure(srv, "reply to command %u, which did not come",
                                 step->nth);
            return false;
        }
        return testQMPServerReply(srv, step->reply,
                                  srv->ids->pdata[step->nth]) == 0;
    case TEST_QMP_HANGUP:
        if (srv->chunkRand)
            testQMPServerFlush(srv);
        shutdown(srv->fd, SHUT_RDWR);
        return false;
    }
    return false;
}

/* After the script: every further command is unexpected. */
static void
testQMPServerDrain(testQMPServer *srv)
{
    char *line;

    while ((line = testQMPServerReadLine(srv))) {
        g_autoptr(qapiJSON) cmd = qapiJSONParse(line, NULL);

        testQMPServerFailure(srv, "unexpected command after the script: %s",
                             line);
        if (cmd)
            testQMPServerRefuse(srv, cmd, "unexpected command");
        g_free(line);
    }
}

static void
testQMPServerAnyOrderThread(testQMPServer *srv)
{
    size_t left = 0;
    size_t i;

    for (i = 0; i < srv->steps->len; i++) {
        const testQMPStep *s = srv->steps->pdata[i];

        if (s->type == TEST_QMP_EXPECT)
            left++;
        else if (left == 0 && s->type == TEST_QMP_SEND)
            testQMPServerWrite(srv, s->text);
    }
    testQMPServerRunAnyOrder(srv, left);
    srv->reached = srv->steps->len;
    testQMPServerDrain(srv);
}

static gpointer
testQMPServerThread(gpointer opaque)
{
    testQMPServer *srv = opaque;

    if (srv->listenFD >= 0) {
        srv->fd = accept(srv->listenFD, NULL, NULL);
        if (srv->fd < 0) {
            testQMPServerFailure(srv, "accept: %s", g_strerror(errno));
            return NULL;
        }
    }
    if (srv->anyOrder) {
        testQMPServerAnyOrderThread(srv);
        return NULL;
    }
    for (srv->reached = 0; srv->reached < srv->steps->len; srv->reached++) {
        const testQMPStep *step = srv->steps->pdata[srv->reached];

        if (!testQMPServerRunStep(srv, step)) {
            srv->reached++;
            if (step->type == TEST_QMP_HANGUP)
                return NULL;
            break;
        }
    }
    testQMPServerDrain(srv);
    return NULL;
}

int
testQMPServerStart(testQMPServer *srv, GError **error)
{
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "socketpair: %s", g_strerror(errno));
        return -1;
    }
    srv->fd = fds[0];
    srv->thread = g_thread_new("fake-qmp", testQMPServerThread, srv);
    return fds[1];
}

int
testQMPServerStartListen(testQMPServer *srv, const char *path,
                         GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    VGM_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "listen on %s: %s", path, g_strerror(errno));
        return -1;
    }
    srv->listenFD = vgmStealFD(&fd);
    srv->thread = g_thread_new("fake-qmp", testQMPServerThread, srv);
    return 0;
}

int
testQMPServerFinish(testQMPServer *srv, GError **error)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    size_t i;

    if (srv->thread) {
        g_thread_join(srv->thread);
        srv->thread = NULL;
    }
    vgmCloseFDPtr(&srv->fd);
    for (i = 0; i < srv->failures->len; i++)
        g_string_append_printf(msg, "%s\n", (char *)srv->failures->pdata[i]);
    for (i = srv->reached; i < srv->steps->len; i++) {
        const testQMPStep *s = srv->steps->pdata[i];

        g_string_append_printf(msg, "step %zu not reached: %s\n", i,
                               s->text ? s->text : s->reply ? s->reply : "");
    }
    if (msg->len == 0)
        return 0;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "fake QMP server: %s",
                msg->str);
    return -1;
}
