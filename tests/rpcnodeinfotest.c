/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "daemon/rpcnodeinfo.h"
#include "tests/testutils.h"
#include "util/error.h"

/* daemon/rpcnodeinfo.c: NODE_GET_INFO from a /proc and /sys tree. */

typedef struct {
    const char *name;       /* tests/data/nodeinfo/NAME/ */
    guint64 memory;
    int cpus;
    int mhz;
    int nodes;
    int sockets;
    int cores;
    int threads;
    const char *error;      /* expected substring; NULL: success */
} nodeInfoCase;

static const nodeInfoCase nodeInfoCases[] = {
    { "two-nodes-ht", 16318976, 8, 2394, 2, 1, 2, 2, NULL },
    { "vm-flat", 2048000, 3, 2394, 1, 1, 3, 1, NULL },
    /* "cpu cores" says 4 but there are 3 processors: flat fallback. */
    { "inconsistent", 1024, 3, 2394, 1, 1, 3, 1, NULL },
    { "no-such-tree", 0, 0, 0, 0, 0, 0, 0, "cannot read" },
};

/* The whole tree is the input of a case: mark every file used. */
static void
markTreeUsed(const char *rel)
{
    g_autofree char *path = vgmTestDataPath(rel);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(rel, name, NULL);
        g_autofree char *full = vgmTestDataPath(child);

        if (g_file_test(full, G_FILE_TEST_IS_DIR))
            markTreeUsed(child);
    }
}

static void
testNodeInfo(gconstpointer data)
{
    const nodeInfoCase *tc = data;
    g_autofree char *rel = g_build_filename("nodeinfo", tc->name, NULL);
    g_autofree char *root = vgmTestDataPath(rel);
    g_autoptr(GError) error = NULL;
    remote_node_get_info_ret info;

    markTreeUsed(rel);
    if (rpcNodeInfoRead(root, "x86_64", &info, &error) < 0) {
        g_assert_nonnull(tc->error);
        g_assert_true(g_error_matches(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR));
        g_assert_nonnull(strstr(error->message, tc->error));
        return;
    }
    g_assert_null(tc->error);
    g_assert_cmpstr(info.model, ==, "x86_64");
    g_assert_cmpuint(info.memory, ==, tc->memory);
    g_assert_cmpint(info.cpus, ==, tc->cpus);
    g_assert_cmpint(info.mhz, ==, tc->mhz);
    g_assert_cmpint(info.nodes, ==, tc->nodes);
    g_assert_cmpint(info.sockets, ==, tc->sockets);
    g_assert_cmpint(info.cores, ==, tc->cores);
    g_assert_cmpint(info.threads, ==, tc->threads);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(nodeInfoCases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/nodeinfo/%s",
                                                nodeInfoCases[i].name);
        g_test_add_data_func(path, &nodeInfoCases[i], testNodeInfo);
    }
    vgmTestAddUnusedCheck("nodeinfo");
    return g_test_run();
}
