/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/rpcdaemonconf.h"
#include "tests/testutils.h"
#include "util/error.h"

/* daemon/rpcdaemonconf.c: virtgmemd.conf text in, settings or an error
 * naming file and line out. */

typedef struct {
    const char *name;
    const char *text;
    const char *expect;     /* the settings as rpcConfFormat() writes
                             * them, or the whole error message */
    bool fails;
} confCase;

#define NEEDS_AUTH_NONE \
    "test.conf: a TCP listener needs auth_tcp = \"none\" (virtgmemd has " \
    "no SASL: TCP clients are not authenticated)"

static const confCase confCases[] = {
    { "empty", "",
      "group=- dir=- ro=- rw=- tcp=0 addr=- port=16509 auth=sasl "
      "clients=512 requests=16 workers=20/5 ka=5/5 payload=33554432 log=3",
      false },
    { "comments-and-blanks", "# a comment\n\n   \t\n  # indented\n",
      "group=- dir=- ro=- rw=- tcp=0 addr=- port=16509 auth=sasl "
      "clients=512 requests=16 workers=20/5 ka=5/5 payload=33554432 log=3",
      false },
    { "every-key",
      "unix_sock_group = \"libvirt\"\n"
      "unix_sock_ro_perms = \"0777\"\n"
      "unix_sock_rw_perms = \"0770\"  # trailing comment\n"
      "unix_sock_dir = \"/run/x\"\n"
      "listen_tcp = 1\n"
      "listen_addr = '127.0.0.1'\n"
      "tcp_port = \"16510\"\n"
      "auth_tcp = \"none\"\n"
      "max_clients = 7\n"
      "max_client_requests = 3\n"
      "max_workers = 4\n"
      "prio_workers = 2\n"
      "keepalive_interval = 0\n"
      "keepalive_count = 9\n"
      "max_payload = 65536\n"
      "log_level = 1\n",
      "group=libvirt dir=/run/x ro=777 rw=770 tcp=1 addr=127.0.0.1 "
      "port=16510 auth=none clients=7 requests=3 workers=4/2 ka=0/9 "
      "payload=65536 log=1", false },
    { "spaces", "max_clients=3\n  log_level   =   2   \n",
      "group=- dir=- ro=- rw=- tcp=0 addr=- port=16509 auth=sasl "
      "clients=3 requests=16 workers=20/5 ka=5/5 payload=33554432 log=2",
      false },
    { "unknown-key", "max_clients = 3\nmax_cleints = 4\n",
      "test.conf:2: unknown setting 'max_cleints'", true },
    { "admin-key", "admin_max_clients = 4\n",
      "test.conf:1: unknown setting 'admin_max_clients'", true },
    { "no-equals", "\n\nmax_clients 4\n",
      "test.conf:3: expected 'key = value'", true },
    { "no-key", "= 4\n", "test.conf:1: expected 'key = value'", true },
    { "no-value", "max_clients =\n",
      "test.conf:1: max_clients has no value (a number, or a string in double quotes)",
      true },
    { "string-for-int", "max_clients = \"4\"\n",
      "test.conf:1: max_clients must be a number without quotes", true },
    { "int-for-string", "listen_addr = 127\n",
      "test.conf:1: listen_addr must be a string in double quotes", true },
    { "port-as-int", "tcp_port = 16509\n",
      "test.conf:1: tcp_port must be a string in double quotes", true },
    { "bad-port", "tcp_port = \"99999\"\n",
      "test.conf:1: tcp_port must be a port number, not '99999'", true },
    { "bad-perms", "unix_sock_rw_perms = \"0999\"\n",
      "test.conf:1: unix_sock_rw_perms must be an octal mode such as \"0660\", not '0999'",
      true },
    { "negative", "keepalive_interval = -1\n",
      "test.conf:1: keepalive_interval must be a number, not '-1'", true },
    { "not-a-number", "max_clients = lots\n",
      "test.conf:1: max_clients must be a number, not 'lots'", true },
    { "zero-clients", "max_clients = 0\n",
      "test.conf:1: max_clients must be between 1 and 100000, not 0", true },
    { "bool-range", "listen_tcp = 2\n",
      "test.conf:1: listen_tcp must be between 0 and 1, not 2", true },
    { "log-level-range", "log_level = 5\n",
      "test.conf:1: log_level must be between 1 and 4, not 5", true },
    { "payload-too-big", "max_payload = 33554433\n",
      "test.conf:1: max_payload must be between 65536 and 33554432, not 33554433",
      true },
    { "unterminated", "listen_addr = \"127.0.0.1\n",
      "test.conf:1: the string of listen_addr has no closing quote", true },
    { "trailing-text", "max_clients = 4 5\n",
      "test.conf:1: unexpected text after the value of max_clients", true },
    { "twice", "max_clients = 4\nmax_clients = 5\n",
      "test.conf:2: max_clients is set a second time", true },
    { "bad-auth", "auth_tcp = \"tls\"\n",
      "test.conf:1: auth_tcp must be \"none\" or \"sasl\", not 'tls'", true },
    { "tcp-default-auth", "listen_tcp = 1\nlisten_addr = \"127.0.0.1\"\n",
      NEEDS_AUTH_NONE,
      true },
    { "tcp-sasl", "listen_tcp = 1\nauth_tcp = \"sasl\"\n"
      "listen_addr = \"127.0.0.1\"\n",
      NEEDS_AUTH_NONE,
      true },
    { "tcp-no-addr", "listen_tcp = 1\nauth_tcp = \"none\"\n",
      "test.conf: a TCP listener without authentication needs an explicit listen_addr",
      true },
    { "tcp-off-sasl", "auth_tcp = \"sasl\"\nlisten_tcp = 0\n",
      "group=- dir=- ro=- rw=- tcp=0 addr=- port=16509 auth=sasl "
      "clients=512 requests=16 workers=20/5 ka=5/5 payload=33554432 log=3",
      false },
};

static char *
rpcConfFormat(const rpcDaemonConf *c)
{
    g_autofree char *ro = c->unixSockRoPerms < 0
        ? g_strdup("-") : g_strdup_printf("%o", c->unixSockRoPerms);
    g_autofree char *rw = c->unixSockRwPerms < 0
        ? g_strdup("-") : g_strdup_printf("%o", c->unixSockRwPerms);

    return g_strdup_printf(
        "group=%s dir=%s ro=%s rw=%s tcp=%d addr=%s port=%u auth=%s "
        "clients=%u requests=%u workers=%u/%u ka=%u/%u payload=%u log=%u",
        c->unixSockGroup ? c->unixSockGroup : "-",
        c->unixSockDir ? c->unixSockDir : "-",
        ro, rw,
        c->listenTcp, c->listenAddr ? c->listenAddr : "-", c->tcpPort,
        rpcAuthTcpToString(c->authTcp), c->maxClients, c->maxClientRequests,
        c->maxWorkers, c->prioWorkers, c->keepAliveInterval,
        c->keepAliveCount, c->maxPayload, c->logLevel);
}

static void
testConf(gconstpointer data)
{
    const confCase *tc = data;
    g_auto(rpcDaemonConf) conf = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    int rc;

    rpcDaemonConfInit(&conf);
    rc = rpcDaemonConfParse(&conf, tc->text, "test.conf", &error);
    if (tc->fails) {
        g_assert_cmpint(rc, ==, -1);
        g_assert_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX);
        g_assert_cmpstr(error->message, ==, tc->expect);
        return;
    }
    g_assert_no_error(error);
    g_assert_cmpint(rc, ==, 0);
    text = rpcConfFormat(&conf);
    g_assert_cmpstr(text, ==, tc->expect);
}

/* A missing default file is no error; a missing --config file is. */
static void
testLoadMissing(void)
{
    g_auto(rpcDaemonConf) conf = { 0 };
    g_autoptr(GError) error = NULL;

    rpcDaemonConfInit(&conf);
    g_assert_cmpint(rpcDaemonConfLoad(&conf, "/nonexistent/virtgmemd.conf",
                                      false, &error), ==, 0);
    g_assert_no_error(error);
    g_assert_cmpint(rpcDaemonConfLoad(&conf, "/nonexistent/virtgmemd.conf",
                                      true, &error), ==, -1);
    g_assert_nonnull(strstr(error->message, "/nonexistent/virtgmemd.conf"));
}

/* The sample installed to SYSCONFDIR parses (everything commented). */
static void
testSample(void)
{
    g_auto(rpcDaemonConf) conf = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(VGM_SOURCE_ROOT, "daemon",
                                             "virtgmemd.conf", NULL);
    g_autofree char *text = NULL;
    g_autofree char *uncommented = NULL;
    g_autoptr(GRegex) re = g_regex_new("^#([a-z_]+ = )", G_REGEX_MULTILINE, 0,
                                       NULL);

    rpcDaemonConfInit(&conf);
    g_assert_cmpint(rpcDaemonConfLoad(&conf, path, true, &error), ==, 0);
    g_assert_no_error(error);
    /* Every example setting, uncommented, is valid too. */
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
    g_assert_nonnull(uncommented);
    g_assert_cmpstr(uncommented, !=, text);
    g_assert_cmpint(rpcDaemonConfParse(&conf, uncommented, path, &error), ==,
                    0);
    g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(confCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/daemonconf/%s",
                                                confCases[i].name);
        g_test_add_data_func(path, &confCases[i], testConf);
    }
    g_test_add_func("/rpc/daemonconf/load-missing", testLoadMissing);
    g_test_add_func("/rpc/daemonconf/sample", testSample);
    return g_test_run();
}
