/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/domain.h"
#include "conf/memory.h"
#include "driver/command.h"
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "qapi/monitor.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * Real acceptance (integration suite, root): every golden case of
 * tests/data/xml2argv whose capability set is the installed QEMU
 * (NAME.qemu-VERSION.args) is built again with that binary's probed
 * capabilities and this host's, with real descriptors (a listening QMP
 * socket, tap devices) and paths in a scratch directory, then started
 * with -S: it must reach the QMP greeting and answer query-status with
 * "prelaunch", then quit.  A case this host cannot run (no SEV, no VFIO)
 * must be refused with an error that says so.  KVM when /dev/kvm works,
 * TCG otherwise.
 */

#define TEST_QEMU "/usr/bin/qemu-system-x86_64"
#define TEST_TIMEOUT_MS 20000

static drvQemuCaps *testCaps;
static drvHostCaps *testHost;
static char *testVersion;
static char *testHugeDir;

typedef struct {
    char *dir;
    GArray *fds;
} testRun;

static int
testListen(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "monitor socket %s: %s", path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int
testOpenTap(GError **error)
{
    struct ifreq ifr = { 0 };
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    g_strlcpy(ifr.ifr_name, "vgmtest%d", IFNAMSIZ);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "tap device: %s", g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int
testOpenFD(drvCommandFDKind kind, const char *what, void *opaque,
           GError **error)
{
    testRun *run = opaque;
    g_autofree char *path = NULL;
    int fd = -1;

    if (kind == DRV_COMMAND_FD_MONITOR) {
        path = g_build_filename(run->dir, "monitor.sock", NULL);
        fd = testListen(path, error);
    } else if (kind == DRV_COMMAND_FD_TAP) {
        fd = testOpenTap(error);
    } else {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSYS,
                    "cannot open %s here", what);
    }
    if (fd >= 0)
        g_array_append_val(run->fds, fd);
    return fd;
}

/* A Linux boot header QEMU accepts; it never runs (-S, then quit). */
static char *
testFakeKernel(const char *dir)
{
    g_autofree guint8 *img = g_malloc0(8192);
    char *path = g_build_filename(dir, "vmlinuz", NULL);

    img[0x1f1] = 1;                          /* setup_sects */
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = 0x0c;                       /* boot protocol 2.12 */
    img[0x207] = 0x02;
    img[0x211] = 0x01;                       /* LOADED_HIGH */
    img[0x22c] = 0xff;                       /* initrd_addr_max */
    img[0x22d] = 0xff;
    img[0x22e] = 0xff;
    img[0x22f] = 0x7f;
    img[0x239] = 0x08;                       /* cmdline_size 2048 */
    g_assert_true(g_file_set_contents(path, (char *)img, 8192, NULL));
    return path;
}

static void
testRunCommand(const char *cmdline)
{
    g_autofree char *out = NULL;
    int status = 0;

    g_assert_true(g_spawn_command_line_sync(cmdline, &out, NULL, &status,
                                            NULL));
    g_assert_cmpint(status, ==, 0);
}

static char *
testScratchPath(const char *dir, const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    return g_build_filename(dir, base, NULL);
}

static void
testPrepareDisks(confDomainDef *def, const char *dir)
{
    size_t i;

    for (i = 0; i < def->devices.ndisks; i++) {
        confDiskDef *disk = def->devices.disks[i];
        g_autofree char *path = NULL;
        g_autofree char *quoted = NULL;
        g_autofree char *cmd = NULL;

        if (!disk->src)
            continue;
        path = testScratchPath(dir, disk->src);
        quoted = g_shell_quote(path);
        cmd = g_strdup_printf("qemu-img create -q -f %s %s 16M",
                              disk->format == CONF_DISK_FORMAT_QCOW2 ?
                              "qcow2" : "raw", quoted);
        testRunCommand(cmd);
        g_free(disk->src);
        disk->src = g_steal_pointer(&path);
    }
}

static void
testPrepareChardevs(confChrDef **chrs, size_t n, const char *dir)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!chrs[i]->source.path)
            continue;
        g_free(g_steal_pointer(&chrs[i]->source.path));
        chrs[i]->source.path = g_strdup_printf("%s/chr%zu", dir, i);
    }
}

/* Everything the domain names on the host goes into @dir. */
static void
testPrepare(confDomainDef *def, const char *dir)
{
    testPrepareDisks(def, dir);
    testPrepareChardevs(def->devices.serials, def->devices.nserials, dir);
    testPrepareChardevs(def->devices.consoles, def->devices.nconsoles, dir);
    if (def->os.kernel) {
        g_free(def->os.kernel);
        def->os.kernel = testFakeKernel(dir);
    }
    if (def->os.initrd) {
        g_free(def->os.initrd);
        def->os.initrd = g_build_filename(dir, "initrd", NULL);
        g_assert_true(g_file_set_contents(def->os.initrd, "initrd", -1,
                                          NULL));
    }
    if (def->os.nvram && def->os.nvram->path) {
        g_autofree char *cmd = g_strdup_printf(
            "cp /usr/share/OVMF/OVMF_VARS_4M.fd %s/VARS.fd", dir);

        testRunCommand(cmd);
        g_free(def->os.nvram->path);
        def->os.nvram->path = g_strdup_printf("%s/VARS.fd", dir);
    }
    if (!drvHostCapsHasVMType(testHost, DRV_HOST_VM_TYPE_DEFAULT))
        def->virtType = CONF_DOMAIN_VIRT_QEMU;
}

/* Greeting, qmp_capabilities, query-status == prelaunch, quit. */
static void
testTalk(const char *dir, const char *name)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autofree char *sock = g_build_filename(dir, "monitor.sock", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiMonitor) mon = NULL;
    g_autoptr(qapiJSON) cmd = NULL;
    g_autoptr(qapiJSON) reply = NULL;
    const char *status;

    if (!(mon = qapiMonitorConnect(sock, ctx, TEST_TIMEOUT_MS, &error)) ||
        qapiMonitorHandshakeSync(mon, TEST_TIMEOUT_MS, &error) < 0) {
        VGM_TEST_FAIL("%s: QMP: %s", name, error->message);
        return;
    }
    cmd = qapiMonitorMakeCommand("query-status", NULL);
    if (qapiMonitorCommandSync(mon, &cmd, TEST_TIMEOUT_MS, &reply,
                               &error) < 0) {
        VGM_TEST_FAIL("%s: query-status: %s", name, error->message);
        return;
    }
    status = qapiJSONObjectGetString(reply, "status");
    if (g_strcmp0(status, "prelaunch") != 0)
        VGM_TEST_FAIL("%s: query-status says '%s'", name, status);
    /* QEMU may close the socket before it answers */
    cmd = qapiMonitorMakeCommand("quit", NULL);
    qapiMonitorCommandSync(mon, &cmd, TEST_TIMEOUT_MS, NULL, NULL);
    qapiMonitorClose(mon);
}

static GPid
testSpawn(const drvCommand *cmd, const char *dir, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *const *args = drvCommandGetArgs(cmd);
    g_autofree char *log = g_build_filename(dir, "qemu.log", NULL);
    size_t nfds;
    const int *fds = drvCommandGetPassFDs(cmd, &nfds);
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    GPid pid = 0;
    gboolean ok;

    g_ptr_array_add(argv, (char *)drvCommandGetBinary(cmd));
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);
    ok = g_spawn_async_with_pipes_and_fds(
        dir, (const char *const *)argv->pdata, drvCommandGetEnv(cmd),
        G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, logfd, logfd,
        fds, fds, nfds, &pid, NULL, NULL, NULL, error);
    close(logfd);
    return ok ? pid : 0;
}

static void
testReap(GPid pid, const char *dir, const char *name)
{
    gint64 deadline = g_get_monotonic_time() + TEST_TIMEOUT_MS * 1000LL;
    g_autofree char *logPath = g_build_filename(dir, "qemu.log", NULL);
    g_autofree char *log = NULL;
    int status = 0;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            VGM_TEST_FAIL("%s: QEMU did not quit", name);
            return;
        }
        g_usleep(10000);
    }
    g_file_get_contents(logPath, &log, NULL, NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        VGM_TEST_FAIL("%s: QEMU failed (status %d): %s", name, status,
                      log ? log : "");
}

static void
testMkdirs(const drvCommandConfig *cfg, const char *shortName)
{
    g_autofree char *ram = g_build_filename(cfg->memoryBackingDir, shortName,
                                            NULL);
    g_autofree char *huge = g_build_filename(cfg->hugetlbfsDir, "virtgmem",
                                             shortName, NULL);

    g_mkdir_with_parents(ram, 0700);
    g_mkdir_with_parents(huge, 0700);
    g_mkdir_with_parents(cfg->libDir, 0700);
}

/* virsh domxml-to-native: the emulator the XML names, probed for real. */
static void
testXMLToNative(void)
{
    g_autofree char *cacheDir = g_dir_make_tmp("vgm-capscache-XXXXXX", NULL);
    drvQemuCapsConfig config = { .cacheDir = cacheDir };
    g_autofree char *xml = vgmTestLoadData("xml2argv/minimal-q35.xml");
    g_autoptr(GError) error = NULL;
    g_autofree char *out = drvDomainXMLToNative(xml, "qemu-argv", &config,
                                                &error);
    g_autofree char *rmCmd = g_strdup_printf("rm -rf %s", cacheDir);
    g_autofree char *machine = g_strdup_printf(
        " -machine %s,", drvQemuCapsCanonicalMachine(testCaps, "q35"));

    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(out, "LC_ALL=C PATH="));
    g_assert_nonnull(strstr(out, " " TEST_QEMU " -name guest=guest,"));
    g_assert_nonnull(strstr(out, machine));
    testRunCommand(rmCmd);
}

static char *testHugepagesSetup(void);
static void testHugepagesTeardown(const char *old);

static void
testStartCase(gconstpointer data)
{
    const char *name = data;
    g_autofree char *dir = g_dir_make_tmp("vgm-xml2argv-XXXXXX", NULL);
    g_autofree char *rel = g_strdup_printf("xml2argv/%s.xml", name);
    g_autofree char *path = vgmTestDataPath(rel);
    confDomainParseOpts opts = {
        .arch = "x86_64", .machine = drvQemuCapsGetDefaultMachine(testCaps),
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = confDomainDefParseFile(path, &opts, 0,
                                                          &error);
    g_autoptr(drvCommand) cmd = NULL;
    g_autofree char *shortName = NULL;
    g_autofree char *libDir = g_build_filename(dir, "lib", NULL);
    g_autofree char *ram = g_build_filename(dir, "ram", NULL);
    testRun run = { dir, g_array_new(FALSE, FALSE, sizeof(int)) };
    drvCommandConfig cfg = {
        libDir, NULL, ram, NULL, NULL, testOpenFD, &run, 0,
    };
    g_autofree char *rmCmd = NULL;
    g_autofree char *oldHuge = NULL;
    GPid pid;
    guint i;

    g_assert_no_error(error);
    if (def->memoryBacking && def->memoryBacking->hugepages)
        oldHuge = testHugepagesSetup();
    cfg.hugetlbfsDir = testHugeDir ? testHugeDir : "/dev/hugepages";
    testPrepare(def, dir);
    shortName = drvCommandDomainShortName(def);
    testMkdirs(&cfg, shortName);
    cmd = drvBuildCommandLine(def, testCaps, testHost, &cfg, &error);
    if (!cmd) {
        /* only what this host lacks may stop a golden case */
        if (!g_error_matches(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED) ||
            !strstr(error->message, "this host"))
            VGM_TEST_FAIL("%s: %s", name, error->message);
        else
            g_test_message("%s: refused by this host: %s", name,
                           error->message);
    } else if (!(pid = testSpawn(cmd, dir, &error))) {
        VGM_TEST_FAIL("%s: spawn: %s", name, error->message);
    } else {
        testTalk(dir, name);
        testReap(pid, dir, name);
    }
    for (i = 0; i < run.fds->len; i++)
        close(g_array_index(run.fds, int, i));
    g_array_unref(run.fds);
    if (oldHuge)
        testHugepagesTeardown(oldHuge);
    rmCmd = g_strdup_printf("rm -rf %s", dir);
    testRunCommand(rmCmd);
}

static void
testWriteProc(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, value, strlen(value)), ==, (ssize_t)strlen(value));
    close(fd);
}

/* hugetlbfs and a few free 2 MiB pages for the huge page cases */
static char *
testHugepagesSetup(void)
{
    g_autofree char *old = NULL;

    g_assert_true(g_file_get_contents("/proc/sys/vm/nr_hugepages", &old, NULL,
                                      NULL));
    testWriteProc("/proc/sys/vm/nr_hugepages", "128");
    testHugeDir = g_dir_make_tmp("vgm-hugetlbfs-XXXXXX", NULL);
    g_assert_nonnull(testHugeDir);
    {
        g_autofree char *cmd = g_strdup_printf(
            "mount -t hugetlbfs -o pagesize=2M none %s", testHugeDir);

        testRunCommand(cmd);
    }
    return g_strstrip(g_steal_pointer(&old));
}

static void
testHugepagesTeardown(const char *old)
{
    g_autofree char *cmd = g_strdup_printf("umount %s", testHugeDir);

    testRunCommand(cmd);
    rmdir(testHugeDir);
    g_clear_pointer(&testHugeDir, g_free);
    testWriteProc("/proc/sys/vm/nr_hugepages", old);
}

static gint
testCompareNames(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *
testListCases(void)
{
    g_autofree char *dirPath = vgmTestDataPath("xml2argv");
    g_autofree char *suffix = g_strdup_printf(".%s.args", testVersion);
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    g_assert_nonnull(dir);
    while ((ent = g_dir_read_name(dir))) {
        if (g_str_has_suffix(ent, suffix))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - strlen(suffix)));
    }
    g_ptr_array_sort(names, testCompareNames);
    return names;
}

int
main(int argc, char **argv)
{
    drvQemuCapsConfig capsConfig = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) names = NULL;
    unsigned int v;
    guint i;
    int rc;

    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    testCaps = drvQemuCapsProbe(TEST_QEMU, &capsConfig, &error);
    g_assert_no_error(error);
    testHost = drvHostCapsProbe(&error);
    g_assert_no_error(error);
    v = drvQemuCapsGetVersion(testCaps);
    testVersion = g_strdup_printf("qemu-%u.%u.%u", v / 1000000,
                                  v / 1000 % 1000, v % 1000);
    names = testListCases();
    /* no golden case for the installed QEMU is a failure, not a skip */
    g_assert_cmpuint(names->len, >, 0);
    for (i = 0; i < names->len; i++) {
        g_autofree char *tpath = g_strdup_printf(
            "/xml2argv-qemu/%s/%s", testVersion,
            (char *)g_ptr_array_index(names, i));

        g_test_add_data_func(tpath, g_ptr_array_index(names, i),
                             testStartCase);
    }
    g_test_add_func("/xml2argv-qemu/xml-to-native", testXMLToNative);
    rc = g_test_run();
    drvQemuCapsFree(testCaps);
    drvHostCapsFree(testHost);
    g_free(testVersion);
    return rc;
}
