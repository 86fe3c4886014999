/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/xml.h"
#include "tests/testutils.h"
#include "util/error.h"

/* conf/xml.c: the hardened parser, attribute readers and formatter. */

typedef struct {
    const char *name;
    const char *xml;        /* NULL: built by @build */
    char *(*build)(void);
    const char *error;      /* expected substring; NULL: must parse */
} xmlParseCase;

static char *
buildHuge(void)
{
    GString *s = g_string_new("<domain>");

    while (s->len <= CONF_XML_MAX_BYTES)
        g_string_append(s, "<!-- padding padding padding padding -->");
    g_string_append(s, "</domain>");
    return g_string_free(s, FALSE);
}

static char *
buildDeep(void)
{
    GString *s = g_string_new(NULL);
    int i;

    for (i = 0; i < 5000; i++)
        g_string_append(s, "<a>");
    for (i = 0; i < 5000; i++)
        g_string_append(s, "</a>");
    return g_string_free(s, FALSE);
}

static const xmlParseCase parseCases[] = {
    { "plain", "<domain type='kvm'><name>a</name></domain>", NULL, NULL },
    { "empty", "", NULL, "XML document is empty" },
    { "blank", "  \n\t ", NULL, "XML document is empty" },
    { "malformed", "<domain><name>a</domain>", NULL, "malformed XML at line 1" },
    { "billion-laughs",
      "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'>"
      "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
      "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]><d>&c;</d>",
      NULL, "DOCTYPE or entity declaration" },
    { "external-entity",
      "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><d>&x;</d>",
      NULL, "DOCTYPE or entity declaration" },
    { "external-dtd",
      "<!DOCTYPE d SYSTEM 'http://127.0.0.1:9/x.dtd'><d/>",
      NULL, "DOCTYPE or entity declaration" },
    { "undeclared-entity", "<d>&x;</d>", NULL, "malformed XML" },
    { "non-utf8", "<d>\xff\xfe</d>", NULL, "malformed XML" },
    { "too-big", NULL, buildHuge, "more than the limit of 1048576 bytes" },
    { "too-deep", NULL, buildDeep, "malformed XML" },
};

static void
testParse(gconstpointer data)
{
    const xmlParseCase *tc = data;
    g_autofree char *built = tc->build ? tc->build() : NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = confXMLParse(built ? built : tc->xml, 0, NULL,
                                         &error);

    if (!tc->error) {
        if (!doc)
            VGM_TEST_FAIL("%s: unexpected error: %s", tc->name,
                          error->message);
        return;
    }
    if (doc) {
        VGM_TEST_FAIL("%s: parsed, expected error '%s'", tc->name,
                      tc->error);
        return;
    }
    if (!g_error_matches(error, CONF_ERROR, VIR_ERR_XML_ERROR) ||
        !strstr(error->message, tc->error))
        VGM_TEST_FAIL("%s: error '%s', expected '%s'", tc->name,
                      error->message, tc->error);
}

typedef enum { A_DEFAULT = 0, A_ONE, A_TWO, A_LAST } testEnum;
VGM_ENUM_DECL(testEnum);
VGM_ENUM_IMPL(testEnum, A_LAST, "default", "one", "two");

typedef struct {
    const char *name;
    const char *xml;
    int kind;             /* 0 enum, 1 uint, 2 ullong, 3 int, 4 bool */
    unsigned int flags;
    int rc;
    unsigned long long value;
    const char *error;
} xmlPropCase;

static const xmlPropCase propCases[] = {
    { "enum-ok", "<e a='two'/>", 0, 0, 1, A_TWO, NULL },
    { "enum-absent", "<e/>", 0, 0, 0, 0, NULL },
    { "enum-required", "<e/>", 0, CONF_PROP_REQUIRED, -1, 0,
      "missing required attribute 'a' on element '/e'" },
    { "enum-bad", "<e a='three'/>", 0, CONF_PROP_NONZERO, -1, 0,
      "invalid value 'three' for '/e/@a': accepted values are 'one', 'two'" },
    { "enum-default-refused", "<e a='default'/>", 0, CONF_PROP_NONZERO, -1,
      0, "accepted values are 'one', 'two'" },
    { "uint-ok", "<e a='4294967295'/>", 1, 0, 1, 4294967295ULL, NULL },
    { "uint-hex", "<e a='0x10'/>", 1, 0, 1, 16, NULL },
    { "uint-range", "<e a='4294967296'/>", 1, 0, -1, 0, "out of range" },
    { "uint-junk", "<e a='12abc'/>", 1, 0, -1, 0,
      "invalid value '12abc' for '/e/@a'" },
    { "uint-negative", "<e a='-1'/>", 1, 0, -1, 0, "invalid value '-1'" },
    { "uint-space", "<e a=' 1'/>", 1, 0, -1, 0, "invalid value ' 1'" },
    { "uint-nonzero", "<e a='0'/>", 1, CONF_PROP_NONZERO, -1, 0,
      "expected a positive integer" },
    { "ullong-ok", "<e a='18446744073709551615'/>", 2, 0, 1,
      18446744073709551615ULL, NULL },
    { "ullong-overflow", "<e a='18446744073709551616'/>", 2, 0, -1, 0,
      "expected an unsigned integer" },
    { "int-negative", "<e a='-5'/>", 3, 0, 1, (unsigned long long)-5, NULL },
    { "bool-yes", "<e a='yes'/>", 4, 0, 1, VGM_TRISTATE_BOOL_YES, NULL },
    { "bool-bad", "<e a='true'/>", 4, 0, -1, 0,
      "accepted values are 'yes', 'no'" },
};

static int
testPropRead(const xmlPropCase *tc, xmlNodePtr node, unsigned long long *v,
             GError **error)
{
    int ival = 0;
    unsigned int uval = 0;
    vgmTristateBool bval = 0;
    int rc = -1;

    switch (tc->kind) {
    case 0:
        rc = confXMLPropEnum(node, "a", testEnumToString, tc->flags, &ival,
                             error);
        *v = ival;
        break;
    case 1:
        rc = confXMLPropUInt(node, "a", 0, tc->flags, &uval, error);
        *v = uval;
        break;
    case 2:
        rc = confXMLPropULongLong(node, "a", 10, tc->flags, v, error);
        break;
    case 3:
        rc = confXMLPropInt(node, "a", 10, tc->flags, &ival, error);
        *v = (unsigned long long)ival;
        break;
    case 4:
        rc = confXMLPropTristateBool(node, "a", tc->flags, &bval, error);
        *v = bval;
        break;
    }
    return rc;
}

static void
testProp(gconstpointer data)
{
    const xmlPropCase *tc = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = confXMLParse(tc->xml, 0, NULL, &error);
    unsigned long long v = 0;
    int rc;

    g_assert_nonnull(doc);
    rc = testPropRead(tc, xmlDocGetRootElement(doc), &v, &error);
    if (rc != tc->rc) {
        VGM_TEST_FAIL("%s: rc %d, expected %d (%s)", tc->name, rc, tc->rc,
                      error ? error->message : "no error");
        return;
    }
    if (rc > 0 && v != tc->value)
        VGM_TEST_FAIL("%s: value %llu, expected %llu", tc->name, v,
                      tc->value);
    if (rc < 0 && (!error || !strstr(error->message, tc->error)))
        VGM_TEST_FAIL("%s: error '%s', expected '%s'", tc->name,
                      error ? error->message : "none", tc->error);
    if (rc >= 0 && error)
        VGM_TEST_FAIL("%s: error set on success", tc->name);
}

static void
testCheckNode(void)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = { "name", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc =
        confXMLParse("<domain type='kvm' foo='1'><name/></domain>", 0,
                     NULL, NULL);
    g_autoptr(xmlDoc) doc2 =
        confXMLParse("<domain><name/><bogus/></domain>", 0, NULL, NULL);

    g_assert_cmpint(confXMLCheckNode(xmlDocGetRootElement(doc), attrs,
                                     children, &error), ==, -1);
    g_assert_cmpstr(error->message, ==,
                    "unknown attribute 'foo' on element '/domain'");
    g_clear_error(&error);
    g_assert_cmpint(confXMLCheckNode(xmlDocGetRootElement(doc2), attrs,
                                     children, &error), ==, -1);
    g_assert_cmpstr(error->message, ==, "unknown element '/domain/bogus'");
}

static void
testFormat(void)
{
    confBuf buf;
    confBuf attrs;
    confBuf child;
    confBuf empty;
    g_autofree char *out = NULL;

    confBufInit(&buf);
    confBufInit(&attrs);
    confBufInitChild(&child, &buf);
    confBufInitChild(&empty, &buf);
    confBufEscape(&attrs, " name='%s'", "a'<b>&\"c\"");
    confBufAdd(&child, "<x/>\n");
    confXMLFormatElement(&buf, "outer", &attrs, &child);
    confXMLFormatElement(&buf, "nothing", NULL, &empty);
    confBufAdd(&attrs, " only='attr'");
    confXMLFormatElement(&buf, "leaf", &attrs, NULL);
    out = confBufSteal(&buf);
    g_assert_cmpstr(out, ==,
                    "<outer name='a&apos;&lt;b&gt;&amp;&quot;c&quot;'>\n"
                    "  <x/>\n"
                    "</outer>\n"
                    "<leaf only='attr'/>\n");
    confBufClear(&attrs);
    confBufClear(&child);
    confBufClear(&empty);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(parseCases); i++) {
        g_autofree char *path = g_strdup_printf("/xml/parse/%s",
                                                parseCases[i].name);
        g_test_add_data_func(path, &parseCases[i], testParse);
    }
    for (i = 0; i < G_N_ELEMENTS(propCases); i++) {
        g_autofree char *path = g_strdup_printf("/xml/prop/%s",
                                                propCases[i].name);
        g_test_add_data_func(path, &propCases[i], testProp);
    }
    g_test_add_func("/xml/check-node", testCheckNode);
    g_test_add_func("/xml/format", testFormat);
    return g_test_run();
}
