/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/command.h"
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

/*
 * QEMU processes: start (private dir, log, spawn in its own session,
 * pidfd, QMP), stop (SIGTERM, then SIGKILL), and the exit of QEMU turned
 * into shutoff with the right reason.  The pidfd tells us about an exit
 * before anyone reaps the process, so this works the same for our own
 * children and for QEMUs found again after a restart.
 */

/* waitid() on a pidfd (Linux 5.4); glibc 2.36 does not name it. */
#define DRV_P_PIDFD 3

/* Fields of /proc/PID/stat after the command name (field 3 is [0]). */
static int
drvProcessReadStat(pid_t pid, GStrv *fields)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    char *end;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    if (!(end = strrchr(text, ')')))
        return -1;
    *fields = g_strsplit(g_strstrip(end + 1), " ", -1);
    return g_strv_length(*fields) >= 20 ? 0 : -1;
}

/* Field 22 (starttime, clock ticks since boot): identifies a process. */
int
drvProcessReadStartTime(pid_t pid, unsigned long long *ticks)
{
    g_auto(GStrv) f = NULL;

    if (drvProcessReadStat(pid, &f) < 0)
        return -1;
    *ticks = g_ascii_strtoull(f[19], NULL, 10);
    return 0;
}

/* utime + stime (fields 14, 15) in nanoseconds. */
int
drvProcessReadCPUTime(pid_t pid, unsigned long long *ns)
{
    g_auto(GStrv) f = NULL;
    long hz = sysconf(_SC_CLK_TCK);

    if (drvProcessReadStat(pid, &f) < 0 || hz <= 0)
        return -1;
    *ns = (g_ascii_strtoull(f[11], NULL, 10) +
           g_ascii_strtoull(f[12], NULL, 10)) * (1000000000ULL / hz);
    return 0;
}

/**
 * drvProcessReap:
 * @pidfd: a pidfd of an exited process
 *
 * Collects the exit status when the process is our child (a QEMU we
 * started, or one reparented to us as child subreaper); otherwise does
 * nothing.  Only that process is ever reaped.
 */
void
drvProcessReap(int pidfd)
{
    siginfo_t info = { 0 };

    if (pidfd >= 0)
        waitid(DRV_P_PIDFD, pidfd, &info, WEXITED | WNOHANG);
}

/**
 * drvProcessIsZombie:
 * @pid: a process
 *
 * Returns: whether @pid has exited but is not reaped yet.
 */
bool
drvProcessIsZombie(pid_t pid)
{
    g_auto(GStrv) f = NULL;

    return drvProcessReadStat(pid, &f) == 0 && g_str_equal(f[0], "Z");
}

/**
 * drvProcessLogTail:
 * @path: a log file
 * @from: where the interesting part starts
 * @max: at most this many bytes from the end
 *
 * Returns: the tail (whole lines where possible), never NULL.
 */
char *
drvProcessLogTail(const char *path, gint64 from, size_t max)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *start;
    char *nl;

    if (!g_file_get_contents(path, &text, &len, NULL) || (gsize)from >= len)
        return g_strdup(_("(no output)"));
    start = text + from;
    if (len - from > max) {
        start = text + len - max;
        if ((nl = strchr(start, '\n')) && nl[1])
            start = nl + 1;
    }
    return g_strstrip(g_strdup(start));
}

static char *
drvProcessTimestamp(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    return g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f+0000");
}

/* The command line as libvirt logs it: one option and value per line. */
static void
drvProcessFormatArgv(GString *buf, const char *const *env, GStrv argv)
{
    size_t i;

    for (i = 0; env[i]; i++)
        g_string_append_printf(buf, "%s \\\n", env[i]);
    g_string_append(buf, argv[0]);
    for (i = 1; argv[i]; i++) {
        g_string_append(buf, argv[i][0] == '-' ? " \\\n" : " ");
        g_string_append(buf, argv[i]);
    }
    g_string_append_c(buf, '\n');
}

static int
drvProcessOpenLog(drvDomainObj *obj, GError **error)
{
    drvDomainRuntime *rt = obj->rt;
    g_autofree char *ts = drvProcessTimestamp();
    g_autofree char *head = NULL;
    struct utsname un = { 0 };
    VGM_AUTOCLOSE int fd = open(rt->logPath, O_WRONLY | O_CREAT | O_APPEND |
                                O_CLOEXEC, 0600);
    int err;

    if (fd < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open the log file '%1$s': %2$s"),
                    rt->logPath, g_strerror(err));
        return -1;
    }
    uname(&un);
    head = g_strdup_printf("%s: starting up virtgmem version: %s, "
                           "kernel: %s, hostname: %s, domain: %s, "
                           "emulator: %s\n", ts, PACKAGE_VERSION, un.release,
                           un.nodename, obj->def->name, rt->binary);
    if (write(fd, head, strlen(head)) < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot write the log file '%1$s': %2$s"),
                    rt->logPath, g_strerror(err));
        return -1;
    }
    rt->logOffset = lseek(fd, 0, SEEK_END);
    return vgmStealFD(&fd);
}

/* The command line, then where QEMU's own output starts. */
static void
drvProcessLogArgv(drvDomainRuntime *rt, int fd, const char *const *env,
                  GStrv argv)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    drvProcessFormatArgv(buf, env, argv);
    g_debug("starting QEMU: %s", buf->str);
    if (write(fd, buf->str, buf->len) < 0)
        g_debug("cannot write to '%s'", rt->logPath);
    rt->logOffset = lseek(fd, 0, SEEK_END);
}

static void
drvProcessLogLine(drvDomainRuntime *rt, const char *what)
{
    g_autofree char *ts = drvProcessTimestamp();
    g_autofree char *line = g_strdup_printf("%s: %s\n", ts, what);
    VGM_AUTOCLOSE int fd = open(rt->logPath, O_WRONLY | O_APPEND | O_CLOEXEC);

    if (fd >= 0 && write(fd, line, strlen(line)) < 0)
        g_debug("cannot append to '%s'", rt->logPath);
}

/* A descriptor QEMU inherits: ours, and the number QEMU sees. */
typedef struct {
    int ours;
    int target;
} drvProcessFD;

typedef struct {
    GArray *fds;               /* drvProcessFD */
    const char *monitorPath;
} drvProcessFDs;

static void
drvProcessFDsClear(drvProcessFDs *p)
{
    size_t i;

    for (i = 0; p->fds && i < p->fds->len; i++)
        close(g_array_index(p->fds, drvProcessFD, i).ours);
    g_clear_pointer(&p->fds, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(drvProcessFDs, drvProcessFDsClear);

/* The QMP socket, listening before QEMU starts (as libvirt does it). */
static int
drvProcessListen(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    VGM_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int err;

    if (g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path)) >=
        sizeof(addr.sun_path)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("the QEMU monitor socket path '%1$s' is too long"),
                    path);
        return -1;
    }
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot listen on the QEMU monitor socket '%1$s': %2$s"),
                    path, g_strerror(err));
        return -1;
    }
    return vgmStealFD(&fd);
}

static int
drvProcessOpenFD(drvCommandFDKind kind, const char *what, void *opaque,
                 GError **error)
{
    drvProcessFDs *p = opaque;
    drvProcessFD pfd;

    if (kind != DRV_COMMAND_FD_MONITOR) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("cannot hand '%1$s' to QEMU: not supported yet"), what);
        return -1;
    }
    if ((pfd.ours = drvProcessListen(p->monitorPath, error)) < 0)
        return -1;
    pfd.target = 3 + p->fds->len;
    g_array_append_val(p->fds, pfd);
    return pfd.target;
}

/* Our descriptors must not sit where QEMU's numbers go. */
static void
drvProcessFDsMoveUp(drvProcessFDs *p)
{
    int top = 3 + p->fds->len;
    size_t i;

    for (i = 0; i < p->fds->len; i++) {
        drvProcessFD *pfd = &g_array_index(p->fds, drvProcessFD, i);
        int moved;

        if (pfd->ours >= top)
            continue;
        if ((moved = fcntl(pfd->ours, F_DUPFD_CLOEXEC, top)) >= 0) {
            close(pfd->ours);
            pfd->ours = moved;
        }
    }
}

/*
 * posix_spawn in a new session: stdin /dev/null, stdout and stderr to
 * @logfd, the passed descriptors at their numbers, nothing else.
 */
static int
drvProcessSpawn(GStrv argv, const char *const *env, drvProcessFDs *fds,
                int logfd, pid_t *pid, GError **error)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none;
    size_t i;
    int rc;

    sigemptyset(&none);
    drvProcessFDsMoveUp(fds);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
                             POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, logfd, 1);
    posix_spawn_file_actions_adddup2(&fa, logfd, 2);
    for (i = 0; i < fds->fds->len; i++) {
        drvProcessFD *pfd = &g_array_index(fds->fds, drvProcessFD, i);

        posix_spawn_file_actions_adddup2(&fa, pfd->ours, pfd->target);
    }
    posix_spawn_file_actions_addclosefrom_np(&fa, 3 + fds->fds->len);
    rc = posix_spawn(pid, argv[0], &fa, &attr, argv, (char **)env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot execute the emulator '%1$s': %2$s"),
                    argv[0], g_strerror(rc));
        return -1;
    }
    return 0;
}

/* A pidfd and the start time of a fresh child: what identifies it. */
static int
drvProcessIdentify(pid_t pid, int *pidfd, unsigned long long *start,
                   GError **error)
{
    int err;

    if ((*pidfd = pidfd_open(pid, 0)) < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open a pidfd for process %1$d: %2$s"),
                    (int)pid, g_strerror(err));
        return -1;
    }
    if (drvProcessReadStartTime(pid, start) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot read the start time of process %1$d"),
                    (int)pid);
        close(*pidfd);
        *pidfd = -1;
        return -1;
    }
    return 0;
}

static int
drvProcessWritePidfile(drvDriver *drv, drvDomainObj *obj, pid_t pid,
                       GError **error)
{
    g_autofree char *file = g_strdup_printf("%s.pid", obj->def->name);
    g_autofree char *path = g_build_filename(drv->runDir, file, NULL);
    g_autofree char *text = g_strdup_printf("%d\n", (int)pid);

    return drvPersistWriteAtomic(path, text, error);
}

/**
 * drvProcessKill:
 * @obj: a locked running domain
 * @sig: the signal
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Signals QEMU through its pidfd, so a reused pid is never hit.
 *
 * Returns: 0 (also when QEMU is already gone), or -1 with @error set.
 */
int
drvProcessKill(drvDomainObj *obj, int sig, GError **error)
{
    int err;

    if (!obj->rt || obj->rt->pidfd < 0)
        return 0;
    if (pidfd_send_signal(obj->rt->pidfd, sig, NULL, 0) == 0 ||
        errno == ESRCH)
        return 0;
    err = errno;
    g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("cannot send signal %1$d to QEMU of domain '%2$s': %3$s"),
                sig, obj->def->name, g_strerror(err));
    return -1;
}

/* Locked: wait for the exit watch to see QEMU gone, until @deadline. */
static bool
drvProcessWaitExit(drvDomainObj *obj, gint64 deadline)
{
    while (obj->rt && !obj->rt->exited) {
        if (!drvDomainObjWaitUntil(obj, deadline))
            return obj->rt && obj->rt->exited;
    }
    return true;
}

static void
drvProcessRemoveDir(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            drvProcessRemoveDir(child);
        else
            unlink(child);
    }
    rmdir(path);
}

static int
drvProcessStoppedDetail(virDomainShutoffReason reason)
{
    switch (reason) {
    case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
    case VIR_DOMAIN_SHUTOFF_DESTROYED: return VIR_DOMAIN_EVENT_STOPPED_DESTROYED;
    case VIR_DOMAIN_SHUTOFF_CRASHED: return VIR_DOMAIN_EVENT_STOPPED_CRASHED;
    default: return VIR_DOMAIN_EVENT_STOPPED_FAILED;
    }
}

/**
 * drvProcessCleanup:
 * @drv: the driver
 * @obj: a locked domain whose QEMU is gone (or was never started)
 * @reason: the shutoff reason
 *
 * Releases the monitor, the status file, pidfile and private directory,
 * makes the domain shutoff, queues the stopped event and drops a
 * transient domain from the list.
 */
void
drvProcessCleanup(drvDriver *drv, drvDomainObj *obj,
                  virDomainShutoffReason reason)
{
    g_autoptr(drvDomainRuntime) rt = obj->rt;
    g_autofree char *line = NULL;

    if (!rt)
        return;
    drvQmpDetach(drv, obj);
    line = g_strdup_printf("shutting down, reason=%s",
                           drvDomainStateReasonToString(VIR_DOMAIN_SHUTOFF,
                                                        reason));
    drvProcessLogLine(rt, line);
    drvPersistDeleteStatus(drv, obj->def->name);
    drvProcessRemoveDir(rt->privDir);
    drvProcessReap(rt->pidfd);
    obj->rt = NULL;
    drvDomainObjSetState(obj, VIR_DOMAIN_SHUTOFF, reason);
    if (reason != VIR_DOMAIN_SHUTOFF_FAILED)
        drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_STOPPED,
                     drvProcessStoppedDetail(reason));
    obj->def->id = -1;
    if (obj->newDef) {
        confDomainDefFree(obj->def);
        obj->def = g_steal_pointer(&obj->newDef);
    }
    if (!obj->persistent)
        drvDomainListRemove(drv->domains, obj);
}

static virDomainShutoffReason
drvProcessExitReason(drvStopCause cause)
{
    switch (cause) {
    case DRV_STOP_SHUTDOWN: return VIR_DOMAIN_SHUTOFF_SHUTDOWN;
    case DRV_STOP_DESTROYED: return VIR_DOMAIN_SHUTOFF_DESTROYED;
    case DRV_STOP_FAILED: return VIR_DOMAIN_SHUTOFF_FAILED;
    default: return VIR_DOMAIN_SHUTOFF_CRASHED;
    }
}

/**
 * drvProcessHandleExit:
 * @drv: the driver
 * @obj: an unlocked domain
 *
 * Driver thread: QEMU exited.  A start or destroy job in progress does
 * the cleanup itself; otherwise the domain becomes shutoff here.
 */
void
drvProcessHandleExit(drvDriver *drv, drvDomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    drvDomainRuntime *rt = obj->rt;

    if (!rt || rt->exited)
        return;
    rt->exited = true;
    drvProcessReap(rt->pidfd);
    g_cond_broadcast(&obj->cond);
    g_debug("QEMU of domain '%s' (pid %d) exited", obj->def->name,
            (int)rt->pid);
    if (obj->job == DRV_JOB_START || obj->job == DRV_JOB_DESTROY ||
        obj->job == DRV_JOB_RECONNECT)
        return;
    drvProcessCleanup(drv, obj, drvProcessExitReason(rt->stopCause));
}

/**
 * drvProcessStop:
 * @drv: the driver
 * @obj: a locked running domain, held by a destroy job
 * @graceful: SIGTERM only, with the longer timeout
 * @error: return location for a GError
 *
 * SIGTERM, wait, SIGKILL after the destroy timeout (not when graceful),
 * then the domain is shutoff (destroyed).
 *
 * Returns: 0, or -1 with @error set (QEMU still runs).
 */
int
drvProcessStop(drvDriver *drv, drvDomainObj *obj, bool graceful,
               GError **error)
{
    gint64 wait = graceful ? drv->timeouts.graceful : drv->timeouts.destroy;

    obj->rt->stopCause = DRV_STOP_DESTROYED;
    if (drvProcessKill(obj, SIGTERM, error) < 0)
        return -1;
    if (!drvProcessWaitExit(obj, g_get_monotonic_time() + wait * 1000)) {
        if (graceful) {
            g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU of domain '%1$s' did not stop after SIGTERM"),
                        obj->def->name);
            return -1;
        }
        if (drvProcessKill(obj, SIGKILL, error) < 0)
            return -1;
        if (!drvProcessWaitExit(obj, g_get_monotonic_time() +
                                5 * G_USEC_PER_SEC)) {
            g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("QEMU of domain '%1$s' did not stop after SIGKILL"),
                        obj->def->name);
            return -1;
        }
    }
    drvProcessCleanup(drv, obj, VIR_DOMAIN_SHUTOFF_DESTROYED);
    return 0;
}

/* ---- start ---- */

static drvDomainRuntime *
drvProcessPrepare(drvDriver *drv, drvDomainObj *obj, GError **error)
{
    g_autoptr(drvDomainRuntime) rt = drvDomainRuntimeNew();
    g_autofree char *shortName = drvCommandDomainShortName(obj->def);
    g_autofree char *dir = g_strdup_printf("domain-%s", shortName);
    g_autofree char *log = g_strdup_printf("%s.log", obj->def->name);
    int err;

    rt->binary = g_strdup(obj->def->devices.emulator);
    rt->privDir = g_build_filename(drv->stateDir, dir, NULL);
    rt->monitorPath = g_build_filename(rt->privDir, "monitor.sock", NULL);
    rt->logPath = g_build_filename(drv->logDir, log, NULL);
    drvProcessRemoveDir(rt->privDir);
    if (g_mkdir_with_parents(rt->privDir, 0750) < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the directory '%1$s': %2$s"),
                    rt->privDir, g_strerror(err));
        return NULL;
    }
    return g_steal_pointer(&rt);
}

static void
drvProcessLogVersion(drvDomainRuntime *rt, const drvQemuCaps *caps)
{
    unsigned int v = drvQemuCapsGetVersion(caps);
    const char *pkg = drvQemuCapsGetPackage(caps);
    g_autofree char *line = g_strdup_printf("qemu version: %u.%u.%u%s%s",
                                            v / 1000000, v / 1000 % 1000,
                                            v % 1000, pkg && *pkg ? " " : "",
                                            pkg ? pkg : "");

    drvProcessLogLine(rt, line);
}

/* The machine must be one the emulator has. */
static int
drvProcessValidate(const confDomainDef *def, const drvQemuCaps *caps,
                   GError **error)
{
    if (!drvQemuCapsCanonicalMachine(caps, def->os.machine)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the emulator '%1$s' does not support machine type '%2$s'"),
                    def->devices.emulator, def->os.machine);
        return -1;
    }
    return 0;
}

/* The builder's command line, its files written, its warnings logged. */
static drvCommand *
drvProcessBuild(drvDriver *drv, drvDomainObj *obj, drvProcessFDs *fds,
                GError **error)
{
    drvDomainRuntime *rt = obj->rt;
    g_autofree char *trace = g_build_filename(rt->privDir, "qemu.log", NULL);
    drvCommandConfig cfg = {
        .libDir = rt->privDir,
        .logFile = trace,
        .openFD = drvProcessOpenFD,
        .opaque = fds,
    };
    const drvQemuCaps *caps;
    const drvHostCaps *host;
    g_autoptr(drvCommand) cmd = NULL;
    const char *const *files;
    size_t i;

    if (!(caps = drvDriverGetCaps(drv, rt->binary, &rt->capsFingerprint,
                                  error)) ||
        !(host = drvDriverGetHostCaps(drv, error)) ||
        drvProcessValidate(obj->def, caps, error) < 0 ||
        !(cmd = drvBuildCommandLine(obj->def, caps, host, &cfg, error)))
        return NULL;
    drvProcessLogVersion(rt, caps);
    files = drvCommandGetFiles(cmd);
    for (i = 0; files && files[i] && files[i + 1]; i += 2) {
        if (drvPersistWriteAtomic(files[i], files[i + 1], error) < 0)
            return NULL;
    }
    files = drvCommandGetWarnings(cmd);
    for (i = 0; files && files[i]; i++)
        drvProcessLogLine(rt, files[i]);
    return g_steal_pointer(&cmd);
}

static GStrv
drvProcessArgv(const drvCommand *cmd)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();

    g_strv_builder_add(b, drvCommandGetBinary(cmd));
    g_strv_builder_addv(b, (const char **)drvCommandGetArgs(cmd));
    return g_strv_builder_end(b);
}

/* Publish the new process under the lock and arm the exit watch. */
static int
drvProcessRecord(drvDriver *drv, drvDomainObj *obj, pid_t pid,
                 GError **error)
{
    unsigned long long start = 0;
    int pidfd = -1;

    if (drvProcessIdentify(pid, &pidfd, &start, error) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    g_mutex_lock(&obj->lock);
    obj->rt->pid = pid;
    obj->rt->pidfd = pidfd;
    obj->rt->startTime = start;
    drvQmpWatchExit(drv, obj, NULL);
    g_mutex_unlock(&obj->lock);
    return drvProcessWritePidfile(drv, obj, pid, error);
}

/*
 * Unlocked, start job held: probe, build, log and spawn QEMU.  Only the
 * job owner writes the runtime meanwhile; what others read (pid, pidfd)
 * is published under the lock.
 */
static int
drvProcessLaunch(drvDriver *drv, drvDomainObj *obj, GError **error)
{
    drvDomainRuntime *rt = obj->rt;
    g_auto(drvProcessFDs) fds = { .monitorPath = rt->monitorPath };
    g_autoptr(drvCommand) cmd = NULL;
    g_auto(GStrv) argv = NULL;
    VGM_AUTOCLOSE int logfd = drvProcessOpenLog(obj, error);
    pid_t pid = 0;

    if (logfd < 0)
        return -1;
    fds.fds = g_array_new(FALSE, FALSE, sizeof(drvProcessFD));
    if (!(cmd = drvProcessBuild(drv, obj, &fds, error))) {
        drvProcessLogLine(rt, (*error)->message);
        return -1;
    }
    argv = drvProcessArgv(cmd);
    drvProcessLogArgv(rt, logfd, drvCommandGetEnv(cmd), argv);
    if (drvProcessSpawn(argv, drvCommandGetEnv(cmd), &fds, logfd, &pid,
                        error) < 0)
        return -1;
    return drvProcessRecord(drv, obj, pid, error);
}

/* Unlocked: monitor connection, handshake and, unless paused, cont. */
static int
drvProcessBringUp(drvDriver *drv, drvDomainObj *obj, bool paused,
                  GError **error)
{
    gint64 deadline = g_get_monotonic_time() + drv->timeouts.start * 1000;

    if (drvQmpOpen(drv, obj, deadline, true, error) < 0)
        return -1;
    if (!paused && drvQmpCommand(drv, obj, "cont", NULL, error) < 0)
        return -1;
    return 0;
}

/* Locked: turn @err into the start error, with the end of QEMU's log. */
static void
drvProcessStartError(drvDomainObj *obj, GError *err, GError **error)
{
    drvDomainRuntime *rt = obj->rt;
    g_autofree char *tail = NULL;

    if (!err || (rt && rt->exited)) {
        g_clear_error(&err);
        err = g_error_new(DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                          _("QEMU of domain '%1$s' exited while starting"),
                          obj->def->name);
    }
    if (!rt || rt->logOffset <= 0) {
        g_propagate_error(error, err);
        return;
    }
    tail = drvProcessLogTail(rt->logPath, rt->logOffset, 1024);
    g_set_error(error, err->domain, err->code,
                _("%1$s; the end of the log '%2$s': %3$s"),
                err->message, rt->logPath, tail);
    g_error_free(err);
}

/* Locked: undo a start after a failure; QEMU is killed if it runs. */
static void
drvProcessAbort(drvDriver *drv, drvDomainObj *obj)
{
    g_autoptr(GError) err = NULL;

    if (!obj->rt)
        return;
    obj->rt->stopCause = DRV_STOP_FAILED;
    if (obj->rt->pidfd >= 0) {
        if (drvProcessKill(obj, SIGKILL, &err) < 0)
            g_debug("%s", err->message);
        drvProcessWaitExit(obj, g_get_monotonic_time() + 5 * G_USEC_PER_SEC);
    }
    drvProcessCleanup(drv, obj, VIR_DOMAIN_SHUTOFF_FAILED);
}

static void
drvProcessStarted(drvDriver *drv, drvDomainObj *obj, bool paused,
                  virDomainRunningReason reason)
{
    g_autoptr(GError) err = NULL;

    if (paused)
        drvDomainObjSetState(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    else
        drvDomainObjSetState(obj, VIR_DOMAIN_RUNNING, reason);
    if (drvPersistSaveStatus(drv, obj, &err) < 0)
        g_warning("%s", err->message);
    drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_STARTED,
                 VIR_DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
}

/**
 * drvProcessStart:
 * @drv: the driver
 * @obj: a locked inactive domain, held by a start job
 * @paused: leave the vCPUs stopped
 * @reason: the running reason (booted)
 * @error: return location for a GError
 *
 * The object lock is dropped while waiting for QEMU.  On failure QEMU is
 * killed, everything created is removed and the error carries the end of
 * QEMU's log.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvProcessStart(drvDriver *drv, drvDomainObj *obj, bool paused,
                virDomainRunningReason reason, GError **error)
{
    g_autoptr(GError) err = NULL;
    int rc;

    obj->def->id = drvDomainListNextID(drv->domains);
    if (!(obj->rt = drvProcessPrepare(drv, obj, &err))) {
        obj->def->id = -1;
        g_propagate_error(error, g_steal_pointer(&err));
        return -1;
    }
    drvDomainObjSetState(obj, VIR_DOMAIN_PAUSED,
                         VIR_DOMAIN_PAUSED_STARTING_UP);
    g_mutex_unlock(&obj->lock);
    rc = drvProcessLaunch(drv, obj, &err);
    if (rc == 0)
        rc = drvProcessBringUp(drv, obj, paused, &err);
    g_mutex_lock(&obj->lock);
    if (rc == 0 && obj->rt && !obj->rt->exited) {
        drvProcessStarted(drv, obj, paused, reason);
        return 0;
    }
    drvProcessStartError(obj, g_steal_pointer(&err), error);
    drvProcessAbort(drv, obj);
    obj->def->id = -1;
    return -1;
}
