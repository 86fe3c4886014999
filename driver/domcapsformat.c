/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf/disk.h"
#include "conf/hostdev.h"
#include "conf/misc.h"
#include "conf/xml.h"
#include "driver/domcaps.h"

/*
 * <domainCapabilities> as libvirt prints it: an element per feature with
 * supported='yes|no' and <enum name='...'> lists of the accepted values
 * (an empty list prints as <enum name='...'/>), spelled by the conf/
 * enum tables the domain XML parser uses.  Then our namespaced
 * <virtgmem:guestMemfd>, documented in docs/formatdomaincaps.md.
 */

#define NS DRV_DOMCAPS_NAMESPACE_PREFIX ":"

static const char *
drvDomCapsYesNo(bool value)
{
    return value ? "yes" : "no";
}

/* <enum name='@name'> with the non-NULL strings of @values. */
static void
drvDomCapsFormatEnum(confBuf *buf, const char *name,
                     const char *const *values, size_t n)
{
    g_auto(confBuf) attrs = { NULL, 0 };
    g_auto(confBuf) children = { NULL, 0 };
    size_t i;

    confBufInit(&attrs);
    confBufInitChild(&children, buf);
    confBufAdd(&attrs, " name='%s'", name);
    for (i = 0; i < n; i++) {
        if (values[i])
            confBufEscape(&children, "<value>%s</value>\n", values[i]);
    }
    confXMLFormatElement(buf, "enum", &attrs, &children);
}

/* <enum name='@name'> with @toString's values @first to @last - 1. */
static void
drvDomCapsFormatEnumRange(confBuf *buf, const char *name,
                          vgmEnumToStringFunc toString, int first, int last)
{
    g_autofree const char **values = g_new0(const char *, last - first + 1);
    int i;

    for (i = first; i < last; i++)
        values[i - first] = toString(i);
    drvDomCapsFormatEnum(buf, name, values, last - first);
}

#define DRV_DOMCAPS_ENUM(buf, name, ...) \
    do { \
        const char *const values_[] = { __VA_ARGS__ }; \
        drvDomCapsFormatEnum(buf, name, values_, G_N_ELEMENTS(values_)); \
    } while (0)

/* <@name supported='yes|no'> around @children (emptied). */
static void
drvDomCapsFormatSupported(confBuf *buf, const char *name, bool supported,
                          confBuf *children)
{
    g_auto(confBuf) attrs = { NULL, 0 };

    confBufInit(&attrs);
    confBufAdd(&attrs, " supported='%s'", drvDomCapsYesNo(supported));
    confXMLFormatElement(buf, name, &attrs, supported ? children : NULL);
    if (children && children->str)
        g_string_truncate(children->str, 0);
}

static void
drvDomCapsFormatOS(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) os = { NULL, 0 };
    g_auto(confBuf) loader = { NULL, 0 };

    confBufInitChild(&os, buf);
    confBufInitChild(&loader, &os);
    DRV_DOMCAPS_ENUM(&os, "firmware", "bios",
                     caps->firmwareEfi ? "efi" : NULL);
    DRV_DOMCAPS_ENUM(&loader, "type", "rom", "pflash");
    DRV_DOMCAPS_ENUM(&loader, "readonly", "yes", "no");
    DRV_DOMCAPS_ENUM(&loader, "secure", caps->secureBoot ? "yes" : NULL, "no");
    drvDomCapsFormatSupported(&os, "loader", true, &loader);
    drvDomCapsFormatSupported(buf, "os", true, &os);
}

static void
drvDomCapsFormatCPUMode(confBuf *buf, const drvDomCaps *caps,
                        confCPUMode mode)
{
    confBufAdd(buf, "<mode name='%s' supported='%s'/>\n",
               confCPUModeToString(mode), drvDomCapsYesNo(caps->cpuModes[mode]));
}

/*
 * <mode name='custom'> with a <model> per CPU model.  Neither whether
 * the model runs here nor its vendor is known; libvirt's schema wants
 * a vendor, and 'unknown' is what libvirt prints when it has none.
 */
static void
drvDomCapsFormatCPUCustom(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) attrs = { NULL, 0 };
    g_auto(confBuf) models = { NULL, 0 };
    size_t i;

    confBufInit(&attrs);
    confBufInitChild(&models, buf);
    confBufAdd(&attrs, " name='%s' supported='%s'",
               confCPUModeToString(CONF_CPU_MODE_CUSTOM),
               drvDomCapsYesNo(caps->cpuModes[CONF_CPU_MODE_CUSTOM]));
    for (i = 0; caps->cpuModels && caps->cpuModels[i]; i++) {
        confBufEscape(&models,
                      "<model usable='unknown' vendor='unknown'>%s</model>\n",
                      caps->cpuModels[i]);
    }
    confXMLFormatElement(buf, "mode", &attrs, &models);
}

static void
drvDomCapsFormatCPU(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };

    confBufInitChild(&children, buf);
    drvDomCapsFormatCPUMode(&children, caps, CONF_CPU_MODE_HOST_PASSTHROUGH);
    drvDomCapsFormatCPUMode(&children, caps, CONF_CPU_MODE_MAXIMUM);
    drvDomCapsFormatCPUMode(&children, caps, CONF_CPU_MODE_HOST_MODEL);
    drvDomCapsFormatCPUCustom(&children, caps);
    confXMLFormatElement(buf, "cpu", NULL, &children);
}

static void
drvDomCapsFormatMemoryBacking(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };
    const char *values[CONF_MEMORY_SOURCE_LAST] = { NULL };
    int i;

    confBufInitChild(&children, buf);
    for (i = CONF_MEMORY_SOURCE_NONE + 1; i < CONF_MEMORY_SOURCE_LAST; i++) {
        if (caps->memorySource[i])
            values[i] = confMemorySourceToString(i);
    }
    drvDomCapsFormatEnum(&children, "sourceType", values, G_N_ELEMENTS(values));
    drvDomCapsFormatSupported(buf, "memoryBacking", true, &children);
}

static void
drvDomCapsFormatDisk(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };

    confBufInitChild(&children, buf);
    drvDomCapsFormatEnumRange(&children, "diskDevice", confDiskDeviceToString,
                              0, CONF_DISK_DEVICE_LAST);
    drvDomCapsFormatEnumRange(&children, "bus", confDiskBusToString,
                              caps->diskIde ? CONF_DISK_BUS_IDE :
                                              CONF_DISK_BUS_IDE + 1,
                              CONF_DISK_BUS_LAST);
    drvDomCapsFormatSupported(buf, "disk", true, &children);
}

static void
drvDomCapsFormatHostdev(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };
    bool vfio = caps->hostdevVfio;
    bool iommufd = caps->hostdevIommufd;

    confBufInitChild(&children, buf);
    drvDomCapsFormatEnumRange(&children, "mode", confHostdevModeToString, 0,
                              CONF_HOSTDEV_MODE_LAST);
    DRV_DOMCAPS_ENUM(&children, "startupPolicy", NULL);
    drvDomCapsFormatEnumRange(&children, "subsysType", confHostdevTypeToString,
                              0, CONF_HOSTDEV_TYPE_LAST);
    DRV_DOMCAPS_ENUM(&children, "capsType", NULL);
    DRV_DOMCAPS_ENUM(&children, "pciBackend",
                     vfio ? confHostdevDriverToString(CONF_HOSTDEV_DRIVER_DEFAULT) : NULL,
                     vfio ? confHostdevDriverToString(CONF_HOSTDEV_DRIVER_VFIO) : NULL);
    DRV_DOMCAPS_ENUM(&children, "iommufd", iommufd ? "yes" : NULL,
                     iommufd ? "no" : NULL);
    drvDomCapsFormatSupported(buf, "hostdev", caps->hostdev, &children);
}

static void
drvDomCapsFormatDevices(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };
    g_auto(confBuf) dev = { NULL, 0 };

    confBufInitChild(&children, buf);
    confBufInitChild(&dev, &children);
    drvDomCapsFormatDisk(&children, caps);
    drvDomCapsFormatSupported(&children, "graphics", false, NULL);
    DRV_DOMCAPS_ENUM(&dev, "modelType", confVideoModelToString(CONF_VIDEO_VGA),
                     confVideoModelToString(CONF_VIDEO_VIRTIO),
                     confVideoModelToString(CONF_VIDEO_NONE));
    drvDomCapsFormatSupported(&children, "video", true, &dev);
    drvDomCapsFormatHostdev(&children, caps);
    DRV_DOMCAPS_ENUM(&dev, "model", "virtio");
    drvDomCapsFormatEnumRange(&dev, "backendModel", confRNGBackendToString, 0,
                              CONF_RNG_BACKEND_LAST);
    drvDomCapsFormatSupported(&children, "rng", true, &dev);
    confXMLFormatElement(buf, "devices", NULL, &children);
}

static void
drvDomCapsFormatSev(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };
    const drvDomCapsSevInfo *info = &caps->sevInfo;

    confBufInitChild(&children, buf);
    if (caps->sevInfoKnown) {
        confBufAdd(&children, "<cbitpos>%u</cbitpos>\n", info->cbitpos);
        confBufAdd(&children, "<reducedPhysBits>%u</reducedPhysBits>\n",
                   info->reducedPhysBits);
        confBufAdd(&children, "<maxGuests>%u</maxGuests>\n", info->maxGuests);
        confBufAdd(&children, "<maxESGuests>%u</maxESGuests>\n",
                   info->maxESGuests);
    }
    drvDomCapsFormatSupported(buf, "sev",
                              caps->launchSecurity[CONF_LAUNCH_SECURITY_SEV],
                              &children);
}

static void
drvDomCapsFormatFeatures(confBuf *buf, const drvDomCaps *caps)
{
    g_auto(confBuf) children = { NULL, 0 };
    g_auto(confBuf) sectypes = { NULL, 0 };
    const char *values[CONF_LAUNCH_SECURITY_LAST] = { NULL };
    bool any = false;
    int i;

    confBufInitChild(&children, buf);
    confBufInitChild(&sectypes, &children);
    drvDomCapsFormatSupported(&children, "tdx",
                              caps->launchSecurity[CONF_LAUNCH_SECURITY_TDX],
                              NULL);
    drvDomCapsFormatSev(&children, caps);
    for (i = CONF_LAUNCH_SECURITY_NONE + 1; i < CONF_LAUNCH_SECURITY_LAST; i++) {
        if (caps->launchSecurity[i]) {
            values[i] = confLaunchSecurityToString(i);
            any = true;
        }
    }
    drvDomCapsFormatEnum(&sectypes, "sectype", values, G_N_ELEMENTS(values));
    drvDomCapsFormatSupported(&children, "launchSecurity", any, &sectypes);
    confXMLFormatElement(buf, "features", NULL, &children);
}

/* <virtgmem:@name supported='yes|no'/> */
static void
drvDomCapsFormatNSFlag(confBuf *buf, const char *name, bool supported)
{
    confBufAdd(buf, "<" NS "%s supported='%s'/>\n", name,
               drvDomCapsYesNo(supported));
}

static void
drvDomCapsFormatGmemKvm(confBuf *buf, const drvDomCapsGmem *gmem)
{
    confBufAdd(buf, "<" NS "kvm supported='%s'>\n",
               drvDomCapsYesNo(gmem->kvm));
    confBufAdjustIndent(buf, 2);
    confBufAdd(buf, "<" NS "flag name='mmap' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->mmap));
    confBufAdd(buf, "<" NS "flag name='init-shared' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->initShared));
    drvDomCapsFormatNSFlag(buf, "privateMemory", gmem->privateMemory);
    confBufAdjustIndent(buf, -2);
    confBufAdd(buf, "</" NS "kvm>\n");
}

static void
drvDomCapsFormatGmemBackends(confBuf *buf, const drvDomCapsGmem *gmem)
{
    confBufAdd(buf, "<" NS "backend object='memory-backend-guest-memfd' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->backend[DRV_DOMCAPS_GMEM_BACKEND_GUEST_MEMFD]));
    confBufAdd(buf, "<" NS "backend object='memory-backend-memfd' "
               "property='guest-memfd' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->backend[DRV_DOMCAPS_GMEM_BACKEND_MEMFD]));
}

static void
drvDomCapsFormatGmemTracking(confBuf *buf, const drvDomCapsGmem *gmem)
{
    bool supported = gmem->traceConvert && gmem->traceAttributes &&
                     gmem->traceSetState;

    confBufAdd(buf, "<" NS "conversionTracking supported='%s'>\n",
               drvDomCapsYesNo(supported));
    confBufAdjustIndent(buf, 2);
    confBufAdd(buf, "<" NS "traceEvent name='kvm_convert_memory' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->traceConvert));
    confBufAdd(buf, "<" NS "traceEvent name='ram_block_attributes_state_change' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->traceAttributes));
    confBufAdjustIndent(buf, -2);
    confBufAdd(buf, "</" NS "conversionTracking>\n");
}

static void
drvDomCapsFormatGmemPostcopy(confBuf *buf, const drvDomCapsGmem *gmem)
{
    confBufAdd(buf, "<" NS "postcopy supported='%s'>\n",
               drvDomCapsYesNo(gmem->postcopyQemu && gmem->postcopyHost));
    confBufAdjustIndent(buf, 2);
    confBufAdd(buf, "<" NS "migrationCapability name='postcopy-ram' supported='%s'/>\n",
               drvDomCapsYesNo(gmem->postcopyQemu));
    drvDomCapsFormatNSFlag(buf, "userfaultfd", gmem->postcopyHost);
    confBufAdjustIndent(buf, -2);
    confBufAdd(buf, "</" NS "postcopy>\n");
}

static void
drvDomCapsFormatGmem(confBuf *buf, const drvDomCaps *caps)
{
    const drvDomCapsGmem *gmem = &caps->gmem;
    bool supported = caps->memorySource[CONF_MEMORY_SOURCE_GUEST_MEMFD];

    confBufAdd(buf, "<" NS "guestMemfd xmlns:" DRV_DOMCAPS_NAMESPACE_PREFIX
               "='" DRV_DOMCAPS_NAMESPACE "' supported='%s'>\n",
               drvDomCapsYesNo(supported));
    confBufAdjustIndent(buf, 2);
    drvDomCapsFormatGmemKvm(buf, gmem);
    drvDomCapsFormatGmemBackends(buf, gmem);
    drvDomCapsFormatNSFlag(buf, "convertInPlace", gmem->convertInPlace);
    drvDomCapsFormatGmemTracking(buf, gmem);
    drvDomCapsFormatNSFlag(buf, "sharedDeviceAssignment",
                           gmem->sharedDeviceAssignment);
    drvDomCapsFormatGmemPostcopy(buf, gmem);
    confBufAdjustIndent(buf, -2);
    confBufAdd(buf, "</" NS "guestMemfd>\n");
}

/**
 * drvDomCapsFormat:
 * @caps: the decisions of drvDomCapsNew()
 *
 * Returns: the <domainCapabilities> document.
 */
char *
drvDomCapsFormat(const drvDomCaps *caps)
{
    g_auto(confBuf) buf = { NULL, 0 };

    confBufInit(&buf);
    confBufAdd(&buf, "<domainCapabilities>\n");
    confBufAdjustIndent(&buf, 2);
    confBufEscape(&buf, "<path>%s</path>\n", caps->path);
    confBufAdd(&buf, "<domain>%s</domain>\n",
               confDomainVirtToString(caps->virttype));
    confBufEscape(&buf, "<machine>%s</machine>\n", caps->machine);
    confBufEscape(&buf, "<arch>%s</arch>\n", caps->arch);
    if (caps->maxVcpus > 0)
        confBufAdd(&buf, "<vcpu max='%u'/>\n", caps->maxVcpus);
    confBufAdd(&buf, "<iothreads supported='%s'/>\n",
               drvDomCapsYesNo(caps->iothreads));
    drvDomCapsFormatOS(&buf, caps);
    drvDomCapsFormatCPU(&buf, caps);
    drvDomCapsFormatMemoryBacking(&buf, caps);
    drvDomCapsFormatDevices(&buf, caps);
    drvDomCapsFormatFeatures(&buf, caps);
    drvDomCapsFormatGmem(&buf, caps);
    confBufAdjustIndent(&buf, -2);
    confBufAdd(&buf, "</domainCapabilities>\n");
    return confBufSteal(&buf);
}
