/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * Helpers of the daemon tests that run real guests: a virtgmemd on a
 * temporary root with a private socket, stock virsh against it, output
 * masking for golden files, and a cleanup that leaves no QEMU and no
 * daemon behind, also when a case fails.
 */

typedef struct {
    char *dir;          /* everything lives below */
    char *root;         /* --root */
    char *sock;         /* --socket; the read-only one is sock-ro */
    char *roSock;
    char *uri;          /* gmem+unix:///system?socket=... */
    char *roUri;
    char *log;
    GPid pid;           /* 0 when not running */
    bool session;       /* --session: no read-only socket */
    const char *timeout;  /* --timeout, or NULL */
} rpcDomTestDaemon;

/* A system daemon, or with @session a session daemon (gmem:///session). */
rpcDomTestDaemon *rpcDomTestDaemonNew(bool session);
/* Start it and wait for its sockets. */
bool rpcDomTestDaemonStart(rpcDomTestDaemon *d);
/* SIGTERM: true when it exited 0 within 20 s and removed its sockets. */
bool rpcDomTestDaemonStop(rpcDomTestDaemon *d);
/* Wait up to @ms for it to exit by itself: its wait status, or -1. */
int rpcDomTestDaemonWaitExit(rpcDomTestDaemon *d, int ms);
/* Kill the daemon and every QEMU of its root, show the log when
 * @failed, remove the directory. */
void rpcDomTestDaemonFree(rpcDomTestDaemon *d, bool failed);
/* Kill the daemon and the guests of @d when the test aborts. */
void rpcDomTestCleanupOnCrash(rpcDomTestDaemon *d);
/* The pids of the QEMUs of the root (from the pidfiles). */
GArray *rpcDomTestQemuPids(rpcDomTestDaemon *d);

/* kvm when /dev/kvm works (VGM_TEST_ACCEL=tcg forces qemu). */
const char *rpcDomTestVirtType(void);
/* A diskless guest of @mib MiB with a uuid made from @n; also written to
 * DIR/NAME.xml. */
char *rpcDomTestXML(rpcDomTestDaemon *d, const char *name, unsigned int n,
                    unsigned int mib);

/* Run stock virsh (-r on the read-only socket when @ro); stdout, then
 * "--- stderr", stderr and "--- exit N". */
char *rpcDomTestVirsh(rpcDomTestDaemon *d, bool ro, const char *const *args);
/* Mask what differs between hosts and runs: the directory, host name,
 * UUIDs, times, CPU counters, kvm/qemu and kvm/tcg. */
char *rpcDomTestMask(rpcDomTestDaemon *d, const char *text);
