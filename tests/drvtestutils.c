/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/drvtestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

static void
drvTestEventCb(drvDriver *drv, const drvDomainRef *dom, int eventID,
               int event, int detail, gpointer opaque)
{
    drvTest *t = opaque;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&t->lock);

    if (eventID == VIR_DOMAIN_EVENT_ID_REBOOT)
        g_ptr_array_add(t->events, g_strdup_printf("%s reboot", dom->name));
    else
        g_ptr_array_add(t->events, g_strdup_printf("%s %d %d", dom->name,
                                                   event, detail));
    g_cond_broadcast(&t->cond);
}

bool
drvTestOpen(drvTest *t, bool autostart)
{
    g_autoptr(GError) err = NULL;
    drvDriverConfig cfg = {
        .mode = DRV_DRIVER_MODE_SYSTEM,
        .root = t->root,
        .timeouts = t->timeouts,
        .noAutostart = !autostart,
    };

    if (!(t->drv = drvDriverOpen(&cfg, &err))) {
        VGM_TEST_FAIL("cannot open the driver: %s", err->message);
        return false;
    }
    t->callbackID = drvEventRegister(t->drv, drvTestEventCb, t, NULL);
    return true;
}

drvTest *
drvTestNew(void)
{
    drvTest *t = g_new0(drvTest, 1);

    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
    t->events = g_ptr_array_new_with_free_func(g_free);
    t->root = g_dir_make_tmp("vgm-drv-XXXXXX", NULL);
    t->timeouts.job = 2000;
    t->timeouts.destroy = 3000;
    t->timeouts.graceful = 3000;
    drvTestOpen(t, false);
    return t;
}

void
drvTestClose(drvTest *t)
{
    g_clear_pointer(&t->drv, drvDriverClose);
}

void
drvTestReopen(drvTest *t, bool autostart)
{
    drvTestClose(t);
    drvTestOpen(t, autostart);
}

static void
drvTestDestroyAll(drvTest *t)
{
    g_autoptr(GPtrArray) doms = NULL;
    size_t i;

    if (!t->drv)
        drvTestOpen(t, false);
    if (!t->drv)
        return;
    doms = drvConnectListAllDomains(t->drv, VIR_CONNECT_LIST_DOMAINS_ACTIVE,
                                    NULL);
    for (i = 0; doms && i < doms->len; i++) {
        drvDomainRef *ref = g_ptr_array_index(doms, i);
        g_autoptr(GError) err = NULL;

        if (drvDomainDestroy(t->drv, ref->uuid, 0, &err) < 0)
            g_printerr("# cannot destroy '%s': %s\n", ref->name, err->message);
    }
}

void
drvTestFree(drvTest *t)
{
    if (!t)
        return;
    drvTestDestroyAll(t);
    drvTestClose(t);
    if (t->root && drvTestCountProcesses(t->root) > 0)
        VGM_TEST_FAIL("a process of %s outlives its test", t->root);
    if (t->root && !g_getenv("VGM_TEST_KEEP_ROOT"))
        drvTestRemoveTree(t->root);
    g_free(t->root);
    g_ptr_array_unref(t->events);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
    g_free(t);
}

const char *
drvTestVirtType(void)
{
    int fd;

    if (g_strcmp0(g_getenv("VGM_TEST_ACCEL"), "tcg") == 0)
        return "qemu";
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return "qemu";
    close(fd);
    return "kvm";
}

void
drvTestUUID(unsigned int uuidByte, unsigned char *uuid)
{
    static const unsigned char base[16] = {
        0x6a, 0x1c, 0x2e, 0x4b, 0x00, 0x00, 0x4c, 0x1d,
        0x9e, 0x2f, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00,
    };

    memcpy(uuid, base, 16);
    uuid[4] = (uuidByte >> 8) & 0xff;
    uuid[15] = uuidByte & 0xff;
}

char *
drvTestXML(const char *name, unsigned int uuidByte, const char *emulator)
{
    unsigned char uuid[16];
    g_autofree char *str = NULL;

    drvTestUUID(uuidByte, uuid);
    str = g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x", uuid[0], uuid[1],
                          uuid[2], uuid[3], uuid[4], uuid[5], uuid[6],
                          uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
                          uuid[12], uuid[13], uuid[14], uuid[15]);
    return g_strdup_printf(
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <uuid>%s</uuid>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "  </os>\n"
        "  <devices>\n"
        "    <emulator>%s</emulator>\n"
        "  </devices>\n"
        "</domain>\n", drvTestVirtType(), name, str,
        emulator ? emulator : "/usr/bin/qemu-system-x86_64");
}

bool
drvTestWaitEvent(drvTest *t, const char *name, int event, int detail,
                 int timeoutMs)
{
    g_autofree char *want = g_strdup_printf("%s %d %d", name, event, detail);

    return drvTestWaitEventString(t, want, timeoutMs);
}

bool
drvTestWaitEventString(drvTest *t, const char *want, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + timeoutMs * G_TIME_SPAN_MILLISECOND;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&t->lock);
    guint idx;

    for (;;) {
        if (g_ptr_array_find_with_equal_func(t->events, want, g_str_equal,
                                             &idx)) {
            g_ptr_array_remove_index(t->events, idx);
            return true;
        }
        if (!g_cond_wait_until(&t->cond, &t->lock, deadline)) {
            VGM_TEST_FAIL("no event '%s' within %d ms", want, timeoutMs);
            return false;
        }
    }
}

bool
drvTestCheckError(GError *err, int code, const char *part)
{
    if (!err) {
        VGM_TEST_FAIL("expected an error with code %d, got success", code);
        return false;
    }
    if (err->code != code || (part && !strstr(err->message, part))) {
        VGM_TEST_FAIL("expected code %d containing '%s', got %d: %s", code,
                      part ? part : "", err->code, err->message);
        return false;
    }
    return true;
}

void
drvTestRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            drvTestRemoveTree(child);
        else
            unlink(child);
    }
    rmdir(path);
}

guint
drvTestCountEntries(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    guint n = 0;

    while (dir && g_dir_read_name(dir))
        n++;
    return n;
}

guint
drvTestCountProcesses(const char *text)
{
    g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
    const char *entry;
    guint n = 0;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *cmdline = NULL;
        gsize len = 0;
        gsize i;

        if (!g_ascii_isdigit(entry[0]))
            continue;
        path = g_strdup_printf("/proc/%s/cmdline", entry);
        if (!g_file_get_contents(path, &cmdline, &len, NULL))
            continue;
        for (i = 0; i + 1 < len; i++) {
            if (cmdline[i] == '\0')
                cmdline[i] = ' ';
        }
        if (strstr(cmdline, text))
            n++;
    }
    return n;
}

drvDomainRef *
drvTestDefine(drvTest *t, const char *name, unsigned int uuidByte)
{
    g_autofree char *xml = drvTestXML(name, uuidByte, NULL);
    g_autoptr(GError) err = NULL;
    drvDomainRef *ref = drvDomainDefineXML(t->drv, xml, 0, &err);

    if (!ref)
        VGM_TEST_FAIL("define '%s' failed: %s", name, err->message);
    return ref;
}

pid_t
drvTestPid(drvTest *t, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.pid", name);
    g_autofree char *path = g_build_filename(t->root, "run", file, NULL);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    return atoi(text);
}
