/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/rpclisten.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

/* The first fd systemd passes (SD_LISTEN_FDS_START). */
#define RPC_LISTEN_FDS_START 3

/* What an inherited socket is for. */
typedef enum {
    RPC_LISTEN_RW,
    RPC_LISTEN_RO,
    RPC_LISTEN_TCP,
    RPC_LISTEN_UNKNOWN,
} rpcListenKind;

/* The group named by unix_sock_group: a name or a number. */
static int
rpcListenGroup(const char *name, gid_t *gid, GError **error)
{
    struct group *gr;
    guint64 num;

    *gid = (gid_t)-1;
    if (!name)
        return 0;
    if (g_ascii_string_to_unsigned(name, 10, 0, G_MAXINT32, &num, NULL)) {
        *gid = num;
        return 0;
    }
    if (!(gr = getgrnam(name))) {
        g_set_error(error, RPC_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("unix_sock_group: there is no group '%1$s'"), name);
        return -1;
    }
    *gid = gr->gr_gid;
    return 0;
}

/* The read-write socket's path, unless --socket. */
static char *
rpcListenUnixPath(const rpcListenSpec *spec)
{
    if (spec->socket)
        return g_strdup(spec->socket);
    if (spec->conf->unixSockDir)
        return g_build_filename(spec->conf->unixSockDir, RPC_SOCKET_NAME, NULL);
    if (spec->privileged)
        return g_build_filename(RPC_SYSTEM_SOCKET_DIR, RPC_SOCKET_NAME, NULL);
    return g_build_filename(g_get_user_runtime_dir(), "libvirt",
                            RPC_SOCKET_NAME, NULL);
}

/* Make the directory a socket lives in. */
static int
rpcListenMakeDir(const char *path, bool privileged, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);

    if (g_mkdir_with_parents(dir, privileged ? 0755 : 0700) < 0) {
        int err = errno;

        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create directory '%1$s': %2$s"), dir,
                    g_strerror(err));
        return -1;
    }
    return 0;
}

/* The UNIX sockets: read-write 0600 (0660 with a group), read-only
 * 0666 in system mode or with --socket. */
static int
rpcListenUnix(rpcServer *srv, const rpcListenSpec *spec, GError **error)
{
    const rpcDaemonConf *conf = spec->conf;
    g_autofree char *path = rpcListenUnixPath(spec);
    g_autofree char *ro = g_strconcat(path, "-ro", NULL);
    bool withRO = spec->privileged || spec->socket;
    gid_t gid;
    mode_t rwMode;
    mode_t roMode;

    if (rpcListenGroup(conf->unixSockGroup, &gid, error) < 0)
        return -1;
    rwMode = conf->unixSockRwPerms >= 0 ? conf->unixSockRwPerms
                                        : (gid != (gid_t)-1 ? 0660 : 0600);
    roMode = conf->unixSockRoPerms >= 0 ? conf->unixSockRoPerms : 0666;
    if (rpcListenMakeDir(path, spec->privileged, error) < 0 ||
        rpcServerAddListener(srv, path, rwMode, gid, false, error) < 0)
        return -1;
    if (withRO && rpcServerAddListener(srv, ro, roMode, gid, true, error) < 0)
        return -1;
    return 0;
}

/* Bind one address getaddrinfo() found; -1 with errno on failure. */
static int
rpcListenTcpBind(const struct addrinfo *ai)
{
    VGM_AUTOCLOSE int fd = socket(ai->ai_family,
                                  ai->ai_socktype | SOCK_CLOEXEC,
                                  ai->ai_protocol);
    int on = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0)
        return -1;
    return vgmStealFD(&fd);
}

/**
 * rpcListenTcp:
 * @srv: the server
 * @addr: the address (or host name) to listen on
 * @port: the TCP port
 * @error: return location for a GError
 *
 * Listen on every address @addr resolves to, and only there.
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcListenTcp(rpcServer *srv, const char *addr, unsigned int port,
             GError **error)
{
    struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    struct addrinfo *ai;
    g_autofree char *service = g_strdup_printf("%u", port);
    int rc = getaddrinfo(addr, service, &hints, &res);
    int err = 0;

    if (rc != 0) {
        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot resolve listen_addr '%1$s': %2$s"), addr,
                    gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        g_autofree char *name = NULL;
        int fd = rpcListenTcpBind(ai);

        if (fd < 0) {
            err = errno;
            break;
        }
        name = g_strdup_printf("tcp %s port %u", addr, port);
        rpcServerAddListenerFD(srv, fd, name, 0);
    }
    freeaddrinfo(res);
    if (err) {
        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot listen on %1$s port %2$u: %3$s"), addr, port,
                    g_strerror(err));
        return -1;
    }
    return 0;
}

/* What a socket from systemd is for: its FileDescriptorName, else its
 * address (a path ending in "-ro" is the read-only socket). */
static rpcListenKind
rpcListenClassify(int fd, const char *name, char **desc)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;

    static const struct {
        const char *name;
        rpcListenKind kind;
    } names[] = {
        { "virtgmemd", RPC_LISTEN_RW },
        { "virtgmemd.socket", RPC_LISTEN_RW },
        { "virtgmemd-ro", RPC_LISTEN_RO },
        { "virtgmemd-ro.socket", RPC_LISTEN_RO },
        { "virtgmemd-tcp", RPC_LISTEN_TCP },
        { "virtgmemd-tcp.socket", RPC_LISTEN_TCP },
    };
    size_t i;

    *desc = g_strdup_printf("systemd socket %d (%s)", fd, name ? name : "");
    for (i = 0; name && i < G_N_ELEMENTS(names); i++) {
        if (strcmp(name, names[i].name) == 0)
            return names[i].kind;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return RPC_LISTEN_UNKNOWN;
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
        return RPC_LISTEN_TCP;
    if (ss.ss_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path))
        return RPC_LISTEN_UNKNOWN;
    g_free(*desc);
    *desc = g_strndup(un->sun_path, len - offsetof(struct sockaddr_un, sun_path));
    return g_str_has_suffix(*desc, "-ro") ? RPC_LISTEN_RO : RPC_LISTEN_RW;
}

/* Serve one inherited socket. */
static int
rpcListenAdopt(rpcServer *srv, const rpcListenSpec *spec, int fd,
               const char *name, GError **error)
{
    g_autofree char *desc = NULL;
    rpcListenKind kind = rpcListenClassify(fd, name, &desc);

    if (kind == RPC_LISTEN_UNKNOWN) {
        g_set_error(error, RPC_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot tell what %1$s is for"), desc);
        return -1;
    }
    if (kind == RPC_LISTEN_TCP &&
        rpcDaemonConfCheckTcp(spec->conf, spec->confFile, false, error) < 0)
        return -1;
    if (vgmSetCloseExec(fd, error) < 0)
        return -1;
    rpcServerAddListenerFD(srv, fd, desc,
                           kind == RPC_LISTEN_RO ? RPC_LISTENER_READONLY : 0);
    return 0;
}

/* LISTEN_FDS when LISTEN_PID is us, else 0; the variables are removed
 * so that children do not see them. */
static int
rpcListenFdCount(char ***names)
{
    const char *pid = g_getenv("LISTEN_PID");
    const char *fds = g_getenv("LISTEN_FDS");
    const char *fdnames = g_getenv("LISTEN_FDNAMES");
    guint64 owner = 0;
    guint64 n = 0;
    bool ours = pid && fds &&
                g_ascii_string_to_unsigned(pid, 10, 1, G_MAXINT, &owner,
                                           NULL) &&
                owner == (guint64)getpid() &&
                g_ascii_string_to_unsigned(fds, 10, 1, 1024, &n, NULL);

    *names = ours && fdnames ? g_strsplit(fdnames, ":", -1) : NULL;
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    return ours ? (int)n : 0;
}

/**
 * rpcListenActivated:
 * @srv: the server
 * @spec: what to listen on
 * @error: return location for a GError
 *
 * Serve the sockets systemd passed (socket activation), if any.
 *
 * Returns: the number of sockets taken (0: none passed), or -1 with
 * @error set.
 */
int
rpcListenActivated(rpcServer *srv, const rpcListenSpec *spec, GError **error)
{
    g_auto(GStrv) names = NULL;
    int n = rpcListenFdCount(&names);
    int i;

    for (i = 0; i < n; i++) {
        const char *name = names && i < (int)g_strv_length(names) ? names[i]
                                                                  : NULL;

        if (rpcListenAdopt(srv, spec, RPC_LISTEN_FDS_START + i, name,
                           error) < 0)
            return -1;
    }
    return n;
}

/**
 * rpcListenAll:
 * @srv: the server
 * @spec: what to listen on
 * @error: return location for a GError
 *
 * The sockets systemd passed or, without any, the UNIX sockets of the
 * mode and the TCP listener when listen_tcp is set.
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcListenAll(rpcServer *srv, const rpcListenSpec *spec, GError **error)
{
    int n = rpcListenActivated(srv, spec, error);

    if (n != 0)
        return n < 0 ? -1 : 0;
    if (rpcListenUnix(srv, spec, error) < 0)
        return -1;
    if (spec->conf->listenTcp &&
        rpcListenTcp(srv, spec->conf->listenAddr, spec->conf->tcpPort,
                     error) < 0)
        return -1;
    return 0;
}
