/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stddef.h>
#include <string.h>

#include "qapi/json.h"
#include "tests/testutils.h"
#include "util/enum.h"
#include "util/error.h"

/* ---- round trips: input -> compact output ---- */

typedef struct {
    const char *name;
    const char *input;
    const char *compact;    /* NULL: same as input */
} testRoundTrip;

static const testRoundTrip roundTrips[] = {
    { "null", "null", NULL },
    { "true", "true", NULL },
    { "int", "-42", NULL },
    { "int64-min", "-9223372036854775808", NULL },
    { "uint64-max", "18446744073709551615", NULL },
    { "double", "1.5e300", NULL },
    { "string-escapes", "\"a\\\"b\\\\c\\n\\t\\u0001\\/\"",
      "\"a\\\"b\\\\c\\n\\t\\u0001/\"" },
    { "utf8", "\"\\u00e9t\\u00e9 \xe2\x82\xac\"", "\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac\"" },
    { "empty-containers", "{ \"a\" : [ ], \"b\" : { } }",
      "{\"a\":[],\"b\":{}}" },
    { "order-kept", "{\"z\":1,\"a\":2,\"m\":[3,{\"y\":null,\"b\":false}]}",
      NULL },
    { "qmp-reply", "{\"return\": {\"status\": \"running\"}, \"id\": \"vgm-1\"}",
      "{\"return\":{\"status\":\"running\"},\"id\":\"vgm-1\"}" },
};

static void
testJSONRoundTrip(gconstpointer data)
{
    const testRoundTrip *tc = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) v = qapiJSONParse(tc->input, &error);
    g_autoptr(qapiJSON) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *pretty = NULL;
    const char *want = tc->compact ? tc->compact : tc->input;

    if (!v) {
        VGM_TEST_FAIL("parse failed: %s", error->message);
        return;
    }
    out = qapiJSONFormat(v, false);
    if (strcmp(out, want) != 0) {
        VGM_TEST_FAIL("got '%s', want '%s'", out, want);
        return;
    }
    pretty = qapiJSONFormat(v, true);
    again = qapiJSONParse(pretty, &error);
    if (!again || !qapiJSONEqual(v, again))
        VGM_TEST_FAIL("pretty output does not read back: %s", pretty);
}

/* ---- errors ---- */

typedef struct {
    const char *name;
    const char *input;
    unsigned int maxDepth;
    size_t maxSize;
    const char *message;    /* substring of the error */
} testParseError;

static const testParseError parseErrors[] = {
    { "empty", "", 0, 0, "premature EOF" },
    { "blank", "  \n", 0, 0, "premature EOF" },
    { "truncated", "{\"a\": [1, 2", 0, 0, "at offset" },
    { "not-json", "hello", 0, 0, "invalid char in json text" },
    { "trailing", "{} x", 0, 0, "at offset" },
    { "two-values", "{} {}", 0, 0, "at offset" },
    { "bad-utf8", "\"\xff\xfe\"", 0, 0, "at offset" },
    { "depth", "{\"a\":{\"b\":[[1]]}}", 3, 0, "'$.a.b[0]' is deeper than 3" },
    { "depth-array", "[[[]]]", 2, 0, "'$[0][0]' is deeper than 2" },
    { "depth-default", NULL, 0, 0, "deeper than 128" },
    { "size", "[1, 2, 3]", 0, 4, "exceeds the limit of 4 bytes" },
    { "nul", "{\"a\": [\"x\", \"y\\u0000z\"]}", 0, 0,
      "string at '$.a[1]' contains a NUL" },
    { "nul-key", "{\"a\\u0000\": 1}", 0, 0, "string at '$.' contains a NUL" },
};

static void
testJSONParseError(gconstpointer data)
{
    const testParseError *tc = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(qapiJSON) v = NULL;
    g_autofree char *deep = NULL;
    const char *input = tc->input;

    if (!input) {
        deep = g_strnfill(200, '[');
        input = deep;
    }
    v = qapiJSONParseFull(input, strlen(input),
                          tc->maxDepth ? tc->maxDepth :
                          QAPI_JSON_DEFAULT_MAX_DEPTH,
                          tc->maxSize ? tc->maxSize :
                          QAPI_JSON_DEFAULT_MAX_SIZE, &error);
    if (v) {
        VGM_TEST_FAIL("parse of '%s' succeeded", input);
        return;
    }
    if (!g_error_matches(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR) ||
        !strstr(error->message, tc->message))
        VGM_TEST_FAIL("error '%s' does not contain '%s'", error->message,
                      tc->message);
}

/* ---- numbers ---- */

typedef struct {
    const char *name;
    const char *input;
    bool isInt;
    gint64 i;
    bool isUInt;
    guint64 u;
    double d;
} testNumber;

static const testNumber numbers[] = {
    { "zero", "0", true, 0, true, 0, 0 },
    { "negative", "-5", true, -5, false, 0, -5 },
    { "int64-max", "9223372036854775807", true, G_MAXINT64, true,
      G_MAXINT64, 9223372036854775807.0 },
    { "above-int64", "9223372036854775808", false, 0, true,
      9223372036854775808ULL, 9223372036854775808.0 },
    { "uint64-max", "18446744073709551615", false, 0, true, G_MAXUINT64,
      18446744073709551615.0 },
    { "too-big", "18446744073709551616", false, 0, false, 0,
      18446744073709551616.0 },
    { "fraction", "2.5", false, 0, false, 0, 2.5 },
    { "exponent", "1e3", false, 0, false, 0, 1000 },
};

static void
testJSONNumber(gconstpointer data)
{
    const testNumber *tc = data;
    g_autoptr(qapiJSON) v = qapiJSONParse(tc->input, NULL);
    gint64 i = 0;
    guint64 u = 0;
    double d = 0;

    if (!v) {
        VGM_TEST_FAIL("cannot parse '%s'", tc->input);
        return;
    }
    if (qapiJSONGetInt64Value(v, &i) != tc->isInt || (tc->isInt && i != tc->i))
        VGM_TEST_FAIL("int64 of '%s' wrong", tc->input);
    if (qapiJSONGetUInt64Value(v, &u) != tc->isUInt ||
        (tc->isUInt && u != tc->u))
        VGM_TEST_FAIL("uint64 of '%s' wrong", tc->input);
    if (!qapiJSONGetDoubleValue(v, &d) || d != tc->d)
        VGM_TEST_FAIL("double of '%s' wrong", tc->input);
    if (strcmp(qapiJSONGetNumberText(v), tc->input) != 0)
        VGM_TEST_FAIL("text of '%s' not kept", tc->input);
}

/* ---- builders ---- */

static void
testJSONBuild(gconstpointer data)
{
    g_autoptr(qapiJSON) props = NULL;
    g_autoptr(qapiJSON) arr = qapiJSONNewArray();
    g_autoptr(qapiJSON) obj = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    const char *none = NULL;
    const char *want =
        "{\"qom-type\":\"memory-backend-guest-memfd\",\"id\":\"ram0\","
        "\"size\":18446744073709551615,\"share\":true,\"n\":-3,\"big\":-5000000000,"
        "\"u\":7,\"d\":0.5,\"prealloc\":false,\"nul\":null,"
        "\"nodes\":[1,2],\"inner\":{\"x\":\"y\"}}";

    qapiJSONArrayAppend(arr, qapiJSONNewInt64(1));
    qapiJSONArrayAppend(arr, qapiJSONNewInt64(2));
    if (qapiJSONObjectAdd(&obj, &error, "s:x", "y", NULL) < 0 ||
        qapiJSONObjectAdd(&props, &error,
                          "s:qom-type", "memory-backend-guest-memfd",
                          "s:id", "ram0",
                          "U:size", (guint64)G_MAXUINT64,
                          "b:share", true,
                          "S:skipped", none,
                          "i:n", -3,
                          "z:zero-skipped", 0,
                          "I:big", (gint64)-5000000000LL,
                          "u:u", 7U,
                          "Z:zero-u-skipped", (guint64)0,
                          "d:d", 0.5,
                          "B:false-skipped", false,
                          "T:prealloc", VGM_TRISTATE_BOOL_NO,
                          "T:absent-skipped", VGM_TRISTATE_BOOL_ABSENT,
                          "n:nul",
                          "a:nodes", &arr,
                          "A:null-array-skipped", NULL,
                          "o:inner", &obj,
                          "O:null-object-skipped", NULL,
                          NULL) < 0) {
        VGM_TEST_FAIL("build failed: %s", error->message);
        return;
    }
    if (arr || obj)
        VGM_TEST_FAIL("taken values were not cleared");
    out = qapiJSONFormat(props, false);
    if (strcmp(out, want) != 0)
        VGM_TEST_FAIL("got %s\nwant %s", out, want);
}

typedef struct {
    const char *name;
    int kind;
    const char *message;
} testBuildError;

static const testBuildError buildErrors[] = {
    { "null-string", 0, "member 'id' has no value" },
    { "duplicate", 1, "duplicate JSON member 'id'" },
    { "bad-letter", 2, "unknown type letter 'q'" },
    { "bad-spec", 3, "malformed JSON member specification 'sid'" },
    { "null-array", 4, "member 'list' has no value" },
    { "array-not-object", 5, "member 'o' must be an object" },
};

static void
testJSONBuildError(gconstpointer data)
{
    const testBuildError *tc = data;
    g_autoptr(qapiJSON) obj = NULL;
    g_autoptr(qapiJSON) arr = qapiJSONNewArray();
    g_autoptr(GError) error = NULL;
    const char *none = NULL;
    int rc = 0;

    switch (tc->kind) {
    case 0: rc = qapiJSONObjectAdd(&obj, &error, "s:id", none, NULL); break;
    case 1: rc = qapiJSONObjectAdd(&obj, &error, "s:id", "a", "s:id", "b",
                                   NULL); break;
    case 2: rc = qapiJSONObjectAdd(&obj, &error, "q:id", 1, NULL); break;
    case 3: rc = qapiJSONObjectAdd(&obj, &error, "sid", "x", NULL); break;
    case 4: rc = qapiJSONObjectAdd(&obj, &error, "a:list", NULL, NULL); break;
    case 5: rc = qapiJSONObjectAdd(&obj, &error, "o:o", &arr, NULL); break;
    }
    if (rc != -1 || !error || !strstr(error->message, tc->message))
        VGM_TEST_FAIL("rc %d, error '%s', want '%s'", rc,
                      error ? error->message : "(none)", tc->message);
}

/* ---- field tables, getters ---- */

typedef enum {
    TEST_STATUS_UNKNOWN,
    TEST_STATUS_ACTIVE,
    TEST_STATUS_COMPLETED,

    TEST_STATUS_LAST
} testStatus;

VGM_ENUM_DECL(testStatus);
VGM_ENUM_IMPL(testStatus, TEST_STATUS_LAST, "unknown", "active", "completed");

typedef struct {
    char *status;
    int state;
    gint64 delta;
    guint64 total;
    double ratio;
    bool flag;
    qapiJSON *ram;
} testInfo;

static const qapiJSONField testInfoFields[] = {
    { "status", QAPI_JSON_STRING, offsetof(testInfo, status), QAPI_MANDATORY },
    { "status", QAPI_JSON_ENUM, offsetof(testInfo, state), QAPI_MANDATORY,
      testStatusFromString, TEST_STATUS_UNKNOWN },
    { "delta", QAPI_JSON_INT64, offsetof(testInfo, delta), QAPI_OPTIONAL },
    { "total", QAPI_JSON_UINT64, offsetof(testInfo, total), QAPI_OPTIONAL },
    { "ratio", QAPI_JSON_DOUBLE, offsetof(testInfo, ratio), QAPI_OPTIONAL },
    { "flag", QAPI_JSON_BOOL, offsetof(testInfo, flag), QAPI_OPTIONAL },
    { "ram", QAPI_JSON_OBJECT, offsetof(testInfo, ram), QAPI_OPTIONAL },
    { NULL },
};

typedef struct {
    const char *name;
    const char *input;
    const char *message;    /* NULL: success */
    int state;
} testFields;

static const testFields fieldCases[] = {
    { "ok", "{\"status\":\"active\",\"delta\":-1,\"total\":18446744073709551615,"
      "\"ratio\":0.25,\"flag\":true,\"ram\":{\"x\":1},\"extra\":[]}",
      NULL, TEST_STATUS_ACTIVE },
    { "unknown-enum", "{\"status\":\"postcopy-paused-2\"}", NULL,
      TEST_STATUS_UNKNOWN },
    { "missing", "{\"total\":1}",
      "missing member 'status' in 'query-migrate reply'", 0 },
    { "wrong-type", "{\"status\":\"active\",\"total\":-1}",
      "member 'total' of 'query-migrate reply' must be a unsigned integer", 0 },
    { "wrong-bool", "{\"status\":\"active\",\"flag\":\"yes\"}",
      "member 'flag' of 'query-migrate reply' must be a boolean", 0 },
    { "not-object", "[1]", "'query-migrate reply' is not a JSON object", 0 },
};

static void
testJSONFields(gconstpointer data)
{
    const testFields *tc = data;
    g_autoptr(qapiJSON) v = qapiJSONParse(tc->input, NULL);
    g_autoptr(GError) error = NULL;
    testInfo info = { 0 };
    int rc;

    rc = qapiJSONParseFields(v, testInfoFields, &info, "query-migrate reply",
                             &error);
    if (tc->message) {
        if (rc != -1 || !strstr(error->message, tc->message))
            VGM_TEST_FAIL("rc %d error '%s'", rc,
                          error ? error->message : "(none)");
    } else if (rc != 0) {
        VGM_TEST_FAIL("failed: %s", error->message);
    } else if (info.state != tc->state) {
        VGM_TEST_FAIL("state %d, want %d", info.state, tc->state);
    }
    g_free(info.status);
    qapiJSONFree(info.ram);
}

static void
testJSONGetters(gconstpointer data)
{
    g_autoptr(qapiJSON) v = qapiJSONParse(
        "{\"return\":[{\"name\":\"a\",\"n\":-1,\"u\":18446744073709551615,"
        "\"b\":true,\"o\":{},\"l\":[]}]}", NULL);
    qapiJSON *e = qapiJSONPathGet(v, "return/0");
    gint64 i = 0;
    guint64 u = 0;
    bool b = false;

    if (!e || g_strcmp0(qapiJSONObjectGetString(e, "name"), "a") != 0 ||
        !qapiJSONObjectGetInt64(e, "n", &i) || i != -1 ||
        !qapiJSONObjectGetUInt64(e, "u", &u) || u != G_MAXUINT64 ||
        qapiJSONObjectGetInt64(e, "u", &i) ||
        !qapiJSONObjectGetBool(e, "b", &b) || !b ||
        !qapiJSONObjectGetObject(e, "o") || qapiJSONObjectGetObject(e, "l") ||
        !qapiJSONObjectGetArray(e, "l") || qapiJSONObjectGetString(e, "n") ||
        g_strcmp0(qapiJSONPathGetString(v, "return/0/name"), "a") != 0 ||
        qapiJSONPathGet(v, "return/1") || qapiJSONPathGet(v, "return/x") ||
        !qapiJSONPathGetUInt64(v, "return/0/u", &u)) {
        VGM_TEST_FAIL("getter mismatch");
        return;
    }
    qapiJSONObjectSet(e, "name", qapiJSONNewString("b"));
    if (g_strcmp0(qapiJSONObjectKeyAt(e, 0), "name") != 0 ||
        g_strcmp0(qapiJSONObjectGetString(e, "name"), "b") != 0)
        VGM_TEST_FAIL("set did not replace in place");
    qapiJSONFree(qapiJSONObjectSteal(e, "name"));
    if (qapiJSONObjectHas(e, "name") || qapiJSONObjectSize(e) != 5)
        VGM_TEST_FAIL("steal did not remove");
}

static void
testJSONPretty(gconstpointer data)
{
    g_autoptr(qapiJSON) v = qapiJSONParse("{\"a\":[1,{}],\"b\":{\"c\":null}}",
                                          NULL);
    g_autofree char *out = qapiJSONFormat(v, true);
    const char *want =
        "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": null\n  }\n}\n";

    if (strcmp(out, want) != 0)
        VGM_TEST_FAIL("got:\n%s", out);
}

#define ADD_TABLE(prefix, table, func) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < G_N_ELEMENTS(table); i_++) { \
            g_autofree char *n_ = g_strdup_printf("%s/%s", prefix, \
                                                  table[i_].name); \
            g_test_add_data_func(n_, &table[i_], func); \
        } \
    } while (0)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD_TABLE("/json/roundtrip", roundTrips, testJSONRoundTrip);
    ADD_TABLE("/json/error", parseErrors, testJSONParseError);
    ADD_TABLE("/json/number", numbers, testJSONNumber);
    ADD_TABLE("/json/build-error", buildErrors, testJSONBuildError);
    ADD_TABLE("/json/fields", fieldCases, testJSONFields);
    g_test_add_data_func("/json/build", NULL, testJSONBuild);
    g_test_add_data_func("/json/getters", NULL, testJSONGetters);
    g_test_add_data_func("/json/pretty", NULL, testJSONPretty);
    return g_test_run();
}
