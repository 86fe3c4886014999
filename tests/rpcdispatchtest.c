/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_RPCDISPATCHPRIV_H_ALLOW
#include "daemon/rpcdispatchpriv.h"
#include "daemon/rpcframe.h"
#include "daemon/rpcprograms.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/* daemon/rpcdispatch.c, rpcremote.c, rpcconn.c: calls in, replies out. */

typedef struct {
    int proc;               /* 0 ends a list */
    int intArg;             /* feature, event ID, callback ID */
    const char *strArg;     /* CONNECT_OPEN's name (NULL: absent) */
    unsigned int flags;     /* CONNECT_OPEN's flags */
    int errCode;            /* virErrorNumber expected; 0: success */
    const char *expect;     /* the ret as text, or a substring of the
                             * error message; NULL: not checked */
} callStep;

typedef struct {
    const char *name;
    bool privileged;
    bool readonlySocket;
    int keepAlives;         /* startKeepAlive calls expected */
    const callStep *steps;
} dispatchCase;

#define OPEN_SYSTEM { REMOTE_PROC_CONNECT_OPEN, 0, "gmem:///system", 0, 0, NULL }
#define END { 0 }

static const dispatchCase dispatchCases[] = {
    { "opening-sequence", true, false, 1, (const callStep[]){
        { REMOTE_PROC_AUTH_LIST, 0, NULL, 0, 0, "0" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 10, NULL, 0, 0, "1" },
        OPEN_SYSTEM,
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 14, NULL, 0, 0, "1" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 15, NULL, 0, 0, "1" },
        { REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_GET_TYPE, 0, NULL, 0, 0, "GMEM" },
        { REMOTE_PROC_CONNECT_GET_VERSION, 0, NULL, 0, 0, "0" },
        { REMOTE_PROC_CONNECT_GET_LIB_VERSION, 0, NULL, 0, 0, "1000" },
        { REMOTE_PROC_CONNECT_GET_URI, 0, NULL, 0, 0, "gmem:///system" },
        { REMOTE_PROC_CONNECT_IS_SECURE, 0, NULL, 0, 0, "1" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 8, NULL, 0, 0, "0" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 13, NULL, 0, 0, "0" },
        { REMOTE_PROC_NODE_GET_SECURITY_MODEL, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_GET_CAPABILITIES, 0, NULL, 0,
          VIR_ERR_NO_SUPPORT, "virConnectGetCapabilities" },
        { REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_CLOSE, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_GET_TYPE, 0, NULL, 0, VIR_ERR_OPERATION_INVALID,
          "connection not open" },
        END } },
    { "before-open", true, false, 1, (const callStep[]){
        { REMOTE_PROC_CONNECT_GET_TYPE, 0, NULL, 0, VIR_ERR_OPERATION_INVALID,
          "connection not open" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 13, NULL, 0,
          VIR_ERR_OPERATION_INVALID, "connection not open" },
        { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 10, NULL, 0, 0, "1" },
        { REMOTE_PROC_AUTH_LIST, 0, NULL, 0, 0, "0" },
        END } },
    { "unknown-procedures", true, false, 0, (const callStep[]){
        /* migration (Perform3Params, GetJobInfo) is a later step */
        { 305, 0, NULL, 0, VIR_ERR_NO_SUPPORT, "unknown procedure: 305" },
        OPEN_SYSTEM,
        { 163, 0, NULL, 0, VIR_ERR_NO_SUPPORT, "unknown procedure: 163" },
        /* served, but this daemon has no driver */
        { REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, 0, NULL, 0, VIR_ERR_NO_SUPPORT,
          "not supported by the connection driver: virConnectNumOfDomains" },
        { 9999, 0, NULL, 0, VIR_ERR_NO_SUPPORT, "unknown procedure: 9999" },
        { -1, 0, NULL, 0, VIR_ERR_NO_SUPPORT, "unknown procedure: -1" },
        END } },
    { "open-twice", true, false, 0, (const callStep[]){
        OPEN_SYSTEM,
        { REMOTE_PROC_CONNECT_OPEN, 0, "gmem:///system", 0,
          VIR_ERR_OPERATION_INVALID, "connection already open" },
        END } },
    { "open-default-uri", true, false, 0, (const callStep[]){
        { REMOTE_PROC_CONNECT_OPEN, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_GET_URI, 0, NULL, 0, 0, "gmem:///system" },
        END } },
    { "open-session-as-root", true, false, 0, (const callStep[]){
        { REMOTE_PROC_CONNECT_OPEN, 0, "gmem:///session", 6, 0, "" },
        { REMOTE_PROC_CONNECT_GET_URI, 0, NULL, 0, 0, "gmem:///session" },
        END } },
    { "open-other-driver", true, false, 0, (const callStep[]){
        { REMOTE_PROC_CONNECT_OPEN, 0, "qemu:///system", 0, VIR_ERR_NO_CONNECT,
          "no connection driver available for 'qemu:///system'" },
        { REMOTE_PROC_CONNECT_OPEN, 0, "gmem://host/system", 0,
          VIR_ERR_NO_CONNECT, "no connection driver" },
        { REMOTE_PROC_CONNECT_OPEN, 0, "gmem:///nope", 0, VIR_ERR_INVALID_ARG,
          "unexpected URI path '/nope', try gmem:///system" },
        END } },
    { "session-daemon", false, false, 0, (const callStep[]){
        { REMOTE_PROC_CONNECT_OPEN, 0, "gmem:///system", 0,
          VIR_ERR_INVALID_ARG, "try gmem:///session" },
        { REMOTE_PROC_CONNECT_OPEN, 0, NULL, 0, 0, "" },
        { REMOTE_PROC_CONNECT_GET_URI, 0, NULL, 0, 0, "gmem:///session" },
        END } },
    { "event-callbacks", true, false, 0, (const callStep[]){
        OPEN_SYSTEM,
        { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 0, NULL, 0,
          0, "1" },
        { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 26, NULL, 0,
          0, "2" },
        { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 27, NULL, 0,
          VIR_ERR_INVALID_ARG, "unsupported event ID 27" },
        { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, 1, NULL, 0,
          0, "" },
        { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, 1, NULL, 0,
          VIR_ERR_INVALID_ARG, "callback 1 is not registered" },
        END } },
    { "readonly-socket", true, true, 0, (const callStep[]){
        OPEN_SYSTEM,
        { REMOTE_PROC_CONNECT_GET_TYPE, 0, NULL, 0, 0, "GMEM" },
        { REMOTE_PROC_CONNECT_GET_HOSTNAME, 0, NULL, 0, 0, NULL },
        /* refused before the arguments are even decoded */
        { REMOTE_PROC_DOMAIN_CREATE, 0, NULL, 0, VIR_ERR_OPERATION_DENIED,
          "read only access prevents virDomainCreate" },
        { REMOTE_PROC_DOMAIN_DEFINE_XML, 0, NULL, 0, VIR_ERR_OPERATION_DENIED,
          "read only access prevents virDomainDefineXML" },
        { REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE, 0, NULL, 0,
          VIR_ERR_OPERATION_DENIED, "prevents virConnectDomainXMLToNative" },
        { REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES, 0, NULL, 0,
          VIR_ERR_OPERATION_DENIED, "prevents virConnectGetDomainCapabilities" },
        /* allowed: no driver in this test, so "not supported" */
        { REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, 0, NULL, 0, VIR_ERR_NO_SUPPORT,
          "virConnectNumOfDomains" },
        END } },
};

static void
countKeepAlive(gpointer opaque)
{
    (*(int *)opaque)++;
}

/* Encode a step's call; its arguments depend on the procedure. */
static GBytes *
buildCall(const callStep *step, unsigned int serial)
{
    remote_connect_open_args open = { NULL, step->flags };
    char *name = (char *)step->strArg;
    int i = step->intArg;
    remote_connect_domain_event_callback_register_any_args reg = { i, NULL };

    if (name)
        open.name = &name;
    switch (step->proc) {
    case REMOTE_PROC_CONNECT_OPEN:
        return rpcTestCall(step->proc, serial,
                           (xdrproc_t)xdr_remote_connect_open_args, &open);
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY:
        return rpcTestCall(step->proc, serial, (xdrproc_t)xdr_int, &i);
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        return rpcTestCall(step->proc, serial,
            (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args,
            &reg);
    }
    return rpcTestCall(step->proc, serial, NULL, NULL);
}

/* The ret of a successful reply as text ("" for void). */
static char *
retText(int proc, GBytes *reply)
{
    union {
        char *str;
        int num;
        guint64 u64;
        remote_auth_list_ret auth;
    } r;
    gsize len;
    char *text;

    memset(&r, 0, sizeof(r));
    g_bytes_get_data(reply, &len);
    switch (proc) {
    case REMOTE_PROC_AUTH_LIST:
        g_assert_true(rpcTestReplyRet(reply,
                                      (xdrproc_t)xdr_remote_auth_list_ret,
                                      &r.auth));
        g_assert_cmpuint(r.auth.types.types_len, ==, 1);
        text = g_strdup_printf("%d", r.auth.types.types_val[0]);
        xdr_free((xdrproc_t)xdr_remote_auth_list_ret, &r.auth);
        return text;
    case REMOTE_PROC_CONNECT_GET_TYPE:
    case REMOTE_PROC_CONNECT_GET_URI:
    case REMOTE_PROC_CONNECT_GET_HOSTNAME:
        g_assert_true(rpcTestReplyRet(reply, (xdrproc_t)xdr_wrapstring,
                                      &r.str));
        return r.str;
    case REMOTE_PROC_CONNECT_GET_VERSION:
    case REMOTE_PROC_CONNECT_GET_LIB_VERSION:
        g_assert_true(rpcTestReplyRet(reply, (xdrproc_t)xdr_u_quad_t,
                                      &r.u64));
        return g_strdup_printf("%" G_GUINT64_FORMAT, r.u64);
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
    case REMOTE_PROC_CONNECT_IS_SECURE:
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        g_assert_true(rpcTestReplyRet(reply, (xdrproc_t)xdr_int, &r.num));
        return g_strdup_printf("%d", r.num);
    case REMOTE_PROC_NODE_GET_SECURITY_MODEL:
        /* Two empty char arrays. */
        g_assert_cmpuint(len, ==, 28 + 8);
        return g_strdup("");
    }
    g_assert_true(rpcTestReplyRet(reply, NULL, NULL));
    return g_strdup("");
}

static void
checkStep(const callStep *step, unsigned int serial, GBytes *reply)
{
    rpc_message_header hdr;
    remote_error err;

    rpcTestReplyHeader(reply, &hdr);
    g_assert_cmpuint(hdr.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpint(hdr.proc, ==, step->proc);
    g_assert_cmpuint(hdr.serial, ==, serial);
    g_assert_cmpint(hdr.type, ==, RPC_TYPE_REPLY);
    if (rpcTestReplyError(reply, &err)) {
        if (step->errCode == 0)
            VGM_TEST_FAIL("proc %d: unexpected error %s", step->proc,
                          *err.message);
        g_assert_cmpint(err.code, ==, step->errCode);
        g_assert_cmpint(err.level, ==, VIR_ERR_ERROR);
        g_assert_nonnull(strstr(*err.message, step->expect));
        xdr_free((xdrproc_t)xdr_remote_error, &err);
    } else {
        g_autofree char *text = retText(step->proc, reply);

        g_assert_cmpint(step->errCode, ==, 0);
        if (step->expect)
            g_assert_cmpstr(text, ==, step->expect);
    }
}

static void
testDispatch(gconstpointer data)
{
    const dispatchCase *tc = data;
    rpcDaemon daemon = { .privileged = tc->privileged };
    int keepAlives = 0;
    rpcConnOps ops = { countKeepAlive, &keepAlives };
    g_autoptr(rpcConn) conn = rpcConnNew(&daemon, tc->readonlySocket, &ops);
    unsigned int serial;

    for (serial = 0; tc->steps[serial].proc != 0; serial++) {
        const callStep *step = &tc->steps[serial];
        g_autoptr(GBytes) call = buildCall(step, serial);
        gsize len;
        const guint8 *frame = g_bytes_get_data(call, &len);
        g_autoptr(GBytes) reply = rpcDispatch(rpcPrograms, conn, frame, len);

        checkStep(step, serial, reply);
    }
    g_assert_cmpint(keepAlives, ==, tc->keepAlives);
    g_assert_cmpint(rpcConnIsReadOnly(conn), ==, tc->readonlySocket);
}

/* A program with a procedure that writes, to see read-only refusals. */
static int
procOK(rpcConn *conn, void *args, void *ret, GError **error)
{
    return 0;
}

static int
procOpen(rpcConn *conn, void *args, void *ret, GError **error)
{
    const remote_connect_open_args *a = args;

    return rpcConnOpen(conn, NULL, a->flags, error);
}

static const rpcProc testProcs[] = {
    { 1, "virTestOpen", RPC_XDR(remote_connect_open_args), RPC_XDR_VOID,
      procOpen, RPC_PROC_READONLY | RPC_PROC_NO_OPEN },
    { 5, "virTestWrite", RPC_XDR_VOID, RPC_XDR_VOID, procOK, 0 },
    { 6, "virTestRead", RPC_XDR_VOID, RPC_XDR_VOID, procOK,
      RPC_PROC_READONLY },
};
static const rpcProgram testProgram = {
    REMOTE_PROGRAM, 1, testProcs, G_N_ELEMENTS(testProcs)
};
static const rpcProgram *const testPrograms[] = { &testProgram, NULL };

typedef struct {
    const char *name;
    bool readonlySocket;
    unsigned int openFlags;
    guint32 prog;
    int type;
    int status;
    int proc;
    int errCode;            /* 0: success */
    const char *error;
} accessCase;

static const accessCase accessCases[] = {
    { "rw-write", false, 0, REMOTE_PROGRAM, RPC_TYPE_CALL, 0, 5, 0, NULL },
    { "ro-socket-write", true, 0, REMOTE_PROGRAM, RPC_TYPE_CALL, 0, 5,
      VIR_ERR_OPERATION_DENIED,
      "operation forbidden: read only access prevents virTestWrite" },
    { "ro-flag-write", false, 1, REMOTE_PROGRAM, RPC_TYPE_CALL, 0, 5,
      VIR_ERR_OPERATION_DENIED, "read only access prevents virTestWrite" },
    { "ro-socket-read", true, 0, REMOTE_PROGRAM, RPC_TYPE_CALL, 0, 6, 0,
      NULL },
    { "unknown-program", false, 0, 0x12345678, RPC_TYPE_CALL, 0, 6,
      VIR_ERR_RPC, "cannot find program 305419896 version 1" },
    { "not-a-call", false, 0, REMOTE_PROGRAM, RPC_TYPE_STREAM, 0, 6,
      VIR_ERR_RPC, "unexpected message type 3" },
    { "bad-status", false, 0, REMOTE_PROGRAM, RPC_TYPE_CALL, 2, 6,
      VIR_ERR_RPC, "unexpected message status 2" },
};

static GBytes *
dispatchRaw(rpcConn *conn, guint32 prog, int type, int status, int proc,
            xdrproc_t filter, void *args)
{
    rpc_message_header hdr = { prog, 1, proc, type, 3, status };
    g_autoptr(GBytes) call = rpcFrameEncode(&hdr, filter, args, NULL);
    gsize len;
    const guint8 *frame = g_bytes_get_data(call, &len);

    return rpcDispatch(testPrograms, conn, frame, len);
}

static void
testAccess(gconstpointer data)
{
    const accessCase *tc = data;
    rpcDaemon daemon = { .privileged = true };
    g_autoptr(rpcConn) conn = rpcConnNew(&daemon, tc->readonlySocket, NULL);
    remote_connect_open_args open = { NULL, tc->openFlags };
    g_autoptr(GBytes) opened = dispatchRaw(conn, REMOTE_PROGRAM,
        RPC_TYPE_CALL, 0, 1, (xdrproc_t)xdr_remote_connect_open_args, &open);
    g_autoptr(GBytes) reply = dispatchRaw(conn, tc->prog, tc->type,
                                          tc->status, tc->proc, NULL, NULL);
    remote_error err;

    g_assert_true(rpcTestReplyRet(opened, NULL, NULL));
    if (!rpcTestReplyError(reply, &err)) {
        g_assert_cmpint(tc->errCode, ==, 0);
        g_assert_true(rpcTestReplyRet(reply, NULL, NULL));
        return;
    }
    g_assert_cmpint(err.code, ==, tc->errCode);
    g_assert_cmpint(err.domain, ==, VIR_FROM_RPC);
    g_assert_nonnull(strstr(*err.message, tc->error));
    xdr_free((xdrproc_t)xdr_remote_error, &err);
}

/* bsearch needs every table sorted, without duplicates. */
static void
testTablesSorted(void)
{
    const rpcProgram *const *prog;
    gsize i;

    for (prog = rpcPrograms; *prog; prog++) {
        for (i = 1; i < (*prog)->nprocs; i++)
            g_assert_cmpint((*prog)->procs[i - 1].proc, <,
                            (*prog)->procs[i].proc);
    }
}

/* Which callbacks a lifecycle event of a domain goes to. */
static void
testEventTargets(void)
{
    rpcDaemon daemon = { .privileged = true };
    g_autoptr(rpcConn) conn = rpcConnNew(&daemon, false, NULL);
    remote_nonnull_domain vm1 = { (char *)"vm1", "0123456789abcdef", -1 };
    g_autoptr(GArray) forVm1 = NULL;
    g_autoptr(GArray) forVm2 = NULL;

    g_assert_cmpint(rpcConnOpen(conn, NULL, 0, NULL), ==, 0);
    g_assert_cmpint(rpcConnEventRegister(conn, 0, NULL, NULL), ==, 1);
    g_assert_cmpint(rpcConnEventRegister(conn, 0, &vm1, NULL), ==, 2);
    g_assert_cmpint(rpcConnEventRegister(conn, 1, NULL, NULL), ==, 3);
    forVm1 = rpcConnEventTargets(conn, 0, "0123456789abcdef");
    forVm2 = rpcConnEventTargets(conn, 0, "fedcba9876543210");
    g_assert_cmpuint(forVm1->len, ==, 2);
    g_assert_cmpint(g_array_index(forVm1, int, 0), ==, 1);
    g_assert_cmpint(g_array_index(forVm1, int, 1), ==, 2);
    g_assert_cmpuint(forVm2->len, ==, 1);
    g_assert_cmpint(g_array_index(forVm2, int, 0), ==, 1);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(dispatchCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/dispatch/%s",
                                                dispatchCases[i].name);
        g_test_add_data_func(path, &dispatchCases[i], testDispatch);
    }
    for (i = 0; i < G_N_ELEMENTS(accessCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/access/%s",
                                                accessCases[i].name);
        g_test_add_data_func(path, &accessCases[i], testAccess);
    }
    g_test_add_func("/rpc/dispatch/tables-sorted", testTablesSorted);
    g_test_add_func("/rpc/events/targets", testEventTargets);
    return g_test_run();
}
