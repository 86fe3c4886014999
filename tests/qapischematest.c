/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "qapi/schema.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * Path queries against the recorded query-qmp-schema of each version.
 * The expectations follow shared/qemu-replies/version-table.md.
 */

static const char *const versions[] = { "7.2.22", "10.0.13", "11.1.3" };
#define NVERSIONS G_N_ELEMENTS(versions)

static qapiSchema *schemas[NVERSIONS];

typedef struct {
    const char *query;
    bool want[NVERSIONS];   /* 7.2.22, 10.0.13, 11.1.3 */
} testQuery;

#define ALL { true, true, true }
#define NONE { false, false, false }
#define FROM10 { false, true, true }
#define FROM11 { false, false, true }

static const testQuery queries[] = {
    /* from the brief */
    { "object-add/arg-type/+memory-backend-memfd/hugetlb", ALL },
    { "object-add/arg-type/+memory-backend-guest-memfd", NONE },
    { "object-add/arg-type/+sev-snp-guest", FROM10 },
    { "object-add/arg-type/+tdx-guest/quote-generation-socket", FROM11 },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-ram", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^switchover-ack", FROM10 },
    { "query-migrate/ret-type/blocked-reasons", ALL },
    { "object-add/arg-type/qom-type/^iommufd", FROM10 },
    /* object types (ObjectType enum and union branches) */
    { "object-add/arg-type/qom-type/^memory-backend-memfd", ALL },
    { "object-add/arg-type/qom-type/^memory-backend-guest-memfd", NONE },
    { "object-add/arg-type/qom-type/^memory-backend-shm", FROM10 },
    { "object-add/arg-type/+memory-backend-shm", FROM10 },
    { "object-add/arg-type/qom-type/^sev-guest", ALL },
    { "object-add/arg-type/qom-type/^sev-snp-guest", FROM10 },
    { "object-add/arg-type/qom-type/^tdx-guest", FROM11 },
    { "object-add/arg-type/+tdx-guest", FROM11 },
    { "object-add/arg-type/qom-type/^igvm-cfg", NONE },
    { "object-add/arg-type/+iommufd", FROM10 },
    /* properties */
    { "object-add/arg-type/+memory-backend-memfd/guest-memfd", NONE },
    { "object-add/arg-type/+sev-guest/legacy-vm-type", FROM10 },
    { "object-add/arg-type/+sev-snp-guest/convert-in-place", NONE },
    { "object-add/arg-type/+tdx-guest/convert-in-place", NONE },
    { "object-add/arg-type/+memory-backend-memfd/size/!int", ALL },
    { "object-add/arg-type/+memory-backend-memfd/size/!string", NONE },
    { "object-add/arg-type/qom-type/!enum", ALL },
    { "object-add/arg-type/id", ALL },
    { "object-add/arg-type/nonexistent", NONE },
    /* features */
    { "object-add/arg-type/+tdx-guest/$confidential-guest-reset", FROM11 },
    { "device_add/$json-cli", ALL },
    { "device_add/$no-such-feature", NONE },
    /* commands */
    { "query-sev-capabilities", ALL },
    { "query-sev", ALL },
    { "query-sev-attestation-report", ALL },
    { "trace-event-set-state", ALL },
    { "trace-event-get-state", ALL },
    { "migrate", ALL },
    { "migrate-incoming", ALL },
    { "migrate-start-postcopy", ALL },
    { "migrate-pause", ALL },
    { "migrate-recover", ALL },
    { "migrate_cancel", ALL },
    { "migrate-continue", ALL },
    { "query-memdev", ALL },
    { "qom-list-get", FROM11 },
    { "no-such-command", NONE },
    /* events */
    { "MIGRATION", ALL },
    { "MIGRATION_PASS", ALL },
    { "VFIO_MIGRATION", FROM10 },
    { "MEMORY_DEVICE_SIZE_CHANGE", ALL },
    { "MIGRATION/arg-type/status/^postcopy-active", ALL },
    /* migration capabilities */
    { "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-preempt", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-blocktime", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^return-path", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^mapped-ram", FROM10 },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^x-ignore-shared", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^events", ALL },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^no-such-cap", NONE },
    /* query-migrate fields */
    { "query-migrate/ret-type/downtime", ALL },
    { "query-migrate/ret-type/total-time", ALL },
    { "query-migrate/ret-type/setup-time", ALL },
    { "query-migrate/ret-type/postcopy-blocktime", ALL },
    { "query-migrate/ret-type/postcopy-latency", FROM11 },
    { "query-migrate/ret-type/vfio", ALL },
    { "query-migrate/ret-type/blocked-reasons/!string", ALL },
    /* migration parameters and arguments */
    { "migrate-set-parameters/arg-type/downtime-limit", ALL },
    { "migrate-set-parameters/arg-type/max-postcopy-bandwidth", ALL },
    { "migrate-set-parameters/arg-type/avail-switchover-bandwidth", FROM10 },
    { "migrate-set-parameters/arg-type/mode", FROM10 },
    { "migrate/arg-type/channels", FROM10 },
    /* arrays are looked through; alternates try every branch */
    { "query-commands/ret-type/name", ALL },
    { "blockdev-add/arg-type/+qcow2/file/+file/filename", ALL },
    { "blockdev-add/arg-type/+qcow2/file/!string", ALL },
    { "blockdev-add/arg-type/+qcow2/file/+no-such-driver", NONE },
};

static void
testSchemaQuery(gconstpointer data)
{
    const testQuery *tc = data;
    size_t v;

    for (v = 0; v < NVERSIONS; v++) {
        g_autoptr(GError) error = NULL;
        int rc = qapiSchemaQuery(schemas[v], tc->query, NULL, &error);

        if (rc < 0) {
            VGM_TEST_FAIL("%s: %s", versions[v], error->message);
        } else if ((rc == 1) != tc->want[v]) {
            VGM_TEST_FAIL("%s on %s: got %s, want %s", tc->query, versions[v],
                          rc ? "true" : "false",
                          tc->want[v] ? "true" : "false");
        }
    }
}

static const char *const malformed[] = {
    "",
    "object-add//id",
    "object-add/arg-type/",
    "+object-add",
    "object-add/arg-type/qom-type/^iommufd/x",
    "device_add/$json-cli/x",
};

static void
testSchemaMalformed(gconstpointer data)
{
    const char *query = *(const char *const *)data;
    g_autoptr(GError) error = NULL;

    if (qapiSchemaQuery(schemas[NVERSIONS - 1], query, NULL, &error) != -1 ||
        !g_error_matches(error, QAPI_ERROR, VIR_ERR_INTERNAL_ERROR))
        VGM_TEST_FAIL("'%s' was not refused", query);
    else if (qapiSchemaHas(schemas[NVERSIONS - 1], query))
        VGM_TEST_FAIL("qapiSchemaHas('%s') is true", query);
}

/* ---- validation ---- */

typedef struct {
    const char *name;
    const char *command;
    const char *args;       /* NULL: no arguments */
    const char *error[NVERSIONS];   /* NULL: valid on that version */
} testValidate;

#define SNP_ARGS \
    "{\"qom-type\":\"sev-snp-guest\",\"id\":\"lsec0\",\"cbitpos\":51," \
    "\"reduced-phys-bits\":1,\"policy\":196608}"
#define ERR_SNP "does not support the value 'sev-snp-guest' of 'object-add/qom-type'"
#define ERR_SWITCHOVER "does not support the value 'switchover-ack'"

static const testValidate validations[] = {
    { "memfd", "object-add",
      "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram0\","
      "\"size\":18446744073709551615,\"share\":true,\"hugetlb\":false}",
      { NULL, NULL, NULL } },
    { "snp", "object-add", SNP_ARGS, { ERR_SNP, NULL, NULL } },
    { "unknown-prop", "object-add",
      "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram0\",\"size\":1,"
      "\"bogus\":1}",
      { "does not know the member 'bogus' of 'object-add'",
        "does not know the member 'bogus' of 'object-add'",
        "does not know the member 'bogus' of 'object-add'" } },
    { "guest-memfd-prop", "object-add",
      "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram0\",\"size\":1,"
      "\"guest-memfd\":true}",
      { "member 'guest-memfd'", "member 'guest-memfd'",
        "member 'guest-memfd'" } },
    { "wrong-type", "object-add",
      "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram0\",\"size\":\"1G\"}",
      { "'object-add/size' must be of JSON type 'int'",
        "'object-add/size' must be of JSON type 'int'",
        "'object-add/size' must be of JSON type 'int'" } },
    { "missing-id", "object-add", "{\"qom-type\":\"iothread\"}",
      { "lacks the mandatory member 'id'",
        "lacks the mandatory member 'id'",
        "lacks the mandatory member 'id'" } },
    { "caps", "migrate-set-capabilities",
      "{\"capabilities\":[{\"capability\":\"postcopy-ram\",\"state\":true}]}",
      { NULL, NULL, NULL } },
    { "caps-switchover", "migrate-set-capabilities",
      "{\"capabilities\":[{\"capability\":\"switchover-ack\",\"state\":true}]}",
      { ERR_SWITCHOVER, NULL, NULL } },
    { "caps-bool", "migrate-set-capabilities",
      "{\"capabilities\":[{\"capability\":\"events\",\"state\":1}]}",
      { "'migrate-set-capabilities/capabilities/0/state' must be of JSON type 'boolean'",
        "'migrate-set-capabilities/capabilities/0/state' must be of JSON type 'boolean'",
        "'migrate-set-capabilities/capabilities/0/state' must be of JSON type 'boolean'" } },
    { "device_add-open", "device_add",
      "{\"driver\":\"vfio-pci\",\"id\":\"hostdev0\",\"host\":\"0000:01:00.0\"}",
      { NULL, NULL, NULL } },
    { "device_add-no-driver", "device_add", "{\"id\":\"x\"}",
      { "mandatory member 'driver'", "mandatory member 'driver'",
        "mandatory member 'driver'" } },
    { "device_add-bus-type", "device_add", "{\"driver\":\"x\",\"bus\":1}",
      { "'device_add/bus' must be", "'device_add/bus' must be",
        "'device_add/bus' must be" } },
    { "no-args", "query-status", NULL, { NULL, NULL, NULL } },
    { "no-command", "frobnicate", NULL,
      { "has no command 'frobnicate'", "has no command 'frobnicate'",
        "has no command 'frobnicate'" } },
    { "trace", "trace-event-set-state",
      "{\"name\":\"kvm_*\",\"enable\":true}", { NULL, NULL, NULL } },
    { "alternate-null", "migrate-set-parameters", "{\"tls-creds\":null}",
      { NULL, NULL, NULL } },
    { "alternate-str", "migrate-set-parameters", "{\"tls-creds\":\"tls0\"}",
      { NULL, NULL, NULL } },
    { "alternate-bad", "migrate-set-parameters", "{\"tls-creds\":1}",
      { "'migrate-set-parameters/tls-creds' matches none",
        "'migrate-set-parameters/tls-creds' matches none",
        "'migrate-set-parameters/tls-creds' matches none" } },
};

static void
testSchemaValidate(gconstpointer data)
{
    const testValidate *tc = data;
    g_autoptr(qapiJSON) args = tc->args ? qapiJSONParse(tc->args, NULL) : NULL;
    size_t v;

    for (v = 0; v < NVERSIONS; v++) {
        g_autoptr(GError) error = NULL;
        int rc = qapiSchemaValidateArgs(schemas[v], tc->command, args, &error);

        if (!tc->error[v] && rc != 0) {
            VGM_TEST_FAIL("%s: %s", versions[v], error->message);
        } else if (tc->error[v] &&
                   (rc != -1 || !strstr(error->message, tc->error[v]))) {
            VGM_TEST_FAIL("%s: got '%s', want '%s'", versions[v],
                          error ? error->message : "(success)", tc->error[v]);
        }
    }
}

static void
testSchemaLoad(gconstpointer data)
{
    size_t v;

    for (v = 0; v < NVERSIONS; v++) {
        const qapiJSON *e = NULL;
        const qapiJSON *entries = NULL;
        const qapiJSON *first = NULL;

        if (!schemas[v] || qapiSchemaSize(schemas[v]) < 1000) {
            VGM_TEST_FAIL("schema of %s not loaded", versions[v]);
            continue;
        }
        /* the index points into the entries it hands out: one copy */
        entries = qapiSchemaGetEntries(schemas[v]);
        first = qapiJSONArrayGet(entries, 0);
        if (qapiJSONArraySize(entries) != qapiSchemaSize(schemas[v]) ||
            qapiSchemaLookup(schemas[v],
                             qapiJSONObjectGetString(first, "name")) != first)
            VGM_TEST_FAIL("%s: entries are not the indexed ones", versions[v]);
        if (qapiSchemaQuery(schemas[v], "object-add/arg-type/id", &e,
                            NULL) != 1 ||
            g_strcmp0(qapiJSONObjectGetString(e, "name"), "id") != 0)
            VGM_TEST_FAIL("%s: the query did not give the member", versions[v]);
    }
}

static void
testSchemaBadInput(gconstpointer data)
{
    static const char *const inputs[] = {
        "{\"return\": {}}",
        "[{\"name\": \"x\"}]",
        "[{\"meta-type\": \"object\"}]",
        "[",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(qapiSchema) s = qapiSchemaParse(inputs[i], &error);

        if (s || !error)
            VGM_TEST_FAIL("'%s' was accepted", inputs[i]);
    }
}

static int
loadSchemas(void)
{
    size_t v;

    for (v = 0; v < NVERSIONS; v++) {
        g_autofree char *rel = g_strdup_printf("qemu/%s/07-query-qmp-schema.jsonl",
                                               versions[v]);
        g_autofree char *data = vgmTestLoadData(rel);
        g_autoptr(GError) error = NULL;
        char *reply;

        if (!data || !(reply = strchr(data, '\n')))
            return -1;
        if (!(schemas[v] = qapiSchemaParse(reply + 1, &error))) {
            g_printerr("%s: %s\n", rel, error->message);
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    size_t i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (loadSchemas() < 0)
        return 1;
    g_test_add_data_func("/schema/load", NULL, testSchemaLoad);
    g_test_add_data_func("/schema/bad-input", NULL, testSchemaBadInput);
    for (i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autofree char *name = g_strdup_printf("/schema/query/%s",
                                                queries[i].query);

        g_test_add_data_func(name, &queries[i], testSchemaQuery);
    }
    for (i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autofree char *name = g_strdup_printf("/schema/malformed/%zu", i);

        g_test_add_data_func(name, &malformed[i], testSchemaMalformed);
    }
    for (i = 0; i < G_N_ELEMENTS(validations); i++) {
        g_autofree char *name = g_strdup_printf("/schema/validate/%s",
                                                validations[i].name);

        g_test_add_data_func(name, &validations[i], testSchemaValidate);
    }
    ret = g_test_run();
    for (i = 0; i < NVERSIONS; i++)
        qapiSchemaFree(schemas[i]);
    return ret;
}
