/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

/*
 * The QEMU process of a capability probe: started with "-machine none"
 * and -S in a private temporary directory, its QMP monitor one end of a
 * socketpair we made before the start, its output kept in a log file for
 * error messages.  The process is killed when it does not exit after
 * "quit", on any error and on timeout; the directory always goes.
 *
 * The monitor is connected before QEMU starts (a "server=off" chardev on
 * a connected socket) rather than a listening socket: QEMU then has no
 * connection to accept.  With a listening socket, QEMU 7.2 can accept our
 * queued connection in its main thread while the monitor I/O thread is
 * still installing its handlers; about one probe in 1,500 under load then
 * gets the greeting twice or no reply to qmp_capabilities at all.
 */

#define DRV_QEMU_CAPS_DEFAULT_TIMEOUT_MS 30000
#define DRV_QEMU_CAPS_EXIT_WAIT_MS 3000
#define DRV_QEMU_CAPS_QMP_FD 3

typedef struct {
    char *dir;
    char *logPath;
    GPid pid;               /* 0: not running */
} drvQemuCapsProc;

/**
 * drvQemuCapsKVMUsable:
 * @config: the probe configuration (kvm set: that answer)
 *
 * Returns: whether /dev/kvm can be opened read-write; the host layer
 * answers (drvHostKVMUsable()) unless @config says.
 */
bool
drvQemuCapsKVMUsable(const drvQemuCapsConfig *config)
{
    if (config && config->kvm != VGM_TRISTATE_BOOL_ABSENT)
        return config->kvm == VGM_TRISTATE_BOOL_YES;
    return drvHostKVMUsable();
}

static bool
drvQemuCapsProcExited(drvQemuCapsProc *proc, int waitMs)
{
    gint64 end = g_get_monotonic_time() + (gint64)waitMs * 1000;
    int status;

    do {
        pid_t rc = waitpid(proc->pid, &status, WNOHANG);

        if (rc == proc->pid || (rc < 0 && errno != EINTR)) {
            proc->pid = 0;
            return true;
        }
        g_usleep(5000);
    } while (g_get_monotonic_time() < end);
    return false;
}

static void
drvQemuCapsProcStop(drvQemuCapsProc *proc, int graceMs)
{
    if (proc->pid <= 0)
        return;
    if (drvQemuCapsProcExited(proc, graceMs))
        return;
    g_debug("killing QEMU probe process %d", (int)proc->pid);
    kill(proc->pid, SIGKILL);
    while (waitpid(proc->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    proc->pid = 0;
}

static void
drvQemuCapsProcClear(drvQemuCapsProc *proc)
{
    drvQemuCapsProcStop(proc, 0);
    if (proc->logPath)
        unlink(proc->logPath);
    if (proc->dir && rmdir(proc->dir) < 0)
        g_debug("cannot remove %s: %s", proc->dir, g_strerror(errno));
    g_free(proc->dir);
    g_free(proc->logPath);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(drvQemuCapsProc, drvQemuCapsProcClear);

/* The last non-empty line QEMU printed, or NULL. */
static char *
drvQemuCapsProcLastLog(const drvQemuCapsProc *proc)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    int i;

    if (!proc->logPath || !g_file_get_contents(proc->logPath, &text, NULL,
                                               NULL))
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (i = (int)g_strv_length(lines) - 1; i >= 0; i--) {
        g_strstrip(lines[i]);
        if (lines[i][0])
            return g_strdup(lines[i]);
    }
    return NULL;
}

/* @fds[0]: ours, @fds[1]: QEMU's; both close-on-exec. */
static int
drvQemuCapsProcSocketPair(int fds[2], GError **error)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the QMP socket pair for probing QEMU: %1$s"),
                    g_strerror(errno));
        return -1;
    }
    return 0;
}

static GStrv
drvQemuCapsProcArgv(const char *binary, bool kvm)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    const char *const fixed[] = {
        "-machine", "none", "-nodefaults", "-nographic", "-no-user-config",
        "-S", "-chardev",
        "socket,id=vgmqmp,fd=" G_STRINGIFY(DRV_QEMU_CAPS_QMP_FD),
        "-mon", "chardev=vgmqmp,mode=control", NULL,
    };

    g_strv_builder_add(b, binary);
    g_strv_builder_addv(b, (const char **)fixed);
    /* QEMU takes the first accelerator that works; query-kvm says which */
    if (kvm)
        g_strv_builder_add_many(b, "-accel", "kvm", NULL);
    g_strv_builder_add_many(b, "-accel", "tcg", NULL);
    return g_strv_builder_end(b);
}

/*
 * In the child: die with the thread that started us, so a daemon that
 * crashes mid-probe leaves no QEMU behind.  That thread waits for the
 * probe to end, so the signal never comes early.
 */
static void
drvQemuCapsProcChildSetup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int
drvQemuCapsProcSpawn(drvQemuCapsProc *proc, const char *binary, bool kvm,
                     int qemuFd, GError **error)
{
    g_auto(GStrv) argv = drvQemuCapsProcArgv(binary, kvm);
    VGM_AUTOCLOSE int logFd = open(proc->logPath,
                                   O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                   0600);
    int source[] = { qemuFd };
    int target[] = { DRV_QEMU_CAPS_QMP_FD };
    g_autoptr(GError) err = NULL;

    if (logFd < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create QEMU log file '%1$s': %2$s"),
                    proc->logPath, g_strerror(errno));
        return -1;
    }
    if (!g_spawn_async_with_pipes_and_fds(proc->dir, (const char *const *)argv,
                                          NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD |
                                          G_SPAWN_STDIN_FROM_DEV_NULL,
                                          drvQemuCapsProcChildSetup, NULL,
                                          -1, logFd, logFd,
                                          source, target, 1, &proc->pid,
                                          NULL, NULL, NULL, &err)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot start QEMU binary '%1$s': %2$s"),
                    binary, err->message);
        return -1;
    }
    return 0;
}

static int
drvQemuCapsProcInit(drvQemuCapsProc *proc, GError **error)
{
    g_autoptr(GError) err = NULL;

    if (!(proc->dir = g_dir_make_tmp("vgm-qemucaps-XXXXXX", &err))) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create a temporary directory for probing QEMU: %1$s"),
                    err->message);
        return -1;
    }
    proc->logPath = g_build_filename(proc->dir, "qemu.log", NULL);
    return 0;
}

/* Start QEMU; returns our end of its monitor connection, or -1. */
static int
drvQemuCapsProcStart(drvQemuCapsProc *proc, const char *binary, bool kvm,
                     GError **error)
{
    VGM_AUTOCLOSE int ours = -1;
    VGM_AUTOCLOSE int theirs = -1;
    int fds[2];

    if (!g_path_is_absolute(binary)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' is not an absolute path"), binary);
        return -1;
    }
    if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE) ||
        g_file_test(binary, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' is not an executable file"), binary);
        return -1;
    }
    if (drvQemuCapsProcInit(proc, error) < 0 ||
        drvQemuCapsProcSocketPair(fds, error) < 0)
        return -1;
    ours = fds[0];
    theirs = fds[1];
    if (drvQemuCapsProcSpawn(proc, binary, kvm, theirs, error) < 0)
        return -1;
    return vgmStealFD(&ours);
}

/**
 * drvQemuCapsProbe:
 * @binary: absolute path of a qemu-system-* binary
 * @config: (nullable): timeout and host facts; NULL: defaults
 * @error: set on failure
 *
 * Starts @binary and asks it what it can do; never uses the cache.
 *
 * Returns: the capabilities, or NULL with @error set (naming the binary
 * and, when QEMU printed one, its last message).
 */
drvQemuCaps *
drvQemuCapsProbe(const char *binary, const drvQemuCapsConfig *config,
                 GError **error)
{
    g_auto(drvQemuCapsProc) proc = { 0 };
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *said = NULL;
    unsigned int timeout = config && config->timeoutMs ?
        config->timeoutMs : DRV_QEMU_CAPS_DEFAULT_TIMEOUT_MS;
    int fd;

    if ((fd = drvQemuCapsProcStart(&proc, binary,
                                   drvQemuCapsKVMUsable(config),
                                   error)) < 0)
        return NULL;
    if ((caps = drvQemuCapsProbeFD(fd, binary, timeout, &err))) {
        drvQemuCapsProcStop(&proc, DRV_QEMU_CAPS_EXIT_WAIT_MS);
        return g_steal_pointer(&caps);
    }
    /* Give a QEMU that failed a moment to finish its message. */
    drvQemuCapsProcStop(&proc, 100);
    if ((said = drvQemuCapsProcLastLog(&proc))) {
        g_set_error(error, DRV_ERROR, err->code,
                    _("QEMU binary '%1$s': %2$s (QEMU said: %3$s)"),
                    binary, err->message, said);
    } else {
        g_set_error(error, DRV_ERROR, err->code,
                    _("QEMU binary '%1$s': %2$s"), binary, err->message);
    }
    return NULL;
}
