/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/guesttestutils.h"
#include "tests/testutils.h"

#define TEST_GUEST_MARKER "VGM-GUEST-READY"

static void
testGuestRemoveDir(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        unlink(child);
    }
    rmdir(path);
}

void
testGuestImageFree(testGuestImage *img)
{
    if (!img)
        return;
    if (img->dir && !g_getenv("VGM_TEST_KEEP_ROOT"))
        testGuestRemoveDir(img->dir);
    g_free(img->dir);
    g_free(img->kernel);
    g_free(img->initrd);
    g_free(img);
}

testGuestImage *
testGuestImageNew(GError **error)
{
    g_autoptr(testGuestImage) img = g_new0(testGuestImage, 1);
    g_autofree char *helper = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                               "integration",
                                               "guest-initrd.py", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;
    const char *argv[] = { "python3", helper, NULL, NULL };

    img->dir = g_dir_make_tmp("vgm-guest-XXXXXX", NULL);
    img->initrd = g_build_filename(img->dir, "initrd.cpio.gz", NULL);
    argv[2] = img->initrd;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                      NULL, &out, &err, &status, error))
        return NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                    "%s failed: %s", helper, err);
        return NULL;
    }
    img->kernel = g_strdup(g_strstrip(out));
    return g_steal_pointer(&img);
}

char *
testGuestSerialPath(const testGuestImage *img, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.serial", name);

    return g_build_filename(img->dir, file, NULL);
}

char *
testGuestXML(const testGuestImage *img, const char *name, const char *uuid,
             const char *mode, const char *lifecycle)
{
    g_autofree char *serial = testGuestSerialPath(img, name);

    unlink(serial);
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <uuid>%s</uuid>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "    <kernel>%s</kernel>\n"
        "    <initrd>%s</initrd>\n"
        "    <cmdline>console=ttyS0 panic=-1 quiet vgm.mode=%s</cmdline>\n"
        "  </os>\n"
        "  <features>\n"
        "    <acpi/>\n"
        "  </features>\n"
        "%s"
        "  <devices>\n"
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
        "    <serial type='file'>\n"
        "      <source path='%s'/>\n"
        "    </serial>\n"
        "  </devices>\n"
        "</domain>\n", name, uuid, img->kernel, img->initrd, mode,
        lifecycle ? lifecycle : "", serial);
}

static guint
testGuestCountMarkers(const char *path)
{
    g_autofree char *text = NULL;
    const char *p;
    guint n = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    for (p = text; (p = strstr(p, TEST_GUEST_MARKER)); p++)
        n++;
    return n;
}

bool
testGuestWaitReady(const testGuestImage *img, const char *name, guint count,
                   int timeoutMs)
{
    g_autofree char *path = testGuestSerialPath(img, name);
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)timeoutMs * G_TIME_SPAN_MILLISECOND;
    g_autofree char *text = NULL;

    while (testGuestCountMarkers(path) < count) {
        if (g_get_monotonic_time() > deadline) {
            g_file_get_contents(path, &text, NULL, NULL);
            VGM_TEST_FAIL("guest '%s' did not print %s %u time(s) within %d ms; console:\n%s",
                          name, TEST_GUEST_MARKER, count, timeoutMs,
                          text ? text : "(nothing)");
            return false;
        }
        g_usleep(100 * 1000);
    }
    return true;
}
