/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * The capability cache (driver/qemucapscache.c) and the probe's process
 * handling (driver/qemucapsproc.c) without QEMU: the "binary" is
 * tests/fakeqemu.py copied into a temporary directory, replaying
 * 11.1.3's recorded replies over the socket the probe passes it.
 */

static char *testDir;        /* per-program temporary directory */
static drvQemuCaps *testCaps; /* 11.1.3, replayed once */

typedef struct {
    char *binary;
    char *cacheDir;
    drvQemuCapsConfig config;
} cacheFixture;

/* A fresh copy of fakeqemu.py as "qemu-system-x86_64" in its own dir. */
static char *
testMakeBinary(const char *name)
{
    g_autofree char *src = g_build_filename(VGM_SOURCE_ROOT, "tests",
                                            "fakeqemu.py", NULL);
    g_autofree char *dir = g_build_filename(testDir, name, NULL);
    char *dst = g_build_filename(dir, "qemu-system-x86_64", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_get_contents(src, &text, &len, NULL));
    g_assert_true(g_file_set_contents(dst, text, len, NULL));
    g_assert_cmpint(chmod(dst, 0755), ==, 0);
    return dst;
}

static void
fixtureSetUp(cacheFixture *f, gconstpointer data)
{
    static unsigned int n;
    g_autofree char *name = g_strdup_printf("case%u", n++);

    f->binary = testMakeBinary(name);
    f->cacheDir = g_build_filename(testDir, name, "cache", NULL);
    f->config.cacheDir = f->cacheDir;
    f->config.hostFingerprint = "kernel=6.18.0-test kvm=yes";
    f->config.kvm = VGM_TRISTATE_BOOL_YES;
    f->config.timeoutMs = 10000;
}

/* How the fake QEMU of @f behaves: "", "fail" or "hang". */
static void
testSetMode(cacheFixture *f, const char *mode)
{
    g_autofree char *dir = g_path_get_dirname(f->binary);
    g_autofree char *path = g_build_filename(dir, "mode", NULL);

    g_assert_true(g_file_set_contents(path, mode, -1, NULL));
}

static void
fixtureTearDown(cacheFixture *f, gconstpointer data)
{
    g_free(f->binary);
    g_free(f->cacheDir);
}

static void
testSave(cacheFixture *f, const char *binary)
{
    g_auto(drvQemuCapsCacheKey) key = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(drvQemuCapsCacheKeyInit(&key, binary, &f->config,
                                            &error), ==, 0);
    g_assert_cmpint(drvQemuCapsCacheSave(f->cacheDir, testCaps, &key,
                                         &error), ==, 0);
}

static drvQemuCaps *
testLoad(cacheFixture *f, const char *binary)
{
    g_auto(drvQemuCapsCacheKey) key = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(drvQemuCapsCacheKeyInit(&key, binary, &f->config,
                                            &error), ==, 0);
    return drvQemuCapsCacheLoad(f->cacheDir, &key);
}

static void
testCacheHit(cacheFixture *f, gconstpointer data)
{
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autofree char *want = drvQemuCapsFormatSummary(testCaps);
    g_autofree char *got = NULL;
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, f->binary);
    struct stat sb;

    testSave(f, f->binary);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
    caps = testLoad(f, f->binary);
    g_assert_nonnull(caps);
    got = drvQemuCapsFormatSummary(caps);
    g_assert_cmpstr(got, ==, want);
    g_assert_cmpstr(drvQemuCapsGetBinary(caps), ==, f->binary);
    g_assert_true(drvQemuCapsSchemaHas(caps, "object-add/arg-type/+tdx-guest"));
    g_assert_true(qapiJSONEqual(drvQemuCapsGetSchema(caps),
                                drvQemuCapsGetSchema(testCaps)));
}

/* The ways a cache file goes stale: each must be a miss. */
typedef enum {
    STALE_MTIME,
    STALE_SIZE,
    STALE_CTIME,
    STALE_KERNEL,
    STALE_KVM,
    STALE_PROBE,
    STALE_FORMAT,
} staleKind;

/*
 * Pretend the file was written by another virtgmem: set its key's
 * @member to @value (taken).
 */
static void
testRewriteKey(cacheFixture *f, const char *member, qapiJSON *value)
{
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, f->binary);
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;
    g_autoptr(qapiJSON) obj = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    obj = qapiJSONParse(text, NULL);
    g_assert_nonnull(obj);
    g_assert_true(qapiJSONObjectHas(qapiJSONObjectGetObject(obj, "key"),
                                    member));
    qapiJSONObjectSet(qapiJSONObjectGetObject(obj, "key"), member, value);
    out = qapiJSONFormat(obj, false);
    g_assert_true(g_file_set_contents(path, out, -1, NULL));
}

static void
testCacheStale(cacheFixture *f, gconstpointer data)
{
    staleKind kind = GPOINTER_TO_INT(data);
    struct timespec times[2] = { { 0, UTIME_OMIT }, { 1234567, 0 } };
    g_autoptr(drvQemuCaps) before = NULL;
    g_autoptr(drvQemuCaps) after = NULL;
    FILE *fp;

    testSave(f, f->binary);
    before = testLoad(f, f->binary);
    g_assert_nonnull(before);
    g_usleep(20000);    /* a ctime change must be visible */
    switch (kind) {
    case STALE_MTIME:
        g_assert_cmpint(utimensat(AT_FDCWD, f->binary, times, 0), ==, 0);
        break;
    case STALE_SIZE:
        g_assert_nonnull((fp = fopen(f->binary, "a")));
        fputs("# grown\n", fp);
        fclose(fp);
        break;
    case STALE_CTIME:
        g_assert_cmpint(chmod(f->binary, 0750), ==, 0);
        break;
    case STALE_KERNEL:
        f->config.hostFingerprint = "kernel=6.19.0-test kvm=yes";
        break;
    case STALE_KVM:
        f->config.kvm = VGM_TRISTATE_BOOL_NO;
        break;
    case STALE_PROBE:
        testRewriteKey(f, "probe", qapiJSONNewString("0123456789abcdef"));
        break;
    case STALE_FORMAT:
        /* format 1 had no "cpu-max": such a file must be reprobed */
        testRewriteKey(f, "format", qapiJSONNewInt64(1));
        break;
    }
    after = testLoad(f, f->binary);
    g_assert_null(after);
}

/* drvQemuCapsCacheParse() says why, in the driver's error domain. */
static void
testParseFails(cacheFixture *f, const char *text)
{
    g_auto(drvQemuCapsCacheKey) key = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;

    g_assert_cmpint(drvQemuCapsCacheKeyInit(&key, f->binary, &f->config,
                                            &error), ==, 0);
    caps = drvQemuCapsCacheParse(text, &key, &error);
    g_assert_null(caps);
    g_assert_nonnull(error);
    g_assert_true(error->domain == DRV_ERROR);
    g_test_message("%s", error->message);
}

static void
testCacheCorrupt(cacheFixture *f, gconstpointer data)
{
    const char *how = data;
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, f->binary);
    g_autofree char *text = NULL;
    g_autofree char *bad = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    gsize len = 0;

    testSave(f, f->binary);
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    if (strcmp(how, "truncated") == 0) {
        bad = g_strndup(text, len / 2);
    } else if (strcmp(how, "garbage") == 0) {
        bad = g_strdup("\x7f" "ELF this is not a cache file");
    } else if (strcmp(how, "empty") == 0) {
        bad = g_strdup("");
    } else {
        /* valid JSON, right key, a member of the wrong type */
        g_autoptr(qapiJSON) obj = qapiJSONParse(text, NULL);

        g_assert_nonnull(obj);
        qapiJSONObjectSet(obj, how, qapiJSONNewInt64(5));
        bad = qapiJSONFormat(obj, false);
    }
    g_assert_true(g_file_set_contents(path, bad, -1, NULL));
    caps = testLoad(f, f->binary);
    g_assert_null(caps);
    testParseFails(f, bad);
}

/* A cache file of binary A put where B's would be is not B's. */
static void
testCacheOtherBinary(cacheFixture *f, gconstpointer data)
{
    g_autofree char *other = testMakeBinary("other-binary");
    g_autofree char *mine = drvQemuCapsCachePath(f->cacheDir, f->binary);
    g_autofree char *theirs = drvQemuCapsCachePath(f->cacheDir, other);
    g_autofree char *text = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(drvQemuCaps) stolen = NULL;

    g_assert_cmpstr(mine, !=, theirs);
    testSave(f, f->binary);
    g_assert_true(g_file_get_contents(mine, &text, NULL, NULL));
    g_assert_true(g_file_set_contents(theirs, text, -1, NULL));
    stolen = testLoad(f, other);
    g_assert_null(stolen);
    caps = testLoad(f, f->binary);
    g_assert_nonnull(caps);
}

/* ---- drvQemuCapsLookup(): cache, then a (fake) QEMU process ---- */

static void
testLookupProbeThenHit(cacheFixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) first = NULL;
    g_autoptr(drvQemuCaps) second = NULL;
    g_autofree char *want = drvQemuCapsFormatSummary(testCaps);
    g_autofree char *got1 = NULL;
    g_autofree char *got2 = NULL;
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, f->binary);
    bool hit = true;

    first = drvQemuCapsLookup(f->binary, &f->config, &hit, &error);
    if (!first) {
        VGM_TEST_FAIL("probe of the fake QEMU failed: %s", error->message);
        return;
    }
    g_assert_false(hit);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    second = drvQemuCapsLookup(f->binary, &f->config, &hit, &error);
    g_assert_nonnull(second);
    g_assert_true(hit);
    got1 = drvQemuCapsFormatSummary(first);
    got2 = drvQemuCapsFormatSummary(second);
    g_assert_cmpstr(got1, ==, want);
    g_assert_cmpstr(got2, ==, want);
}

/* A corrupt cache file is replaced by a fresh probe's. */
static void
testLookupCorruptReprobed(cacheFixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(drvQemuCaps) cached = NULL;
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, f->binary);
    bool hit = true;

    testSave(f, f->binary);
    g_assert_true(g_file_set_contents(path, "{\"key\": [", -1, NULL));
    caps = drvQemuCapsLookup(f->binary, &f->config, &hit, &error);
    if (!caps) {
        VGM_TEST_FAIL("probe of the fake QEMU failed: %s", error->message);
        return;
    }
    g_assert_false(hit);
    cached = testLoad(f, f->binary);
    g_assert_nonnull(cached);
}

/* A valid cache answers without starting the binary at all. */
static void
testLookupHitNoProbe(cacheFixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    bool hit = false;

    testSave(f, f->binary);
    testSetMode(f, "fail");
    caps = drvQemuCapsLookup(f->binary, &f->config, &hit, &error);
    g_assert_nonnull(caps);
    g_assert_true(hit);
}

typedef struct {
    const char *name;
    const char *mode;          /* see testSetMode() */
    const char *binary;        /* NULL: the fixture's */
    bool inTestDir;            /* @binary is in testDir */
    unsigned int timeoutMs;
    const char *error;         /* expected substring */
    int code;
} failCase;

static const failCase failCases[] = {
    { "exits", "fail", NULL, false, 10000,
      "(QEMU said: qemu-system-x86_64: -accel kvm: failed to initialize kvm: Permission denied)",
      0 },
    { "crashes", "crash", NULL, false, 10000,
      "the monitor failed at command 'query-kvm'", 0 },
    { "crashes-said", "crash", NULL, false, 10000,
      "(QEMU said: qemu-system-x86_64: kvm_init_vcpu: Cannot allocate memory)",
      0 },
    { "hangs", "hang", NULL, false, 300, "no QMP greeting",
      VIR_ERR_OPERATION_TIMEOUT },
    { "missing", "", "/nonexistent/qemu-system-x86_64", false, 10000,
      "cannot find QEMU binary '/nonexistent/qemu-system-x86_64'",
      VIR_ERR_NO_SUPPORT },
    { "relative", "", "./qemu-system-x86_64", false, 10000,
      "QEMU binary './qemu-system-x86_64' is not an absolute path",
      VIR_ERR_INVALID_ARG },
    { "not-executable", "", "not-executable", true, 10000,
      "/not-executable' is not an executable file", VIR_ERR_INVALID_ARG },
};

static void
testLookupFail(cacheFixture *f, gconstpointer data)
{
    const failCase *tc = data;
    g_autofree char *binary = !tc->binary ? g_strdup(f->binary) :
        tc->inTestDir ? g_build_filename(testDir, tc->binary, NULL) :
        g_strdup(tc->binary);
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autofree char *path = drvQemuCapsCachePath(f->cacheDir, binary);
    gint64 start = g_get_monotonic_time();

    testSetMode(f, tc->mode);
    f->config.timeoutMs = tc->timeoutMs;
    caps = drvQemuCapsLookup(binary, &f->config, NULL, &error);
    g_assert_null(caps);
    g_assert_true(error->domain == DRV_ERROR);
    g_test_message("%s: %s", tc->name, error->message);
    if (!strstr(error->message, tc->error))
        VGM_TEST_FAIL("%s: error '%s' lacks '%s'", tc->name, error->message,
                      tc->error);
    if (tc->code && error->code != tc->code)
        VGM_TEST_FAIL("%s: code %d, expected %d", tc->name, error->code,
                      tc->code);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(g_get_monotonic_time() - start, <,
                    (tc->timeoutMs + 3000) * 1000LL);
}

/* Every probe removed its private temporary directory. */
static void
testTmpClean(void)
{
    g_autoptr(GDir) d = g_dir_open(g_get_tmp_dir(), 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    g_assert_true(g_str_has_prefix(g_get_tmp_dir(), testDir));
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_prefix(name, "vgm-qemucaps-"))
            VGM_TEST_FAIL("left behind: %s/%s", g_get_tmp_dir(), name);
    }
}

static void
testRemoveTree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            testRemoveTree(child);
        else
            unlink(child);
    }
    rmdir(path);
}

#define DO_TEST_FIXTURE(name, data, func) \
    g_test_add("/qemucaps-cache/" name, cacheFixture, data, fixtureSetUp, \
               func, fixtureTearDown)

/*
 * A TMPDIR of our own, set before anything calls g_get_tmp_dir() (which
 * caches it), so the probes' temporary directories land there; and a
 * file that is not executable.
 */
static void
testSetUpDirs(void)
{
    const char *base = g_getenv("TMPDIR") ? g_getenv("TMPDIR") : "/tmp";
    g_autofree char *tmp = NULL;
    g_autofree char *notexec = NULL;

    testDir = g_build_filename(base, "vgm-cachetest-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(testDir));
    tmp = g_build_filename(testDir, "tmp", NULL);
    g_assert_cmpint(g_mkdir_with_parents(tmp, 0700), ==, 0);
    g_setenv("TMPDIR", tmp, TRUE);
    notexec = g_build_filename(testDir, "not-executable", NULL);
    g_assert_true(g_file_set_contents(notexec, "#!/bin/sh\n", -1, NULL));
    g_assert_cmpint(chmod(notexec, 0644), ==, 0);
}

/* What the fake QEMU replays. */
static void
testSetUpReplies(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *replies = vgmTestDataPath("qemucaps/11.1.3");
    g_autofree char *quit = vgmTestDataPath("qemucaps/quit.jsonl");

    /* before the fake QMP server starts a thread */
    g_setenv("VGM_FAKE_QEMU_DIR", replies, TRUE);
    g_setenv("VGM_FAKE_QEMU_QUIT", quit, TRUE);
    testCaps = testQemuCapsReplay("11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE,
                                  &error);
    g_assert_nonnull(testCaps);
}

int
main(int argc, char **argv)
{
    size_t i;
    int ret;

    testSetUpDirs();
    g_test_init(&argc, &argv, NULL);
    testSetUpReplies();

    DO_TEST_FIXTURE("hit", NULL, testCacheHit);
    DO_TEST_FIXTURE("stale/mtime", GINT_TO_POINTER(STALE_MTIME),
                    testCacheStale);
    DO_TEST_FIXTURE("stale/size", GINT_TO_POINTER(STALE_SIZE),
                    testCacheStale);
    DO_TEST_FIXTURE("stale/ctime", GINT_TO_POINTER(STALE_CTIME),
                    testCacheStale);
    DO_TEST_FIXTURE("stale/kernel", GINT_TO_POINTER(STALE_KERNEL),
                    testCacheStale);
    DO_TEST_FIXTURE("stale/kvm", GINT_TO_POINTER(STALE_KVM), testCacheStale);
    DO_TEST_FIXTURE("stale/probe", GINT_TO_POINTER(STALE_PROBE),
                    testCacheStale);
    DO_TEST_FIXTURE("stale/format", GINT_TO_POINTER(STALE_FORMAT),
                    testCacheStale);
    DO_TEST_FIXTURE("corrupt/truncated", "truncated", testCacheCorrupt);
    DO_TEST_FIXTURE("corrupt/garbage", "garbage", testCacheCorrupt);
    DO_TEST_FIXTURE("corrupt/empty", "empty", testCacheCorrupt);
    DO_TEST_FIXTURE("corrupt/machines", "machines", testCacheCorrupt);
    DO_TEST_FIXTURE("corrupt/schema", "schema", testCacheCorrupt);
    DO_TEST_FIXTURE("corrupt/key", "key", testCacheCorrupt);
    DO_TEST_FIXTURE("other-binary", NULL, testCacheOtherBinary);
    DO_TEST_FIXTURE("lookup/probe-then-hit", NULL, testLookupProbeThenHit);
    DO_TEST_FIXTURE("lookup/hit-no-probe", NULL, testLookupHitNoProbe);
    DO_TEST_FIXTURE("lookup/corrupt-reprobed", NULL,
                    testLookupCorruptReprobed);
    for (i = 0; i < G_N_ELEMENTS(failCases); i++) {
        g_autofree char *name = g_strdup_printf("/qemucaps-cache/fail/%s",
                                                failCases[i].name);

        g_test_add(name, cacheFixture, &failCases[i], fixtureSetUp,
                   testLookupFail, fixtureTearDown);
    }
    g_test_add_func("/zz-cleanup/tmp-clean", testTmpClean);

    ret = g_test_run();
    drvQemuCapsFree(testCaps);
    testRemoveTree(testDir);
    g_free(testDir);
    return ret;
}
