/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * A real guest OS for the integration tests of guest-initiated events:
 * the newest installed Debian kernel (linux-image-amd64) and a tiny
 * busybox initramfs built at test time by tests/integration/guest-initrd.py.
 * The guest prints VGM-GUEST-READY on its serial console (a file) when it
 * is up, powers off when the ACPI power button is pressed, and with
 * vgm.mode=poweroff or vgm.mode=reboot on its command line powers off or
 * reboots by itself right after the marker.  It boots under TCG
 * (<domain type='qemu'>): the nested KVM here hangs an unmodified kernel.
 */

/* Generous: a boot under TCG on a loaded 2-core machine. */
#define TEST_GUEST_BOOT_MS (240 * 1000)

typedef struct {
    char *dir;        /* temp dir: the initrd, serial logs */
    char *kernel;
    char *initrd;
} testGuestImage;

/* Build the initrd in a new temp dir. */
testGuestImage *testGuestImageNew(GError **error);
void testGuestImageFree(testGuestImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testGuestImage, testGuestImageFree);

/* The serial log of guest @name in the image's dir. */
char *testGuestSerialPath(const testGuestImage *img, const char *name);

/*
 * The XML of guest @name: TCG, 256 MiB, direct kernel boot with
 * vgm.mode=@mode ("wait", "poweroff", "reboot"), ACPI, the serial console
 * in testGuestSerialPath() (removed here so a new boot starts empty);
 * @lifecycle (e.g. "<on_reboot>destroy</on_reboot>") goes before
 * <devices>.
 */
char *testGuestXML(const testGuestImage *img, const char *name,
                   const char *uuid, const char *mode,
                   const char *lifecycle);

/* Wait until the serial log holds at least @count VGM-GUEST-READY lines. */
bool testGuestWaitReady(const testGuestImage *img, const char *name,
                        guint count, int timeoutMs);
