/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "tests/testutils.h"

static GHashTable *vgmTestUsed;

bool
vgmTestRegenerate(void)
{
    const char *env = g_getenv("VGM_TEST_REGENERATE");

    return env && strcmp(env, "1") == 0;
}

static const char *
vgmTestDataDir(void)
{
    static char *dir;

    if (!dir) {
        const char *src = g_getenv("VGM_TEST_SRCDIR");

        dir = g_build_filename(src ? src : VGM_SOURCE_ROOT "/tests",
                               "data", NULL);
    }
    return dir;
}

static void
vgmTestMarkUsed(const char *path)
{
    if (!vgmTestUsed)
        vgmTestUsed = g_hash_table_new_full(g_str_hash, g_str_equal,
                                            g_free, NULL);
    g_hash_table_add(vgmTestUsed, g_canonicalize_filename(path, NULL));
}

char *
vgmTestDataPath(const char *rel)
{
    char *path = g_build_filename(vgmTestDataDir(), rel, NULL);

    vgmTestMarkUsed(path);
    return path;
}

bool
vgmTestDataExists(const char *rel)
{
    g_autofree char *path = vgmTestDataPath(rel);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

char *
vgmTestLoadData(const char *rel)
{
    g_autofree char *path = vgmTestDataPath(rel);
    g_autoptr(GError) error = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &error)) {
        VGM_TEST_FAIL("cannot read %s: %s", path, error->message);
        return NULL;
    }
    return data;
}

static void
vgmTestShowDiff(const char *expected, const char *actual)
{
    const char *e = expected;
    const char *a = actual;
    int line = 1;

    while (*e && *a && *e == *a) {
        if (*e == '\n')
            line++;
        e++;
        a++;
    }
    g_printerr("first difference at line %d:\n--- expected\n%.200s\n"
               "+++ actual\n%.200s\n", line, e, a);
}

bool
vgmTestCompareToFile(const char *actual, const char *rel)
{
    g_autofree char *path = vgmTestDataPath(rel);
    g_autofree char *expected = NULL;
    g_autoptr(GError) error = NULL;

    if (vgmTestRegenerate()) {
        if (!g_file_set_contents(path, actual, -1, &error)) {
            VGM_TEST_FAIL("cannot write %s: %s", path, error->message);
            return false;
        }
        return true;
    }
    if (!g_file_get_contents(path, &expected, NULL, &error)) {
        VGM_TEST_FAIL("cannot read %s: %s (VGM_TEST_REGENERATE=1 creates it)",
                      path, error->message);
        return false;
    }
    if (strcmp(expected, actual) != 0) {
        vgmTestShowDiff(expected, actual);
        VGM_TEST_FAIL("%s differs from the output", rel);
        return false;
    }
    return true;
}

static void
vgmTestCollectUnused(const char *dir, GPtrArray *unused)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *canon = g_canonicalize_filename(path, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
            vgmTestCollectUnused(path, unused);
            continue;
        }
        if (!vgmTestUsed || !g_hash_table_contains(vgmTestUsed, canon))
            g_ptr_array_add(unused, g_steal_pointer(&canon));
    }
}

static void
vgmTestCheckUnused(gconstpointer data)
{
    const char *dir = data;
    g_autofree char *path = g_build_filename(vgmTestDataDir(), dir, NULL);
    g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        VGM_TEST_FAIL("data directory %s is missing", path);
        return;
    }
    vgmTestCollectUnused(path, unused);
    for (i = 0; i < unused->len; i++)
        g_printerr("data file not used by any case: %s\n",
                   (char *)unused->pdata[i]);
    if (unused->len > 0)
        VGM_TEST_FAIL("%u data files under %s are not used by any case",
                      unused->len, dir);
}

void
vgmTestAddUnusedCheck(const char *dir)
{
    g_autofree char *name = g_strdup_printf("/zz-unused-data/%s", dir);

    g_test_add_data_func_full(name, g_strdup(dir), vgmTestCheckUnused,
                              g_free);
}

static int
vgmTestCompareNames(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void
vgmTestAddXMLFiles(const char *prefix, const char *dir, GTestDataFunc func)
{
    g_autofree char *path = vgmTestDataPath(dir);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    size_t i;

    while (d && (name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".xml"))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, vgmTestCompareNames);
    for (i = 0; i < names->len; i++) {
        const char *file = names->pdata[i];
        g_autofree char *test = g_strdup_printf("/%s/%s/%s", prefix, dir,
                                                file);

        g_test_add_data_func_full(test, g_strdup_printf("%s/%s", dir, file),
                                  func, g_free);
    }
}

bool
vgmTestWaitPath(const char *path, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (g_get_monotonic_time() > end)
            return false;
        g_usleep(20000);
    }
    return true;
}

int
vgmTestWaitExit(GPid pid, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    int status = 0;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        g_usleep(20000);
    }
    return status;
}

int
vgmTestConnectUnix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

static void vgmTestRelaxNGErrors(void *ctx, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
vgmTestRelaxNGErrors(void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

xmlRelaxNGPtr
vgmTestRelaxNGParse(const char *path)
{
    xmlRelaxNGParserCtxtPtr ctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema;

    xmlRelaxNGSetParserErrors(ctxt, vgmTestRelaxNGErrors,
                              vgmTestRelaxNGErrors, NULL);
    schema = xmlRelaxNGParse(ctxt);
    xmlRelaxNGFreeParserCtxt(ctxt);
    return schema;
}

int
vgmTestRelaxNGValidate(xmlRelaxNGPtr schema, xmlDocPtr doc)
{
    xmlRelaxNGValidCtxtPtr ctxt = xmlRelaxNGNewValidCtxt(schema);
    int rc;

    xmlRelaxNGSetValidErrors(ctxt, vgmTestRelaxNGErrors,
                             vgmTestRelaxNGErrors, NULL);
    rc = xmlRelaxNGValidateDoc(ctxt, doc);
    xmlRelaxNGFreeValidCtxt(ctxt);
    return rc;
}
