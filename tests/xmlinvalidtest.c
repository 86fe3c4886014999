/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "conf/xml.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * tests/data/xml-invalid/NAME.xml must be refused with the error code
 * given in the table and the message in NAME.err.  The _STRING cases
 * build their document in code (too big or too deep to commit).
 */

typedef char *(*testGenerator)(void);

typedef struct {
    const char *name;
    int code;
    testGenerator gen;
} testInfo;

static void
testInvalid(gconstpointer data)
{
    const testInfo *info = data;
    g_autofree char *in = g_strdup_printf("xml-invalid/%s.xml", info->name);
    g_autofree char *err = g_strdup_printf("xml-invalid/%s.err", info->name);
    g_autofree char *xml = info->gen ? info->gen() : vgmTestLoadData(in);
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = NULL;

    if (!xml)
        return;
    if ((def = confDomainDefParseString(xml, NULL, 0, &error))) {
        VGM_TEST_FAIL("%s: parsed without error", info->name);
        return;
    }
    if (!error || error->domain != CONF_ERROR) {
        VGM_TEST_FAIL("%s: no CONF_ERROR set", info->name);
        return;
    }
    msg = g_strdup_printf("%s\n", error->message);
    if (!vgmTestCompareToFile(msg, err))
        return;
    if (error->code != info->code)
        VGM_TEST_FAIL("%s: error code %d, expected %d", info->name,
                      error->code, info->code);
}

static const char testMinimalHead[] =
    "<domain type='kvm'>\n"
    "  <name>big</name>\n"
    "  <memory>1048576</memory>\n"
    "  <os><type>hvm</type></os>\n";

/* A well-formed document one byte over the limit. */
static char *
testGenTooBig(void)
{
    GString *buf = g_string_new(testMinimalHead);
    const char *tail = "</description>\n</domain>\n";

    g_string_append(buf, "  <description>");
    while (buf->len + strlen(tail) < CONF_XML_MAX_BYTES + 1)
        g_string_append_c(buf, 'x');
    g_string_append(buf, tail);
    return g_string_free(buf, FALSE);
}

/* 100000 nested elements inside <metadata>. */
static char *
testGenDeep(void)
{
    GString *buf = g_string_new(testMinimalHead);
    int i;

    g_string_append(buf, "  <metadata>");
    for (i = 0; i < 100000; i++)
        g_string_append(buf, "<a>");
    for (i = 0; i < 100000; i++)
        g_string_append(buf, "</a>");
    g_string_append(buf, "</metadata>\n</domain>\n");
    return g_string_free(buf, FALSE);
}

/* Bytes that are not UTF-8 in the name. */
static char *
testGenNonUTF8(void)
{
    return g_strdup("<domain type='kvm'>\n"
                    "  <name>g\xff\xfe</name>\n"
                    "  <memory>1048576</memory>\n"
                    "  <os><type>hvm</type></os>\n"
                    "</domain>\n");
}

static char *
testGenEmpty(void)
{
    return g_strdup("");
}

#define DO_TEST_FULL(n, c, g) \
    do { \
        static const testInfo info = { n, c, g }; \
        g_test_add_data_func("/xml-invalid/" n, &info, testInvalid); \
    } while (0)
#define DO_TEST_INVALID(n, c) DO_TEST_FULL(n, c, NULL)
#define DO_TEST_INVALID_STRING(n, c, g) DO_TEST_FULL(n, c, g)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    DO_TEST_INVALID_STRING("empty-string", VIR_ERR_XML_ERROR, testGenEmpty);
    DO_TEST_INVALID_STRING("too-big", VIR_ERR_XML_ERROR, testGenTooBig);
    DO_TEST_INVALID_STRING("deep-nesting", VIR_ERR_XML_ERROR, testGenDeep);
    DO_TEST_INVALID_STRING("non-utf8", VIR_ERR_XML_ERROR, testGenNonUTF8);

    vgmTestAddUnusedCheck("xml-invalid");
    return g_test_run();
}
