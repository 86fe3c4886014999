/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "conf/devices.h"
#include "conf/xml.h"
#include "util/enum.h"

/*
 * The domain model.  conf/domain.c owns the top level (name, uuid,
 * memory, vcpu, os, features, cpu, clock, lifecycle actions) and calls
 * into the element families: conf/memory.c (<memoryBacking>),
 * conf/launchsec.c (<launchSecurity>) and conf/devices.c (<devices>).
 */

typedef enum {
    CONF_DOMAIN_VIRT_NONE = 0,
    CONF_DOMAIN_VIRT_QEMU,
    CONF_DOMAIN_VIRT_KVM,

    CONF_DOMAIN_VIRT_LAST
} confDomainVirtType;
VGM_ENUM_DECL(confDomainVirt);

typedef struct confDomainDef confDomainDef;

typedef enum {
    CONF_DOMAIN_FIRMWARE_NONE = 0,
    CONF_DOMAIN_FIRMWARE_BIOS,
    CONF_DOMAIN_FIRMWARE_EFI,

    CONF_DOMAIN_FIRMWARE_LAST
} confDomainFirmware;
VGM_ENUM_DECL(confDomainFirmware);

typedef enum {
    CONF_DOMAIN_LOADER_TYPE_NONE = 0,
    CONF_DOMAIN_LOADER_TYPE_ROM,
    CONF_DOMAIN_LOADER_TYPE_PFLASH,

    CONF_DOMAIN_LOADER_TYPE_LAST
} confDomainLoaderType;
VGM_ENUM_DECL(confDomainLoaderType);

typedef enum {
    CONF_DOMAIN_IMAGE_FORMAT_NONE = 0,
    CONF_DOMAIN_IMAGE_FORMAT_RAW,
    CONF_DOMAIN_IMAGE_FORMAT_QCOW2,

    CONF_DOMAIN_IMAGE_FORMAT_LAST
} confDomainImageFormat;
VGM_ENUM_DECL(confDomainImageFormat);

typedef struct {
    char *path;
    vgmTristateBool readonly;
    vgmTristateBool secure;
    confDomainLoaderType type;
    vgmTristateBool stateless;
    confDomainImageFormat format;
} confDomainLoaderDef;

typedef struct {
    char *path;
    char *templatePath;
    confDomainImageFormat format;
} confDomainNvramDef;

typedef enum {
    CONF_DOMAIN_BOOT_FLOPPY = 0,
    CONF_DOMAIN_BOOT_CDROM,
    CONF_DOMAIN_BOOT_DISK,
    CONF_DOMAIN_BOOT_NET,

    CONF_DOMAIN_BOOT_LAST
} confDomainBootDev;
VGM_ENUM_DECL(confDomainBootDev);

typedef enum {
    CONF_DOMAIN_VCPU_PLACEMENT_DEFAULT = 0,
    CONF_DOMAIN_VCPU_PLACEMENT_STATIC,
    CONF_DOMAIN_VCPU_PLACEMENT_AUTO,

    CONF_DOMAIN_VCPU_PLACEMENT_LAST
} confDomainVcpuPlacement;
VGM_ENUM_DECL(confDomainVcpuPlacement);

typedef enum {
    CONF_DOMAIN_IOAPIC_NONE = 0,
    CONF_DOMAIN_IOAPIC_QEMU,
    CONF_DOMAIN_IOAPIC_KVM,

    CONF_DOMAIN_IOAPIC_LAST
} confDomainIOAPIC;
VGM_ENUM_DECL(confDomainIOAPIC);

/* <features>: ABSENT when the element is not there. */
typedef struct {
    vgmTristateSwitch acpi;
    vgmTristateSwitch apic;
    vgmTristateSwitch pae;
    vgmTristateSwitch vmport;
    vgmTristateSwitch smm;
    confDomainIOAPIC ioapic;
} confDomainFeatures;

typedef enum {
    CONF_DOMAIN_CLOCK_OFFSET_UTC = 0,
    CONF_DOMAIN_CLOCK_OFFSET_LOCALTIME,

    CONF_DOMAIN_CLOCK_OFFSET_LAST
} confDomainClockOffset;
VGM_ENUM_DECL(confDomainClockOffset);

typedef enum {
    CONF_DOMAIN_TIMER_PLATFORM = 0,
    CONF_DOMAIN_TIMER_PIT,
    CONF_DOMAIN_TIMER_RTC,
    CONF_DOMAIN_TIMER_HPET,
    CONF_DOMAIN_TIMER_TSC,
    CONF_DOMAIN_TIMER_KVMCLOCK,
    CONF_DOMAIN_TIMER_HYPERVCLOCK,

    CONF_DOMAIN_TIMER_LAST
} confDomainTimerName;
VGM_ENUM_DECL(confDomainTimerName);

typedef enum {
    CONF_DOMAIN_TICKPOLICY_NONE = 0,
    CONF_DOMAIN_TICKPOLICY_DELAY,
    CONF_DOMAIN_TICKPOLICY_CATCHUP,
    CONF_DOMAIN_TICKPOLICY_MERGE,
    CONF_DOMAIN_TICKPOLICY_DISCARD,

    CONF_DOMAIN_TICKPOLICY_LAST
} confDomainTickPolicy;
VGM_ENUM_DECL(confDomainTickPolicy);

typedef struct {
    confDomainTimerName name;
    vgmTristateBool present;
    confDomainTickPolicy tickpolicy;
} confDomainTimer;

typedef struct {
    bool present;                 /* <clock> given (post-parse sets it) */
    confDomainClockOffset offset;
    confDomainTimer *timers;
    size_t ntimers;
} confDomainClock;

typedef enum {
    CONF_DOMAIN_LIFECYCLE_DEFAULT = 0,
    CONF_DOMAIN_LIFECYCLE_DESTROY,
    CONF_DOMAIN_LIFECYCLE_RESTART,
    CONF_DOMAIN_LIFECYCLE_RENAME_RESTART,
    CONF_DOMAIN_LIFECYCLE_PRESERVE,

    CONF_DOMAIN_LIFECYCLE_LAST
} confDomainLifecycle;
VGM_ENUM_DECL(confDomainLifecycle);

/* on_crash: the same values plus the coredump ones. */
typedef enum {
    CONF_DOMAIN_CRASH_DEFAULT = 0,
    CONF_DOMAIN_CRASH_DESTROY,
    CONF_DOMAIN_CRASH_RESTART,
    CONF_DOMAIN_CRASH_RENAME_RESTART,
    CONF_DOMAIN_CRASH_PRESERVE,
    CONF_DOMAIN_CRASH_COREDUMP_DESTROY,
    CONF_DOMAIN_CRASH_COREDUMP_RESTART,

    CONF_DOMAIN_CRASH_LAST
} confDomainCrash;
VGM_ENUM_DECL(confDomainCrash);

typedef struct confDomainCPUDef confDomainCPUDef;  /* conf/cpu.h */

/* What post-parse fills in when the XML leaves it out. */
typedef struct {
    const char *arch;      /* NULL: the host's architecture */
    const char *emulator;  /* NULL: /usr/bin/qemu-system-ARCH */
    const char *machine;   /* NULL: "pc" */
    size_t maxBytes;       /* 0: CONF_XML_MAX_BYTES */
} confDomainParseOpts;

typedef enum {
    /* Accept live-only data (id, device aliases): status files. */
    CONF_DOMAIN_PARSE_STATUS = 1 << 0,
    /* Skip post-parse defaults and validation (tests of the parser). */
    CONF_DOMAIN_PARSE_NO_POSTPARSE = 1 << 1,
} confDomainParseFlags;

/*
 * The fields every family may read.  The rest of the struct is
 * conf/domain.c's business.
 */
struct confDomainDef {
    confDomainVirtType virtType;
    int id;                       /* -1 when inactive */
    char *name;
    unsigned char uuid[16];

    struct {
        char *type;               /* "hvm" */
        char *arch;
        char *machine;
        /* conf/os.c */
        confDomainFirmware firmware;
        confDomainLoaderDef *loader;
        confDomainNvramDef *nvram;
        char *kernel;
        char *initrd;
        char *cmdline;
        confDomainBootDev bootDevs[CONF_DOMAIN_BOOT_LAST];
        size_t nBootDevs;
        vgmTristateBool bootmenu;
        bool haveBootmenuTimeout;
        unsigned int bootmenuTimeout;
    } os;

    vgmTristateBool iommufd;      /* <iommufd enabled=''/> */
    struct confMemoryBacking *memoryBacking;    /* conf/memory.h */
    struct confLaunchSecurity *launchSecurity;  /* conf/launchsec.h */

    confDevices devices;          /* conf/devices.h */

    /* Owned by conf/domain.c and the files it splits into. */
    char *title;
    char *description;
    xmlDocPtr metadata;           /* a copy of <metadata>, or NULL */
    unsigned long long memory;    /* KiB */
    unsigned long long currentMemory;
    unsigned long long maxMemory; /* 0: no <maxMemory> */
    unsigned int maxMemorySlots;
    unsigned int vcpus;
    unsigned int vcpusCurrent;    /* 0: as many as vcpus */
    confDomainVcpuPlacement vcpuPlacement;
    confDomainFeatures features;  /* conf/os.c */
    confDomainCPUDef *cpu;        /* conf/cpu.c */
    confDomainClock clock;        /* conf/os.c */
    confDomainLifecycle onPoweroff;
    confDomainLifecycle onReboot;
    confDomainCrash onCrash;
    bool deviceBoot;              /* some device has <boot order=''/> */
};

confDomainDef *confDomainDefNew(void);
void confDomainDefFree(confDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confDomainDef, confDomainDefFree)

confDomainDef *confDomainDefParseString(const char *xml,
                                        const confDomainParseOpts *opts,
                                        unsigned int flags, GError **error);
confDomainDef *confDomainDefParseFile(const char *path,
                                      const confDomainParseOpts *opts,
                                      unsigned int flags, GError **error);
/* @flags: virDomainXMLFlags (VIR_DOMAIN_XML_INACTIVE, _SECURE, ...) */
char *confDomainDefFormat(const confDomainDef *def, unsigned int flags);
/* Checks that need no QEMU; run by the parser unless NO_POSTPARSE. */
int confDomainDefValidate(const confDomainDef *def, GError **error);
