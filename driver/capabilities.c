/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "conf/xml.h"
#include "driver/capabilities.h"

/*
 * <capabilities> as libvirt prints it, limited to what we know for
 * sure: no CPU model or NUMA topology (nothing probes them), the page
 * sizes, the IOMMU, migration over tcp and unix, no security driver.
 * The guest lists the machine types of the QEMU binary (our default,
 * q35, first, then by name with numbers in order; "none" is left out,
 * it runs no guest) and the domain types: qemu always, kvm when the
 * host can create a KVM VM.  The CPU vendor is the KVM module's.
 */

/**
 * drvCapabilitiesHostKVM:
 * @host: the probed host
 *
 * Returns: true when /dev/kvm opens and KVM_CREATE_VM works, i.e. a
 * <domain type='kvm'> can run.
 */
bool
drvCapabilitiesHostKVM(const drvHostCaps *host)
{
    return host->kvmDevice && host->kvmOpen.state == DRV_HOST_STEP_OK &&
           host->vmCreate.state == DRV_HOST_STEP_OK;
}

/* The CPU vendor, as far as the loaded KVM module tells it. */
static const char *
drvCapabilitiesVendor(const drvHostCaps *host)
{
    if (g_strcmp0(host->kvmModule, "kvm_amd") == 0)
        return "AMD";
    if (g_strcmp0(host->kvmModule, "kvm_intel") == 0)
        return "Intel";
    return NULL;
}

static void
drvCapabilitiesFormatCPU(confBuf *buf, const drvHostCaps *host)
{
    g_auto(confBuf) children = { NULL, 0 };
    const char *vendor = drvCapabilitiesVendor(host);
    size_t i;

    confBufInitChild(&children, buf);
    confBufEscape(&children, "<arch>%s</arch>\n",
                  host->arch ? host->arch : "x86_64");
    if (vendor)
        confBufAdd(&children, "<vendor>%s</vendor>\n", vendor);
    if (g_strcmp0(host->arch, "x86_64") == 0)
        confBufAdd(&children, "<pages unit='KiB' size='4'/>\n");
    for (i = 0; i < host->nhugepages; i++) {
        confBufAdd(&children, "<pages unit='KiB' size='%llu'/>\n",
                   host->hugepages[i].sizeKiB);
    }
    confXMLFormatElement(buf, "cpu", NULL, &children);
}

static void
drvCapabilitiesFormatMigration(confBuf *buf)
{
    g_auto(confBuf) children = { NULL, 0 };
    g_auto(confBuf) transports = { NULL, 0 };

    confBufInitChild(&children, buf);
    confBufInitChild(&transports, &children);
    confBufAdd(&children, "<live/>\n");
    confBufAdd(&transports, "<uri_transport>tcp</uri_transport>\n");
    confBufAdd(&transports, "<uri_transport>unix</uri_transport>\n");
    confXMLFormatElement(&children, "uri_transports", NULL, &transports);
    confXMLFormatElement(buf, "migration_features", NULL, &children);
}

static void
drvCapabilitiesFormatHost(confBuf *buf, const char *hostUUID,
                          const drvHostCaps *host)
{
    g_auto(confBuf) children = { NULL, 0 };
    g_auto(confBuf) secmodel = { NULL, 0 };

    confBufInitChild(&children, buf);
    confBufInitChild(&secmodel, &children);
    if (hostUUID)
        confBufEscape(&children, "<uuid>%s</uuid>\n", hostUUID);
    drvCapabilitiesFormatCPU(&children, host);
    confBufAdd(&children, "<iommu support='%s'/>\n",
               host->iommuGroups > 0 ? "yes" : "no");
    drvCapabilitiesFormatMigration(&children);
    confBufAdd(&secmodel, "<model>none</model>\n");
    confBufAdd(&secmodel, "<doi>0</doi>\n");
    confXMLFormatElement(&children, "secmodel", NULL, &secmodel);
    confXMLFormatElement(buf, "host", NULL, &children);
}

/*
 * A machine, then its alias as <machine canonical='...'>; both with
 * maxCpus (query-machines cpu-max) and deprecated='yes' where QEMU says.
 */
static void
drvCapabilitiesFormatMachine(confBuf *buf, const drvQemuCapsMachine *m)
{
    g_autofree char *name = confXMLEscape(m->name);
    g_autofree char *alias = NULL;
    g_autoptr(GString) attrs = g_string_new(NULL);

    if (m->maxCpus > 0)
        g_string_append_printf(attrs, " maxCpus='%u'", m->maxCpus);
    if (m->deprecated)
        g_string_append(attrs, " deprecated='yes'");
    confBufAdd(buf, "<machine%s>%s</machine>\n", attrs->str, name);
    if (m->alias) {
        alias = confXMLEscape(m->alias);
        confBufAdd(buf, "<machine canonical='%s'%s>%s</machine>\n", name,
                   attrs->str, alias);
    }
}

/* Like strcmp, but runs of digits compare as numbers: 5.2 < 10.0. */
static int
drvCapabilitiesNaturalCompare(const char *a, const char *b)
{
    while (*a && *b) {
        if (g_ascii_isdigit(*a) && g_ascii_isdigit(*b)) {
            char *endA = NULL;
            char *endB = NULL;
            guint64 na = g_ascii_strtoull(a, &endA, 10);
            guint64 nb = g_ascii_strtoull(b, &endB, 10);

            if (na != nb)
                return na < nb ? -1 : 1;
            a = endA;
            b = endB;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static gint
drvCapabilitiesMachineCompare(gconstpointer a, gconstpointer b)
{
    const drvQemuCapsMachine *const *ma = a;
    const drvQemuCapsMachine *const *mb = b;

    return drvCapabilitiesNaturalCompare((*ma)->name, (*mb)->name);
}

/* Our default machine first, then the others by name, without "none". */
static void
drvCapabilitiesFormatMachines(confBuf *buf, const drvQemuCaps *qemu)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    const char *def = drvQemuCapsGetDefaultMachine(qemu);
    const drvQemuCapsMachine *machines;
    size_t n;
    size_t i;

    machines = drvQemuCapsGetMachines(qemu, &n);
    for (i = 0; i < n; i++) {
        if (g_strcmp0(machines[i].name, def) == 0)
            drvCapabilitiesFormatMachine(buf, &machines[i]);
        else if (strcmp(machines[i].name, "none") != 0)
            g_ptr_array_add(sorted, (gpointer)&machines[i]);
    }
    g_ptr_array_sort(sorted, drvCapabilitiesMachineCompare);
    for (i = 0; i < sorted->len; i++)
        drvCapabilitiesFormatMachine(buf, sorted->pdata[i]);
}

static void
drvCapabilitiesFormatArch(confBuf *buf, const drvHostCaps *host,
                          const drvQemuCaps *qemu)
{
    g_auto(confBuf) attrs = { NULL, 0 };
    g_auto(confBuf) children = { NULL, 0 };

    confBufInit(&attrs);
    confBufInitChild(&children, buf);
    confBufAdd(&attrs, " name='x86_64'");
    confBufAdd(&children, "<wordsize>64</wordsize>\n");
    confBufEscape(&children, "<emulator>%s</emulator>\n",
                  drvQemuCapsGetBinary(qemu));
    drvCapabilitiesFormatMachines(&children, qemu);
    confBufAdd(&children, "<domain type='%s'/>\n",
               confDomainVirtToString(CONF_DOMAIN_VIRT_QEMU));
    if (drvCapabilitiesHostKVM(host)) {
        confBufAdd(&children, "<domain type='%s'/>\n",
                   confDomainVirtToString(CONF_DOMAIN_VIRT_KVM));
    }
    confXMLFormatElement(buf, "arch", &attrs, &children);
}

static void
drvCapabilitiesFormatGuest(confBuf *buf, const drvHostCaps *host,
                           const drvQemuCaps *qemu)
{
    g_auto(confBuf) children = { NULL, 0 };
    g_auto(confBuf) features = { NULL, 0 };

    confBufInitChild(&children, buf);
    confBufInitChild(&features, &children);
    confBufAdd(&children, "<os_type>hvm</os_type>\n");
    drvCapabilitiesFormatArch(&children, host, qemu);
    confBufAdd(&features, "<acpi default='on' toggle='yes'/>\n");
    confBufAdd(&features, "<apic default='on' toggle='no'/>\n");
    confBufAdd(&features, "<cpuselection/>\n");
    confXMLFormatElement(&children, "features", NULL, &features);
    confXMLFormatElement(buf, "guest", NULL, &children);
}

/**
 * drvCapabilitiesFormat:
 * @hostUUID: the host UUID the daemon reports (NULL: no <uuid>)
 * @host: the probed host
 * @qemu: the QEMU binary guests run in (NULL: no <guest>)
 *
 * Returns: the <capabilities> document, blank lines between its
 * sections as libvirt prints them.
 */
char *
drvCapabilitiesFormat(const char *hostUUID, const drvHostCaps *host,
                      const drvQemuCaps *qemu)
{
    g_auto(confBuf) buf = { NULL, 0 };

    confBufInit(&buf);
    confBufAdd(&buf, "<capabilities>\n\n");
    confBufAdjustIndent(&buf, 2);
    drvCapabilitiesFormatHost(&buf, hostUUID, host);
    if (qemu) {
        g_string_append_c(buf.str, '\n');
        drvCapabilitiesFormatGuest(&buf, host, qemu);
    }
    confBufAdjustIndent(&buf, -2);
    confBufAdd(&buf, "\n</capabilities>\n");
    return confBufSteal(&buf);
}
