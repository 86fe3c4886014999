/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucapspriv.h"
#include "qapi/json.h"
#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"

/*
 * The overlays edit 11.1.3's recorded replies the way a QEMU with the
 * proposal merged would answer [inferred from the proposals' QAPI, see
 * shared/qemu-facts.md §1.1-§1.3]:
 *
 * gmem-rfc (Michael Roth, "guest_memfd: support in-place conversion"):
 *   - query-qmp-schema: ObjectType gains "memory-backend-guest-memfd";
 *     ObjectOptions gains that case, typed like the memory-backend-ram
 *     case (MemoryBackendProperties only, as the RFC's
 *     MemoryBackendGuestMemfdProperties has no own members);
 *     the sev-guest and sev-snp-guest cases (SevCommonProperties based on
 *     ConfidentialGuestSupportProperties) gain "*convert-in-place: bool";
 *     tdx-guest does not (TdxGuestProperties keeps its own base).
 *   - qom-list-types (both calls) list memory-backend-guest-memfd with
 *     parent memory-backend.
 *   - qom-list-properties memory-backend-guest-memfd answers with the
 *     memory-backend-memfd properties minus hugetlb, hugetlbsize and seal
 *     (the common memory-backend set) instead of DeviceNotFound.
 *   - qom-list-properties of confidential-guest-support and of its
 *     subclasses (x86-confidential-guest, sev-guest, sev-snp-guest,
 *     tdx-guest) gain "convert-in-place" (a QOM class property is
 *     inherited).
 *
 * memfd-gmem (Peter Xu, memory-backend-memfd guest-memfd=on):
 *   - query-qmp-schema: the memory-backend-memfd case gains
 *     "*guest-memfd: bool".
 *   - qom-list-properties memory-backend-memfd gains "guest-memfd".
 */

#define GMEM_TYPE "memory-backend-guest-memfd"

static qapiJSON *
testSchemaFind(const qapiJSON *schema, const char *name)
{
    size_t i;

    for (i = 0; i < qapiJSONArraySize(schema); i++) {
        qapiJSON *e = qapiJSONArrayGet(schema, i);

        if (g_strcmp0(qapiJSONObjectGetString(e, "name"), name) == 0)
            return e;
    }
    g_assert_not_reached();
}

/* The ObjectOptions entry (object-add's arguments). */
static qapiJSON *
testSchemaObjectOptions(const qapiJSON *schema)
{
    qapiJSON *cmd = testSchemaFind(schema, "object-add");

    return testSchemaFind(schema, qapiJSONObjectGetString(cmd, "arg-type"));
}

/* The type of ObjectOptions' case @qomType. */
static qapiJSON *
testSchemaObjectCase(const qapiJSON *schema, const char *qomType)
{
    qapiJSON *variants = qapiJSONObjectGetArray(
        testSchemaObjectOptions(schema), "variants");
    size_t i;

    for (i = 0; i < qapiJSONArraySize(variants); i++) {
        qapiJSON *v = qapiJSONArrayGet(variants, i);

        if (g_strcmp0(qapiJSONObjectGetString(v, "case"), qomType) == 0)
            return testSchemaFind(schema, qapiJSONObjectGetString(v, "type"));
    }
    g_assert_not_reached();
}

static void
testSchemaAddBoolMember(const qapiJSON *schema, const char *qomType,
                        const char *member)
{
    qapiJSON *type = testSchemaObjectCase(schema, qomType);
    qapiJSON *m = NULL;

    g_assert(qapiJSONObjectAdd(&m, NULL, "s:name", member, "n:default",
                               "s:type", "bool", NULL) == 0);
    qapiJSONArrayAppend(qapiJSONObjectGetArray(type, "members"), m);
}

/* ObjectType gains GMEM_TYPE; ObjectOptions a case like the ram one. */
static void
testSchemaAddGmemType(const qapiJSON *schema)
{
    qapiJSON *opts = testSchemaObjectOptions(schema);
    qapiJSON *members = qapiJSONObjectGetArray(opts, "members");
    const char *tagType = qapiJSONObjectGetString(qapiJSONArrayGet(members, 0),
                                                  "type");
    qapiJSON *objectType = testSchemaFind(schema, tagType);
    qapiJSON *ram = testSchemaObjectCase(schema, "memory-backend-ram");
    qapiJSON *value = NULL;
    qapiJSON *variant = NULL;

    g_assert_cmpstr(qapiJSONObjectGetString(qapiJSONArrayGet(members, 0),
                                            "name"), ==, "qom-type");
    qapiJSONArrayAppend(qapiJSONObjectGetArray(objectType, "values"),
                        qapiJSONNewString(GMEM_TYPE));
    g_assert(qapiJSONObjectAdd(&value, NULL, "s:name", GMEM_TYPE, NULL) == 0);
    qapiJSONArrayAppend(qapiJSONObjectGetArray(objectType, "members"), value);
    g_assert(qapiJSONObjectAdd(&variant, NULL, "s:case", GMEM_TYPE, "s:type",
                               qapiJSONObjectGetString(ram, "name"),
                               NULL) == 0);
    qapiJSONArrayAppend(qapiJSONObjectGetArray(opts, "variants"), variant);
}

static void
testReplyAddProperty(qapiJSON *ret, const char *name, const char *type)
{
    qapiJSON *p = NULL;

    g_assert(qapiJSONObjectAdd(&p, NULL, "s:name", name, "s:type", type,
                               NULL) == 0);
    qapiJSONArrayAppend(ret, p);
}

/* The common memory-backend properties, from memory-backend-memfd's. */
static qapiJSON *
testGmemProperties(const qapiJSON *memfdProps)
{
    const char *const drop[] = { "hugetlb", "hugetlbsize", "seal", NULL };
    qapiJSON *ret = qapiJSONNewArray();
    size_t i;

    for (i = 0; i < qapiJSONArraySize(memfdProps); i++) {
        qapiJSON *p = qapiJSONArrayGet(memfdProps, i);

        if (!g_strv_contains(drop, qapiJSONObjectGetString(p, "name")))
            qapiJSONArrayAppend(ret, qapiJSONCopy(p));
    }
    return ret;
}

typedef struct {
    testQemuCapsOverlay overlay;
    qapiJSON *memfdProps;   /* memory-backend-memfd's, as recorded */
} testOverlayState;

static void
testOverlaySchema(testQemuCapsOverlay overlay, qapiJSON *ret)
{
    if (overlay == TEST_QEMU_CAPS_OVERLAY_GMEM_RFC) {
        testSchemaAddGmemType(ret);
        testSchemaAddBoolMember(ret, "sev-guest", "convert-in-place");
        testSchemaAddBoolMember(ret, "sev-snp-guest", "convert-in-place");
    } else {
        testSchemaAddBoolMember(ret, "memory-backend-memfd", "guest-memfd");
    }
}

static bool
testOverlayProps(testOverlayState *st, const char *type, qapiJSON *reply)
{
    const char *const cgs[] = {
        "confidential-guest-support", "x86-confidential-guest", "sev-guest",
        "sev-snp-guest", "tdx-guest", NULL,
    };
    qapiJSON *ret = qapiJSONObjectGetArray(reply, "return");
    bool rfc = st->overlay == TEST_QEMU_CAPS_OVERLAY_GMEM_RFC;

    if (g_strcmp0(type, "memory-backend-memfd") == 0) {
        g_clear_pointer(&st->memfdProps, qapiJSONFree);
        st->memfdProps = qapiJSONCopy(ret);
        if (rfc)
            return false;
        testReplyAddProperty(ret, "guest-memfd", "bool");
        return true;
    }
    if (rfc && g_strcmp0(type, GMEM_TYPE) == 0) {
        g_assert(st->memfdProps);
        qapiJSONFree(qapiJSONObjectSteal(reply, "error"));
        qapiJSONObjectSet(reply, "return", testGmemProperties(st->memfdProps));
        return true;
    }
    if (rfc && ret && g_strv_contains(cgs, type)) {
        testReplyAddProperty(ret, "convert-in-place", "bool");
        return true;
    }
    return false;
}

/* Edit @reply to command @cmd; true when it changed. */
static bool
testOverlayApply(testOverlayState *st, const qapiJSON *cmd, qapiJSON *reply)
{
    const char *execute = qapiJSONObjectGetString(cmd, "execute");
    const qapiJSON *args = qapiJSONObjectGetObject(cmd, "arguments");
    qapiJSON *ret = qapiJSONObjectGet(reply, "return");

    if (st->overlay == TEST_QEMU_CAPS_OVERLAY_NONE)
        return false;
    if (strcmp(execute, "query-qmp-schema") == 0) {
        testOverlaySchema(st->overlay, ret);
        return true;
    }
    if (strcmp(execute, "qom-list-types") == 0 &&
        st->overlay == TEST_QEMU_CAPS_OVERLAY_GMEM_RFC) {
        qapiJSON *t = NULL;

        g_assert(qapiJSONObjectAdd(&t, NULL, "s:name", GMEM_TYPE,
                                   "s:parent", "memory-backend", NULL) == 0);
        qapiJSONArrayAppend(ret, t);
        return true;
    }
    if (strcmp(execute, "qom-list-properties") == 0)
        return testOverlayProps(st, qapiJSONObjectGetString(args, "typename"),
                                reply);
    return false;
}

static int
testAddLines(testQMPServer *srv, testOverlayState *st, const char *rel,
             GError **error)
{
    g_autofree char *data = vgmTestLoadData(rel);
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!data) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s", rel);
        return -1;
    }
    lines = g_strsplit(data, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_autoptr(qapiJSON) cmd = NULL;
        g_autoptr(qapiJSON) reply = NULL;
        g_autofree char *edited = NULL;

        if (!*lines[i])
            continue;
        if (!g_str_has_prefix(lines[i], "{\"execute\"")) {
            testQMPServerAddSend(srv, lines[i]);
            continue;
        }
        if (!lines[i + 1] || !(cmd = qapiJSONParse(lines[i], error)) ||
            !(reply = qapiJSONParse(lines[i + 1], error)))
            return -1;
        if (testOverlayApply(st, cmd, reply))
            edited = qapiJSONFormat(reply, false);
        testQMPServerAddExpect(srv, lines[i], edited ? edited : lines[i + 1]);
        i++;
    }
    return 0;
}

static gint
testStrPtrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
testQemuCapsAddScript(testQMPServer *srv, const char *ver,
                      testQemuCapsOverlay overlay, int first, int last,
                      GError **error)
{
    g_autofree char *rel = g_build_filename("qemucaps", ver, NULL);
    g_autofree char *dir = vgmTestDataPath(rel);
    g_autoptr(GDir) d = g_dir_open(dir, 0, error);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    testOverlayState st = { overlay, NULL };
    const char *name;
    int rc = 0;
    guint i;

    if (!d)
        return -1;
    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, testStrPtrCompare);
    for (i = 0; rc == 0 && i < names->len; i++) {
        g_autofree char *file = g_build_filename(rel, names->pdata[i], NULL);

        if (last >= 0 && i > (guint)last)
            break;
        /* the earlier files still feed the overlay's state */
        if (i < (guint)first) {
            g_autoptr(testQMPServer) scratch = testQMPServerNew();

            rc = testAddLines(scratch, &st, file, error);
            continue;
        }
        rc = testAddLines(srv, &st, file, error);
    }
    if (rc == 0 && last < 0)
        rc = testAddLines(srv, &st, "qemucaps/quit.jsonl", error);
    qapiJSONFree(st.memfdProps);
    return rc;
}

qapiSchema *
testQemuCapsLoadSchema(const char *ver, GError **error)
{
    g_autofree char *rel = g_strdup_printf(
        "qemucaps/%s/04-query-qmp-schema.jsonl", ver);
    g_autofree char *data = vgmTestLoadData(rel);
    const char *reply = data ? strchr(data, '\n') : NULL;

    if (!reply) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", rel);
        return NULL;
    }
    return qapiSchemaParse(reply + 1, error);
}

drvQemuCaps *
testQemuCapsReplay(const char *ver, testQemuCapsOverlay overlay,
                   GError **error)
{
    g_autoptr(testQMPServer) srv = testQMPServerNew();
    g_autoptr(qapiSchema) schema = testQemuCapsLoadSchema(ver, error);
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(GError) srvErr = NULL;
    g_autofree char *binary = g_strdup_printf("/recorded/qemu-%s", ver);
    int fd;

    if (!schema)
        return NULL;
    testQMPServerSetSchema(srv, schema);
    if (testQemuCapsAddScript(srv, ver, overlay, 0, -1, error) < 0 ||
        (fd = testQMPServerStart(srv, error)) < 0)
        return NULL;
    caps = drvQemuCapsProbeFD(fd, binary, 10000, error);
    if (testQMPServerFinish(srv, &srvErr) < 0) {
        VGM_TEST_FAIL("%s", srvErr->message);
        g_clear_pointer(&caps, drvQemuCapsFree);
        if (error && !*error)
            g_propagate_error(error, g_steal_pointer(&srvErr));
    }
    return g_steal_pointer(&caps);
}
