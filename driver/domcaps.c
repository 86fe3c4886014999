/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "driver/capabilities.h"
#include "driver/domcaps.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The decisions behind <domainCapabilities>.  Each value needs both
 * sides: what the QEMU binary has (flags decided from its schema and
 * QOM, driver/qemucaps.c) and what the host offers (driver/host.c).
 * Everything guest_memfd, SEV and TDX also needs <domain type='kvm'>.
 * The formatter is driver/domcapsformat.c.
 */

/**
 * drvDomCapsFree:
 * @caps: (nullable): decisions of drvDomCapsNew()
 *
 * Free @caps; NULL is a no-op.
 */
void
drvDomCapsFree(drvDomCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->path);
    g_free(caps->arch);
    g_free(caps->machine);
    g_strfreev(caps->cpuModels);
    g_free(caps);
}

static int
drvDomCapsCheckRequest(const drvDomCapsRequest *req, const char **arch,
                       const char **machine, GError **error)
{
    const char *binary = drvQemuCapsGetBinary(req->qemu);
    const char *name = req->machine;

    *arch = req->arch ? req->arch : "x86_64";
    if (strcmp(*arch, "x86_64") != 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("emulator '%1$s' does not support architecture '%2$s'"), binary, *arch);
        return -1;
    }
    if (!name)
        name = drvQemuCapsGetDefaultMachine(req->qemu);
    *machine = drvQemuCapsCanonicalMachine(req->qemu, name);
    if (!*machine || strcmp(*machine, "none") == 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("emulator '%1$s' does not support machine type '%2$s'"), binary,
                    name ? name : "");
        return -1;
    }
    return 0;
}

static int
drvDomCapsVirtType(const drvDomCapsRequest *req, confDomainVirtType *virttype,
                   GError **error)
{
    bool kvm = drvCapabilitiesHostKVM(req->host);

    *virttype = req->virttype;
    if (*virttype == CONF_DOMAIN_VIRT_NONE)
        *virttype = kvm ? CONF_DOMAIN_VIRT_KVM : CONF_DOMAIN_VIRT_QEMU;
    if (*virttype == CONF_DOMAIN_VIRT_KVM && !kvm) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("virtualization type '%1$s' is not available: KVM does not work on this host"),
                    confDomainVirtToString(*virttype));
        return -1;
    }
    return 0;
}

static bool
drvDomCapsIsPC(const char *machine)
{
    return g_str_has_prefix(machine, "pc-i440fx-") ||
           strcmp(machine, "isapc") == 0;
}

/*
 * The CPU modes, and the models of custom mode: every model QEMU lists
 * but "host" and "max", which are modes of their own (host-passthrough,
 * maximum).  Whether a model runs on this host is not probed: each is
 * printed usable='unknown'.
 */
static void
drvDomCapsFillCPU(drvDomCaps *caps, const drvDomCapsRequest *req)
{
    const drvQemuCaps *qemu = req->qemu;
    g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func(g_free);
    const char *const *names;
    size_t n;
    size_t i;

    caps->cpuModes[CONF_CPU_MODE_HOST_PASSTHROUGH] =
        caps->virttype == CONF_DOMAIN_VIRT_KVM;
    caps->cpuModes[CONF_CPU_MODE_HOST_MODEL] = false;
    caps->cpuModes[CONF_CPU_MODE_MAXIMUM] = drvQemuCapsHasCPUModel(qemu, "max");
    caps->cpuModes[CONF_CPU_MODE_CUSTOM] = drvQemuCapsHasCPUModel(qemu, "qemu64");
    names = drvQemuCapsGetCPUModels(qemu, &n);
    for (i = 0; caps->cpuModes[CONF_CPU_MODE_CUSTOM] && i < n; i++) {
        if (strcmp(names[i], "host") != 0 && strcmp(names[i], "max") != 0)
            g_ptr_array_add(models, g_strdup(names[i]));
    }
    g_ptr_array_add(models, NULL);
    caps->cpuModels = (char **)g_ptr_array_free(g_steal_pointer(&models),
                                                FALSE);
}

static void
drvDomCapsFillBasics(drvDomCaps *caps, const drvDomCapsRequest *req)
{
    const drvQemuCaps *qemu = req->qemu;
    bool *src = caps->memorySource;

    caps->iothreads = false;
    caps->firmwareEfi = true;
    caps->secureBoot = g_str_has_prefix(caps->machine, "pc-q35-");
    caps->diskIde = drvDomCapsIsPC(caps->machine);
    src[CONF_MEMORY_SOURCE_FILE] = true;
    src[CONF_MEMORY_SOURCE_ANONYMOUS] = true;
    src[CONF_MEMORY_SOURCE_MEMFD] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD);
    src[CONF_MEMORY_SOURCE_GUEST_MEMFD] = caps->gmem.kvm &&
        caps->gmem.mmap && caps->gmem.initShared &&
        (caps->gmem.backend[DRV_DOMCAPS_GMEM_BACKEND_GUEST_MEMFD] ||
         caps->gmem.backend[DRV_DOMCAPS_GMEM_BACKEND_MEMFD]);
}

static void
drvDomCapsFillHostdev(drvDomCaps *caps, const drvDomCapsRequest *req)
{
    const drvQemuCaps *qemu = req->qemu;

    caps->hostdev = drvQemuCapsHas(qemu, DRV_QEMU_CAPS_VFIO_PCI);
    caps->hostdevVfio = caps->hostdev &&
        (req->host->vfioDevice || req->host->iommufdDevice);
    caps->hostdevIommufd = caps->hostdev &&
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_IOMMUFD) &&
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_VFIO_PCI_IOMMUFD);
}

/* SEV (and SEV-ES) on the host: /dev/sev and kvm_amd sev=Y or the VM type. */
static bool
drvDomCapsHostSev(const drvHostCaps *host)
{
    return host->sevDevice &&
           (drvHostCapsHasVMType(host, DRV_HOST_VM_TYPE_SEV) ||
            host->sevParam == VGM_TRISTATE_BOOL_YES);
}

static void
drvDomCapsFillLaunchSecurity(drvDomCaps *caps, const drvDomCapsRequest *req)
{
    const drvHostCaps *host = req->host;
    const drvQemuCaps *qemu = req->qemu;
    bool *ls = caps->launchSecurity;

    if (caps->virttype != CONF_DOMAIN_VIRT_KVM)
        return;
    ls[CONF_LAUNCH_SECURITY_SEV] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_SEV_GUEST) && drvDomCapsHostSev(host);
    ls[CONF_LAUNCH_SECURITY_SEV_SNP] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_SEV_SNP_GUEST) && host->sevDevice &&
        drvHostCapsHasVMType(host, DRV_HOST_VM_TYPE_SNP);
    ls[CONF_LAUNCH_SECURITY_TDX] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_TDX_GUEST) &&
        drvHostCapsHasVMType(host, DRV_HOST_VM_TYPE_TDX);
    if (ls[CONF_LAUNCH_SECURITY_SEV] && req->sev) {
        caps->sevInfoKnown = true;
        caps->sevInfo = *req->sev;
    }
}

/* KVM's guest_memfd: the capability, and the probe's own create + mmap. */
static bool
drvDomCapsHostGmem(const drvHostCaps *host)
{
    return drvHostCapsKvmCap(host, DRV_HOST_KVM_CAP_GUEST_MEMFD) > 0 &&
           host->gmemCreate.state == DRV_HOST_STEP_OK &&
           host->gmemMmap.state != DRV_HOST_STEP_FAILED &&
           host->gmemAccess.state != DRV_HOST_STEP_FAILED;
}

static void
drvDomCapsFillGmem(drvDomCaps *caps, const drvDomCapsRequest *req)
{
    const drvHostCaps *host = req->host;
    const drvQemuCaps *qemu = req->qemu;
    drvDomCapsGmem *gmem = &caps->gmem;
    long long flags = drvHostCapsKvmCap(host,
                                        DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS);

    gmem->kvm = caps->virttype == CONF_DOMAIN_VIRT_KVM &&
                drvDomCapsHostGmem(host);
    gmem->mmap = flags > 0 && (flags & DRV_HOST_GMEM_FLAG_MMAP);
    gmem->initShared = flags > 0 && (flags & DRV_HOST_GMEM_FLAG_INIT_SHARED);
    gmem->privateMemory = drvHostCapsPrivateMemory(host);
    gmem->backend[DRV_DOMCAPS_GMEM_BACKEND_GUEST_MEMFD] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD);
    gmem->backend[DRV_DOMCAPS_GMEM_BACKEND_MEMFD] =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD);
    gmem->convertInPlace =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE);
    gmem->traceConvert =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_TRACE_KVM_CONVERT_MEMORY);
    gmem->traceAttributes = drvQemuCapsHas(
        qemu, DRV_QEMU_CAPS_TRACE_RAM_BLOCK_ATTRIBUTES_STATE_CHANGE);
    gmem->traceSetState =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_TRACE_EVENT_SET_STATE);
    gmem->sharedDeviceAssignment =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_RAM_BLOCK_ATTRIBUTES);
    gmem->postcopyQemu =
        drvQemuCapsHas(qemu, DRV_QEMU_CAPS_MIGRATE_POSTCOPY_RAM);
    gmem->postcopyHost = host->uffdGmemMissing.state == DRV_HOST_STEP_OK;
}

/**
 * drvDomCapsNew:
 * @req: the emulator (probed), the host (probed), arch, machine, type
 * @error: return location for an error
 *
 * Decide what a domain of @req's kind can use.
 *
 * Returns: the decisions, or NULL with @error set when the arch or
 * machine is not one of the emulator's or the domain type cannot run
 * here.
 */
drvDomCaps *
drvDomCapsNew(const drvDomCapsRequest *req, GError **error)
{
    g_autoptr(drvDomCaps) caps = g_new0(drvDomCaps, 1);
    const char *arch;
    const char *machine;

    if (drvDomCapsCheckRequest(req, &arch, &machine, error) < 0 ||
        drvDomCapsVirtType(req, &caps->virttype, error) < 0)
        return NULL;
    caps->path = g_strdup(drvQemuCapsGetBinary(req->qemu));
    caps->arch = g_strdup(arch);
    caps->machine = g_strdup(machine);
    caps->maxVcpus = drvQemuCapsGetMachineMaxCpus(req->qemu, machine);
    /* first: the guest-memfd source type follows from it */
    drvDomCapsFillGmem(caps, req);
    drvDomCapsFillBasics(caps, req);
    drvDomCapsFillCPU(caps, req);
    drvDomCapsFillHostdev(caps, req);
    drvDomCapsFillLaunchSecurity(caps, req);
    return g_steal_pointer(&caps);
}

/**
 * drvDomCapsGetXML:
 * @req: as for drvDomCapsNew()
 * @error: return location for an error
 *
 * What virConnectGetDomainCapabilities() returns.
 *
 * Returns: the <domainCapabilities> document, or NULL with @error set.
 */
char *
drvDomCapsGetXML(const drvDomCapsRequest *req, GError **error)
{
    g_autoptr(drvDomCaps) caps = drvDomCapsNew(req, error);

    if (!caps)
        return NULL;
    return drvDomCapsFormat(caps);
}
