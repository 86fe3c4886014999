/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>

#include "driver/capabilities.h"
#include "driver/domcaps.h"
#include "tests/hostcapstestutils.h"
#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * <capabilities> and <domainCapabilities> for every recorded QEMU
 * (7.2.22, 10.0.13, 11.1.3 and the two guest_memfd overlays on 11.1.3,
 * replayed through the fake QMP server) on faked hosts, compared byte
 * for byte with tests/data/capabilities/QEMU.HOST.xml and
 * tests/data/domcaps/QEMU.HOST[.VARIANT].xml (VGM_TEST_REGENERATE=1
 * rewrites them).  Then the decisions that matter, over every QEMU and
 * every faked host: guest-memfd needs a guest_memfd QEMU and a host whose
 * guest_memfd maps and starts shared; sev-snp and tdx need both sides.
 */

#define TEST_HOST_UUID "c7a5fdbd-edaf-4455-926a-d65c16db1809"

typedef struct {
    const char *name;           /* as in the golden file names */
    const char *ver;
    testQemuCapsOverlay overlay;
} testQemu;

static const testQemu testQemus[] = {
    { "7.2.22", "7.2.22", TEST_QEMU_CAPS_OVERLAY_NONE },
    { "10.0.13", "10.0.13", TEST_QEMU_CAPS_OVERLAY_NONE },
    { "11.1.3", "11.1.3", TEST_QEMU_CAPS_OVERLAY_NONE },
    { "11.1.3+gmem-rfc", "11.1.3", TEST_QEMU_CAPS_OVERLAY_GMEM_RFC },
    { "11.1.3+memfd-gmem", "11.1.3", TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM },
};

/* Each recording is replayed once, on first use. */
static drvQemuCaps *testQemuCache[G_N_ELEMENTS(testQemus)];

static const drvQemuCaps *
testQemuGet(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(testQemus); i++) {
        g_autoptr(GError) error = NULL;

        if (strcmp(testQemus[i].name, name) != 0)
            continue;
        if (!testQemuCache[i]) {
            testQemuCache[i] = testQemuCapsReplay(testQemus[i].ver,
                                                  testQemus[i].overlay, &error);
        }
        if (!testQemuCache[i])
            g_error("cannot replay QEMU %s: %s", name, error->message);
        return testQemuCache[i];
    }
    g_error("no recorded QEMU called '%s'", name);
}

/* Well-formed XML, namespaces included. */
static void
testCheckWellFormed(const char *xml, const char *what)
{
    xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), what, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);

    if (!doc)
        VGM_TEST_FAIL("%s is not well-formed XML", what);
    xmlFreeDoc(doc);
}

typedef struct {
    const char *qemu;
    const char *host;
} testCapsCase;

static void
testCapabilities(gconstpointer data)
{
    const testCapsCase *tc = data;
    g_autoptr(drvHostCaps) host = testHostProbe(testHostFind(tc->host));
    g_autofree char *xml = NULL;
    g_autofree char *rel = NULL;

    if (!host)
        return;
    xml = drvCapabilitiesFormat(TEST_HOST_UUID, host, testQemuGet(tc->qemu));
    rel = g_strdup_printf("capabilities/%s.%s.xml", tc->qemu, tc->host);
    testCheckWellFormed(xml, rel);
    vgmTestCompareToFile(xml, rel);
}

typedef struct {
    const char *qemu;
    const char *host;
    const char *variant;        /* NULL, or the golden file's suffix */
    const char *machine;
    confDomainVirtType virttype;
    const drvDomCapsSevInfo *sev;
    int errorCode;              /* 0: success expected */
    const char *arch;
} testDomCapsCase;

static drvDomCapsRequest
testDomCapsRequest(const testDomCapsCase *tc, const drvHostCaps *host)
{
    drvDomCapsRequest req = {
        .host = host, .qemu = testQemuGet(tc->qemu), .machine = tc->machine,
        .virttype = tc->virttype, .sev = tc->sev, .arch = tc->arch,
    };

    return req;
}

static drvDomCaps *
testDomCapsNew(const testDomCapsCase *tc, const drvHostCaps *host,
               GError **error)
{
    drvDomCapsRequest req = testDomCapsRequest(tc, host);

    return drvDomCapsNew(&req, error);
}

/* drvDomCapsGetXML() gives the same document. */
static void
testCheckGetXML(const testDomCapsCase *tc, const drvHostCaps *host,
                const char *xml)
{
    drvDomCapsRequest req = testDomCapsRequest(tc, host);
    g_autoptr(GError) error = NULL;
    g_autofree char *again = drvDomCapsGetXML(&req, &error);

    if (g_strcmp0(again, xml) != 0)
        VGM_TEST_FAIL("drvDomCapsGetXML differs: %s",
                      again ? again : error->message);
}

static void
testDomCaps(gconstpointer data)
{
    const testDomCapsCase *tc = data;
    g_autoptr(drvHostCaps) host = testHostProbe(testHostFind(tc->host));
    g_autoptr(drvDomCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *rel = NULL;

    if (!host)
        return;
    caps = testDomCapsNew(tc, host, &error);
    if (tc->errorCode) {
        if (!g_error_matches(error, DRV_ERROR, tc->errorCode))
            VGM_TEST_FAIL("expected error %d, got '%s'", tc->errorCode,
                          error ? error->message : "success");
        return;
    }
    if (!caps) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    xml = drvDomCapsFormat(caps);
    testCheckGetXML(tc, host, xml);
    rel = g_strdup_printf("domcaps/%s.%s%s%s.xml", tc->qemu, tc->host,
                          tc->variant ? "." : "", tc->variant ? tc->variant : "");
    testCheckWellFormed(xml, rel);
    vgmTestCompareToFile(xml, rel);
}

/*
 * Custom mode lists QEMU's models but the two that are modes of their
 * own; <vcpu max> is the requested machine's cpu-max.
 */
static void
testDomCapsCPU(void)
{
    testDomCapsCase tc = { "11.1.3", "this-host", NULL, "pc" };
    g_autoptr(drvHostCaps) host = testHostProbe(testHostFind(tc.host));
    g_autoptr(drvDomCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    const char *const *models;

    if (!host)
        return;
    caps = testDomCapsNew(&tc, host, &error);
    g_assert_nonnull(caps);
    g_assert_cmpuint(caps->maxVcpus, ==, 255);
    models = (const char *const *)caps->cpuModels;
    g_assert_true(g_strv_contains(models, "qemu64"));
    g_assert_true(g_strv_contains(models, "base"));
    g_assert_false(g_strv_contains(models, "host"));
    g_assert_false(g_strv_contains(models, "max"));
    g_assert_cmpuint(g_strv_length(caps->cpuModels), ==, 187);
}

/* The SEV details a host with SEV firmware reports (typical EPYC). */
static const drvDomCapsSevInfo testSevInfo = { 51, 1, 509, 0 };

/*
 * Over every QEMU and every faked host (default machine, default
 * domain type): the XML says guest-memfd, sev-snp and tdx exactly when
 * both sides have what they need.
 */
static bool
testQemuIsGmem(const char *qemu)
{
    return strstr(qemu, "+") != NULL;
}

static bool
testHostIs(const char *host, const char *const *names)
{
    return g_strv_contains(names, host);
}

static void
testCheckValue(const char *xml, const char *value, bool expected,
               const char *what)
{
    g_autofree char *needle = g_strdup_printf("<value>%s</value>", value);

    if ((strstr(xml, needle) != NULL) != expected)
        VGM_TEST_FAIL("%s: '%s' %s", what, value,
                      expected ? "missing" : "unexpected");
}

static void
testMatrixOne(const char *qemu, const testHost *th)
{
    const char *const gmemHosts[] = { "this-host", "snp", "tdx",
                                      "future-uffd", NULL };
    g_autoptr(drvHostCaps) host = testHostProbe(th);
    testDomCapsCase tc = { .qemu = qemu, .host = th->name };
    g_autoptr(drvDomCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *what = g_strdup_printf("%s on %s", qemu, th->name);
    bool newQemu = strcmp(qemu, "7.2.22") != 0;
    bool qemu11 = g_str_has_prefix(qemu, "11.1.3");

    if (!host)
        return;
    if (!(caps = testDomCapsNew(&tc, host, &error))) {
        VGM_TEST_FAIL("%s: %s", what, error->message);
        return;
    }
    xml = drvDomCapsFormat(caps);
    testCheckValue(xml, "guest-memfd", testQemuIsGmem(qemu) &&
                   testHostIs(th->name, gmemHosts), what);
    testCheckValue(xml, "sev-snp", newQemu && strcmp(th->name, "snp") == 0,
                   what);
    testCheckValue(xml, "tdx", qemu11 && strcmp(th->name, "tdx") == 0, what);
    testCheckValue(xml, "sev", strcmp(th->name, "snp") == 0, what);
    testCheckValue(xml, "memfd", true, what);
}

static void
testMatrix(gconstpointer data)
{
    size_t i;
    size_t j;

    for (i = 0; i < G_N_ELEMENTS(testQemus); i++) {
        for (j = 0; j < testNHosts; j++)
            testMatrixOne(testQemus[i].name, &testHosts[j]);
    }
}

#define DO_TEST_CAPS(qemu, host) \
    do { \
        static const testCapsCase tc = { qemu, host }; \
        g_test_add_data_func("/capabilities/" qemu "/" host, &tc, \
                             testCapabilities); \
    } while (0)

#define DO_TEST_DOMCAPS_FULL(name, ...) \
    do { \
        static const testDomCapsCase tc = { __VA_ARGS__ }; \
        g_test_add_data_func("/domcaps/" name, &tc, testDomCaps); \
    } while (0)

#define DO_TEST_DOMCAPS(qemu, host) \
    DO_TEST_DOMCAPS_FULL(qemu "/" host, qemu, host)

#define DO_TEST_BOTH(qemu) \
    do { \
        DO_TEST_CAPS(qemu, "this-host"); \
        DO_TEST_CAPS(qemu, "snp"); \
        DO_TEST_CAPS(qemu, "tdx"); \
        DO_TEST_DOMCAPS(qemu, "this-host"); \
        DO_TEST_DOMCAPS(qemu, "snp"); \
        DO_TEST_DOMCAPS(qemu, "tdx"); \
    } while (0)

int
main(int argc, char **argv)
{
    int ret;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    DO_TEST_BOTH("7.2.22");
    DO_TEST_BOTH("10.0.13");
    DO_TEST_BOTH("11.1.3");
    DO_TEST_BOTH("11.1.3+gmem-rfc");
    DO_TEST_BOTH("11.1.3+memfd-gmem");
    DO_TEST_CAPS("11.1.3", "no-kvm");
    DO_TEST_DOMCAPS("11.1.3+gmem-rfc", "no-kvm");
    DO_TEST_DOMCAPS("11.1.3+gmem-rfc", "gmem-mmap-broken");
    DO_TEST_DOMCAPS("11.1.3+gmem-rfc", "gmem-mmap-only");
    DO_TEST_DOMCAPS("11.1.3+gmem-rfc", "future-uffd");
    DO_TEST_DOMCAPS_FULL("tcg", "11.1.3+gmem-rfc", "this-host", "tcg", NULL,
                         CONF_DOMAIN_VIRT_QEMU);
    DO_TEST_DOMCAPS_FULL("pc", "7.2.22", "this-host", "pc", "pc");
    DO_TEST_DOMCAPS_FULL("sev-info", "11.1.3", "snp", "sev-info", NULL,
                         CONF_DOMAIN_VIRT_KVM, &testSevInfo);
    DO_TEST_DOMCAPS_FULL("error/kvm-without-kvm", "11.1.3", "no-kvm", NULL,
                         NULL, CONF_DOMAIN_VIRT_KVM, NULL,
                         VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_DOMCAPS_FULL("error/machine", "11.1.3", "this-host", NULL,
                         "pc-q35-99.0", CONF_DOMAIN_VIRT_NONE, NULL,
                         VIR_ERR_INVALID_ARG);
    DO_TEST_DOMCAPS_FULL("error/machine-none", "11.1.3", "this-host", NULL,
                         "none", CONF_DOMAIN_VIRT_NONE, NULL,
                         VIR_ERR_INVALID_ARG);
    DO_TEST_DOMCAPS_FULL("error/arch", "11.1.3", "this-host", NULL, NULL,
                         CONF_DOMAIN_VIRT_NONE, NULL, VIR_ERR_INVALID_ARG,
                         "aarch64");
    DO_TEST_DOMCAPS_FULL("alias", "11.1.3", "this-host", NULL, "q35",
                         CONF_DOMAIN_VIRT_KVM, NULL, 0, "x86_64");
    g_test_add_func("/domcaps/cpu", testDomCapsCPU);
    g_test_add_data_func("/domcaps/matrix", NULL, testMatrix);
    vgmTestAddUnusedCheck("capabilities");
    vgmTestAddUnusedCheck("domcaps");
    ret = g_test_run();
    for (i = 0; i < G_N_ELEMENTS(testQemuCache); i++)
        g_clear_pointer(&testQemuCache[i], drvQemuCapsFree);
    return ret;
}
