/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "driver/qemucaps.h"
#include "tests/qemumonitortestutils.h"

/*
 * Replaying a QEMU's recorded probe conversation
 * (tests/data/qemucaps/VERSION/NN-name.jsonl, copied byte for byte from
 * shared/qemu-replies/, renumbered in the probe's order, then
 * tests/data/qemucaps/quit.jsonl) through the fake QMP server.
 *
 * An overlay models a QEMU that merged one of the two guest_memfd
 * proposals (qemu-facts.md §1.1-§1.3) by editing 11.1.3's replies in
 * memory; see tests/qemucapstestutils.c for exactly what changes.
 */
typedef enum {
    TEST_QEMU_CAPS_OVERLAY_NONE,
    /* Roth's RFC: memory-backend-guest-memfd + CGS convert-in-place */
    TEST_QEMU_CAPS_OVERLAY_GMEM_RFC,
    /* Peter Xu's alternative: memory-backend-memfd guest-memfd=on */
    TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM,

    TEST_QEMU_CAPS_OVERLAY_LAST
} testQemuCapsOverlay;

/*
 * Add the recorded files number @first to @last (-1: to the end, then
 * quit.jsonl) of @ver to @srv: file 0 is the greeting, 1
 * qmp_capabilities, then the probe's commands in order.
 */
int testQemuCapsAddScript(testQMPServer *srv, const char *ver,
                          testQemuCapsOverlay overlay, int first, int last,
                          GError **error);

/* Probe through the fake server; fails the test on a script mismatch. */
drvQemuCaps *testQemuCapsReplay(const char *ver, testQemuCapsOverlay overlay,
                                GError **error);

/* The schema of @ver's recording, for the fake server's command checks. */
qapiSchema *testQemuCapsLoadSchema(const char *ver, GError **error);
