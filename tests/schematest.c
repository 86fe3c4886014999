/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "tests/testutils.h"

/*
 * Every *.xml under tests/data/xml2xml (inputs and expected outputs) and
 * tests/data/xml2argv (inputs) must be valid against
 * conf/schemas/domain.rng.
 */

static xmlRelaxNGPtr testSchema;

static void testSchemaErrors(void *ctx, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
testSchemaErrors(void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static xmlRelaxNGPtr
testSchemaLoad(void)
{
    g_autofree char *path = g_build_filename(VGM_SOURCE_ROOT, "conf",
                                             "schemas", "domain.rng", NULL);
    xmlRelaxNGParserCtxtPtr ctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema;

    xmlRelaxNGSetParserErrors(ctxt, testSchemaErrors, testSchemaErrors,
                              NULL);
    schema = xmlRelaxNGParse(ctxt);
    xmlRelaxNGFreeParserCtxt(ctxt);
    return schema;
}

static void
testSchemaValidate(gconstpointer data)
{
    const char *rel = data;
    g_autofree char *path = vgmTestDataPath(rel);
    xmlRelaxNGValidCtxtPtr ctxt;
    xmlDocPtr doc;
    int rc;

    if (!testSchema) {
        VGM_TEST_FAIL("cannot load conf/schemas/domain.rng");
        return;
    }
    if (!(doc = xmlReadFile(path, NULL, XML_PARSE_NONET))) {
        VGM_TEST_FAIL("cannot parse %s", path);
        return;
    }
    ctxt = xmlRelaxNGNewValidCtxt(testSchema);
    xmlRelaxNGSetValidErrors(ctxt, testSchemaErrors, testSchemaErrors, NULL);
    rc = xmlRelaxNGValidateDoc(ctxt, doc);
    xmlRelaxNGFreeValidCtxt(ctxt);
    xmlFreeDoc(doc);
    if (rc != 0)
        VGM_TEST_FAIL("%s does not match conf/schemas/domain.rng", rel);
}

static int
testSchemaCompare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
testSchemaAddDir(const char *dir)
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
    g_ptr_array_sort(names, testSchemaCompare);
    for (i = 0; i < names->len; i++) {
        const char *file = names->pdata[i];
        g_autofree char *test = g_strdup_printf("/schema/%s/%s", dir, file);

        g_test_add_data_func_full(test,
                                  g_strdup_printf("%s/%s", dir, file),
                                  testSchemaValidate, g_free);
    }
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    testSchema = testSchemaLoad();
    testSchemaAddDir("xml2xml");
    testSchemaAddDir("xml2argv");
    vgmTestAddUnusedCheck("xml2xml");
    ret = g_test_run();
    xmlRelaxNGFree(testSchema);
    return ret;
}
