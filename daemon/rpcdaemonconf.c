/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/rpcdaemonconf.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(rpcAuthTcp, RPC_AUTH_TCP_LAST, "sasl", "none");

/* How the value of a key is written and stored. */
typedef enum {
    RPC_CONF_STR,                /* "text" -> char * */
    RPC_CONF_UINT,               /* integer in [min, max] -> unsigned int */
    RPC_CONF_BOOL,               /* 0 or 1 -> bool */
    RPC_CONF_PERMS,              /* "0660" -> int */
    RPC_CONF_PORT,               /* "16509" -> unsigned int */
    RPC_CONF_AUTH,               /* "none" -> rpcAuthTcp */
} rpcConfKind;

typedef struct {
    const char *key;
    rpcConfKind kind;
    gsize offset;
    unsigned int min;
    unsigned int max;
} rpcConfKey;

#define KEY(name, kind, field, min, max) \
    { name, kind, offsetof(rpcDaemonConf, field), min, max }

/* Sorted by key, for bsearch. */
static const rpcConfKey rpcConfKeys[] = {
    KEY("auth_tcp", RPC_CONF_AUTH, authTcp, 0, 0),
    KEY("keepalive_count", RPC_CONF_UINT, keepAliveCount, 1, 1000),
    KEY("keepalive_interval", RPC_CONF_UINT, keepAliveInterval, 0, 3600),
    KEY("listen_addr", RPC_CONF_STR, listenAddr, 0, 0),
    KEY("listen_tcp", RPC_CONF_BOOL, listenTcp, 0, 1),
    KEY("log_level", RPC_CONF_UINT, logLevel, RPC_LOG_DEBUG, RPC_LOG_ERROR),
    KEY("max_client_requests", RPC_CONF_UINT, maxClientRequests, 1, 10000),
    KEY("max_clients", RPC_CONF_UINT, maxClients, 1, 100000),
    KEY("max_payload", RPC_CONF_UINT, maxPayload, RPC_DAEMON_CONF_PAYLOAD_MIN,
        RPC_DAEMON_CONF_PAYLOAD_MAX),
    KEY("max_workers", RPC_CONF_UINT, maxWorkers, 1, 1000),
    KEY("prio_workers", RPC_CONF_UINT, prioWorkers, 1, 1000),
    KEY("tcp_port", RPC_CONF_PORT, tcpPort, 1, 65535),
    KEY("unix_sock_dir", RPC_CONF_STR, unixSockDir, 0, 0),
    KEY("unix_sock_group", RPC_CONF_STR, unixSockGroup, 0, 0),
    KEY("unix_sock_ro_perms", RPC_CONF_PERMS, unixSockRoPerms, 0, 0777),
    KEY("unix_sock_rw_perms", RPC_CONF_PERMS, unixSockRwPerms, 0, 0777),
};

#undef KEY

/* Where an error is: file and line, for the messages. */
typedef struct {
    const char *file;
    unsigned int line;
    const char *key;
} rpcConfPos;

/**
 * rpcDaemonConfInit:
 * @conf: the settings to fill with the defaults
 */
void
rpcDaemonConfInit(rpcDaemonConf *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->unixSockRoPerms = -1;
    conf->unixSockRwPerms = -1;
    conf->tcpPort = RPC_DAEMON_CONF_TCP_PORT;
    conf->authTcp = RPC_AUTH_TCP_SASL;
    conf->maxClients = 512;
    conf->maxClientRequests = 16;
    conf->maxWorkers = 20;
    conf->prioWorkers = 5;
    conf->keepAliveInterval = 5;
    conf->keepAliveCount = 5;
    conf->maxPayload = RPC_DAEMON_CONF_PAYLOAD_MAX;
    conf->logLevel = RPC_LOG_WARNING;
}

void
rpcDaemonConfClear(rpcDaemonConf *conf)
{
    g_free(conf->unixSockGroup);
    g_free(conf->unixSockDir);
    g_free(conf->listenAddr);
    rpcDaemonConfInit(conf);
}

static int
rpcConfKeyCompare(const void *key, const void *elem)
{
    return strcmp(key, ((const rpcConfKey *)elem)->key);
}

/* A string value: octal permissions, a port or an auth type. */
static int
rpcConfSetString(rpcDaemonConf *conf, const rpcConfKey *k, const char *str,
                 const rpcConfPos *pos, GError **error)
{
    void *field = (char *)conf + k->offset;
    guint64 num = 0;

    switch (k->kind) {
    case RPC_CONF_STR:
        g_free(*(char **)field);
        *(char **)field = g_strdup(str);
        return 0;
    case RPC_CONF_PERMS:
        if (!g_ascii_string_to_unsigned(str, 8, 0, k->max, &num, NULL)) {
            g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("%1$s:%2$u: %3$s must be an octal mode such as \"0660\", not '%4$s'"),
                        pos->file, pos->line, k->key, str);
            return -1;
        }
        *(int *)field = num;
        return 0;
    case RPC_CONF_PORT:
        if (!g_ascii_string_to_unsigned(str, 10, k->min, k->max, &num, NULL)) {
            g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("%1$s:%2$u: %3$s must be a port number, not '%4$s'"),
                        pos->file, pos->line, k->key, str);
            return -1;
        }
        *(unsigned int *)field = num;
        return 0;
    default:
        break;
    }
    if (rpcAuthTcpFromString(str) < 0) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s must be \"none\" or \"sasl\", not '%4$s'"),
                    pos->file, pos->line, k->key, str);
        return -1;
    }
    *(rpcAuthTcp *)field = rpcAuthTcpFromString(str);
    return 0;
}

/* An integer value, digits only. */
static int
rpcConfSetInteger(rpcDaemonConf *conf, const rpcConfKey *k, const char *str,
                  const rpcConfPos *pos, GError **error)
{
    void *field = (char *)conf + k->offset;
    guint64 num = 0;

    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT, &num, NULL)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s must be a number, not '%4$s'"),
                    pos->file, pos->line, k->key, str);
        return -1;
    }
    if (num < k->min || num > k->max) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s must be between %4$u and %5$u, not %6$s"),
                    pos->file, pos->line, k->key, k->min, k->max, str);
        return -1;
    }
    if (k->kind == RPC_CONF_BOOL)
        *(bool *)field = num;
    else
        *(unsigned int *)field = num;
    return 0;
}

/* Store one value, checking that it has the type the key wants. */
static int
rpcConfSet(rpcDaemonConf *conf, const rpcConfKey *k, const char *value,
           bool quoted, const rpcConfPos *pos, GError **error)
{
    bool wantsString = k->kind == RPC_CONF_STR || k->kind == RPC_CONF_PERMS ||
                       k->kind == RPC_CONF_PORT || k->kind == RPC_CONF_AUTH;

    if (wantsString && !quoted) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s must be a string in double quotes"),
                    pos->file, pos->line, k->key);
        return -1;
    }
    if (!wantsString && quoted) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s must be a number without quotes"),
                    pos->file, pos->line, k->key);
        return -1;
    }
    if (wantsString)
        return rpcConfSetString(conf, k, value, pos, error);
    return rpcConfSetInteger(conf, k, value, pos, error);
}

/* Split the value after '=' into its text; @rest is past it. */
static char *
rpcConfScanValue(const char *p, bool *quoted, const char **rest,
                 const rpcConfPos *pos, GError **error)
{
    const char *end;

    *quoted = *p == '"' || *p == '\'';
    if (*quoted) {
        if (!(end = strchr(p + 1, *p))) {
            g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("%1$s:%2$u: the string of %3$s has no closing quote"),
                        pos->file, pos->line, pos->key);
            return NULL;
        }
        *rest = end + 1;
        return g_strndup(p + 1, end - p - 1);
    }
    for (end = p; g_ascii_isalnum(*end) || *end == '-' || *end == '_'; end++)
        ;
    if (end == p) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s has no value (a number, or a string in double quotes)"),
                    pos->file, pos->line, pos->key);
        return NULL;
    }
    *rest = end;
    return g_strndup(p, end - p);
}

/* The key and value of a line that is neither blank nor a comment. */
static int
rpcConfParseLine(rpcDaemonConf *conf, const char *line, rpcConfPos *pos,
                 guint32 *seen, GError **error)
{
    g_autofree char *key = NULL;
    g_autofree char *value = NULL;
    const rpcConfKey *k;
    const char *p = line;
    bool quoted = false;

    while (g_ascii_isalnum(*p) || *p == '_')
        p++;
    key = g_strndup(line, p - line);
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*key || *p++ != '=') {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: expected 'key = value'"), pos->file,
                    pos->line);
        return -1;
    }
    if (!(k = bsearch(key, rpcConfKeys, G_N_ELEMENTS(rpcConfKeys),
                      sizeof(rpcConfKey), rpcConfKeyCompare))) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: unknown setting '%3$s'"), pos->file,
                    pos->line, key);
        return -1;
    }
    pos->key = k->key;
    if (*seen & (1U << (k - rpcConfKeys))) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: %3$s is set a second time"), pos->file,
                    pos->line, k->key);
        return -1;
    }
    *seen |= 1U << (k - rpcConfKeys);
    while (*p == ' ' || *p == '\t')
        p++;
    if (!(value = rpcConfScanValue(p, &quoted, &p, pos, error)))
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '#') {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: unexpected text after the value of %3$s"),
                    pos->file, pos->line, k->key);
        return -1;
    }
    return rpcConfSet(conf, k, value, quoted, pos, error);
}

/**
 * rpcDaemonConfParse:
 * @conf: settings (defaults or an earlier file) to update
 * @text: the contents of a configuration file
 * @filename: its name, for the messages
 * @error: return location for a GError
 *
 * Apply the settings of @text.  Unknown keys, values of the wrong type or
 * out of range, a key set twice and TCP settings that would accept
 * clients nobody allowed are errors naming @filename and the line.
 *
 * Returns: 0, or -1 with @error set (@conf is then partly updated).
 */
int
rpcDaemonConfParse(rpcDaemonConf *conf, const char *text,
                   const char *filename, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    rpcConfPos pos = { filename, 0, NULL };
    guint32 seen = 0;
    size_t i;

    G_STATIC_ASSERT(G_N_ELEMENTS(rpcConfKeys) <= 32);
    for (i = 0; lines[i]; i++) {
        const char *line = g_strchug(lines[i]);

        pos.line = i + 1;
        if (*line == '\0' || *line == '#')
            continue;
        if (rpcConfParseLine(conf, line, &pos, &seen, error) < 0)
            return -1;
    }
    if (conf->listenTcp)
        return rpcDaemonConfCheckTcp(conf, filename, true, error);
    return 0;
}

/**
 * rpcDaemonConfLoad:
 * @conf: settings to update
 * @path: a configuration file
 * @mustExist: whether a missing file is an error (else it changes nothing)
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcDaemonConfLoad(rpcDaemonConf *conf, const char *path, bool mustExist,
                  GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        if (!mustExist && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("cannot read configuration file: %1$s"), err->message);
        return -1;
    }
    return rpcDaemonConfParse(conf, text, path, error);
}

/**
 * rpcDaemonConfDefaultPath:
 * @privileged: the system daemon
 *
 * Returns: (transfer full): SYSCONFDIR/virtgmem/virtgmemd.conf, or
 * $XDG_CONFIG_HOME/virtgmem/virtgmemd.conf for a session daemon.
 */
char *
rpcDaemonConfDefaultPath(bool privileged)
{
    if (privileged)
        return g_build_filename(SYSCONFDIR, "virtgmem", "virtgmemd.conf", NULL);
    return g_build_filename(g_get_user_config_dir(), "virtgmem",
                            "virtgmemd.conf", NULL);
}

/**
 * rpcDaemonConfCheckTcp:
 * @conf: settings
 * @filename: where they come from, for the message
 * @needAddr: the daemon binds the socket itself (not socket activation)
 * @error: return location for a GError
 *
 * TCP clients are not authenticated (virtgmemd has no SASL), so a TCP
 * listener needs auth_tcp = "none" written in the file and, unless
 * systemd bound the socket, an explicit listen_addr: nothing listens on
 * a network by default.
 *
 * Returns: 0 when a TCP listener is allowed, or -1 with @error set.
 */
int
rpcDaemonConfCheckTcp(const rpcDaemonConf *conf, const char *filename,
                      bool needAddr, GError **error)
{
    if (conf->authTcp != RPC_AUTH_TCP_NONE) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s: a TCP listener needs auth_tcp = \"none\" (virtgmemd has no SASL: TCP clients are not authenticated)"),
                    filename);
        return -1;
    }
    if (needAddr && (!conf->listenAddr || !*conf->listenAddr)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%1$s: a TCP listener without authentication needs an explicit listen_addr"),
                    filename);
        return -1;
    }
    return 0;
}
