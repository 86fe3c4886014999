/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/cpu.h"
#include "conf/memory.h"
#include "conf/launchsec.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The machine the guest sees: pflash firmware, -machine, -accel, -cpu,
 * -bios, -smp, -rtc and the timers, -boot and direct kernel boot.
 */

static bool
drvMachineIsKVM(const drvCommandCtx *ctx)
{
    return ctx->def->virtType == CONF_DOMAIN_VIRT_KVM;
}

static int
drvValidateAccel(const drvCommandCtx *ctx, GError **error)
{
    const drvHostCaps *host = ctx->host;

    if (!drvMachineIsKVM(ctx) || !host)
        return 0;
    if (!host->kvmDevice || host->kvmOpen.state != DRV_HOST_STEP_OK) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("domain type 'kvm' needs /dev/kvm, which this host does not offer"));
        return -1;
    }
    return 0;
}

static int
drvValidateCPU(const drvCommandCtx *ctx, GError **error)
{
    const confDomainCPUDef *cpu = ctx->def->cpu;
    g_autofree char *ver = NULL;

    if (!cpu)
        return 0;
    if (cpu->mode == CONF_CPU_MODE_HOST_PASSTHROUGH ||
        cpu->mode == CONF_CPU_MODE_HOST_MODEL) {
        if (drvMachineIsKVM(ctx))
            return 0;
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU mode '%1$s' needs domain type 'kvm'"),
                    confCPUModeToString(cpu->mode));
        return -1;
    }
    if (cpu->mode != CONF_CPU_MODE_CUSTOM || !cpu->model ||
        drvQemuCapsHasCPUModel(ctx->caps, cpu->model))
        return 0;
    ver = drvCommandQemuVersion(ctx->caps);
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("CPU model '%1$s' is not known to QEMU %2$s (%3$s)"),
                cpu->model, ver, drvQemuCapsGetBinary(ctx->caps));
    return -1;
}

static int
drvValidateTimers(const drvCommandCtx *ctx, GError **error)
{
    const confDomainClock *clock = &ctx->def->clock;
    size_t i;

    for (i = 0; i < clock->ntimers; i++) {
        const confDomainTimer *t = &clock->timers[i];

        switch (t->name) {
        case CONF_DOMAIN_TIMER_RTC:
        case CONF_DOMAIN_TIMER_PIT:
        case CONF_DOMAIN_TIMER_HPET:
        case CONF_DOMAIN_TIMER_KVMCLOCK:
            continue;
        case CONF_DOMAIN_TIMER_TSC:
            if (t->present != VGM_TRISTATE_BOOL_NO)
                continue;
            break;
        default:
            break;
        }
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("timer '%1$s' at '/domain/clock/timer[%2$zu]' is not supported"),
                    confDomainTimerNameToString(t->name), i + 1);
        return -1;
    }
    return 0;
}

static int
drvValidateFirmware(const drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;

    if (def->os.firmware != CONF_DOMAIN_FIRMWARE_NONE &&
        !(def->os.loader && def->os.loader->path)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware '%1$s' needs a path in '/domain/os/loader': firmware auto-selection is not supported"),
                    confDomainFirmwareToString(def->os.firmware));
        return -1;
    }
    if (def->os.bootDevs[0] == CONF_DOMAIN_BOOT_FLOPPY && def->os.nBootDevs) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("boot device 'fd' is not supported: there are no floppy drives"));
        return -1;
    }
    return 0;
}

/**
 * drvValidateMachine:
 * @ctx: the build context
 * @error: return location for a GError
 *
 * The machine type, accelerator, CPU, timers and firmware this QEMU and
 * host must offer.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvValidateMachine(const drvCommandCtx *ctx, GError **error)
{
    const char *machine = ctx->def->os.machine;
    g_autofree char *ver = NULL;

    if (!drvQemuCapsCanonicalMachine(ctx->caps, machine)) {
        ver = drvCommandQemuVersion(ctx->caps);
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("machine type '%1$s' is not known to QEMU %2$s (%3$s)"),
                    machine, ver, drvQemuCapsGetBinary(ctx->caps));
        return -1;
    }
    if (drvCommandRequireCap(ctx, DRV_QEMU_CAPS_MACHINE_MEMORY_BACKEND,
                             _("the machine's memory backend"), error) < 0 ||
        drvValidateAccel(ctx, error) < 0 ||
        drvValidateCPU(ctx, error) < 0 ||
        drvValidateTimers(ctx, error) < 0 ||
        drvValidateFirmware(ctx, error) < 0)
        return -1;
    return 0;
}

static const char *
drvImageFormat(confDomainImageFormat format)
{
    return format == CONF_DOMAIN_IMAGE_FORMAT_QCOW2 ? "qcow2" : "raw";
}

static void
drvBuildPflash(drvCommand *cmd, unsigned int unit, const char *path,
               confDomainImageFormat format, bool readonly)
{
    g_autofree char *storage = g_strdup_printf("libvirt-pflash%u-storage",
                                               unit);
    g_autofree char *fmt = g_strdup_printf("libvirt-pflash%u-format", unit);
    g_autoptr(qapiJSON) file = NULL;
    g_autoptr(qapiJSON) top = NULL;

    g_assert(qapiJSONObjectAdd(&file, NULL, "s:driver", "file",
                               "s:filename", path, "s:node-name", storage,
                               "b:auto-read-only", true,
                               "s:discard", "unmap", NULL) == 0);
    g_assert(qapiJSONObjectAdd(&top, NULL, "s:node-name", fmt,
                               "b:read-only", readonly,
                               "s:driver", drvImageFormat(format),
                               "s:file", storage, NULL) == 0);
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_BLOCKDEV, &file);
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_BLOCKDEV, &top);
}

static bool
drvHasPflash(const confDomainDef *def)
{
    return def->os.loader && def->os.loader->path &&
           def->os.loader->type == CONF_DOMAIN_LOADER_TYPE_PFLASH;
}

static bool
drvHasNvram(const confDomainDef *def)
{
    return drvHasPflash(def) && def->os.nvram && def->os.nvram->path;
}

static void
drvBuildPflashes(drvCommand *cmd, const confDomainDef *def)
{
    const confDomainLoaderDef *loader = def->os.loader;

    if (!drvHasPflash(def))
        return;
    drvBuildPflash(cmd, 0, loader->path, loader->format,
                   loader->readonly != VGM_TRISTATE_BOOL_NO);
    if (drvHasNvram(def))
        drvBuildPflash(cmd, 1, def->os.nvram->path, def->os.nvram->format,
                       false);
}

static const char *
drvMachineIrqchip(const drvCommandCtx *ctx)
{
    const confLaunchSecurity *sec = ctx->def->launchSecurity;

    if (ctx->def->features.ioapic == CONF_DOMAIN_IOAPIC_QEMU ||
        (sec && sec->type == CONF_LAUNCH_SECURITY_TDX))
        return "split";
    if (ctx->def->features.ioapic == CONF_DOMAIN_IOAPIC_KVM)
        return "on";
    return NULL;
}

static bool
drvMachineHpetOff(const confDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        if (def->clock.timers[i].name == CONF_DOMAIN_TIMER_HPET &&
            def->clock.timers[i].present == VGM_TRISTATE_BOOL_NO)
            return true;
    }
    return false;
}

static void
drvMachineAddSwitch(GString *buf, const char *name, vgmTristateSwitch sw)
{
    if (sw != VGM_TRISTATE_SWITCH_ABSENT)
        g_string_append_printf(buf, ",%s=%s", name,
                               vgmTristateSwitchToString(sw));
}

static vgmTristateSwitch
drvMachineSMM(const drvCommandCtx *ctx)
{
    const confLaunchSecurity *sec = ctx->def->launchSecurity;

    /* TDX and SEV-SNP guests have no SMM; say so rather than rely on QEMU */
    if (ctx->def->features.smm == VGM_TRISTATE_SWITCH_ABSENT && sec &&
        (sec->type == CONF_LAUNCH_SECURITY_TDX ||
         sec->type == CONF_LAUNCH_SECURITY_SEV_SNP))
        return VGM_TRISTATE_SWITCH_OFF;
    return ctx->def->features.smm;
}

/**
 * drvBuildMachineCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * The pflash -blockdev pairs, then -machine with the canonical type.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildMachineCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error)
{
    const confDomainDef *def = ctx->def;
    const char *irqchip = drvMachineIrqchip(ctx);
    g_autoptr(GString) buf = g_string_new(
        drvQemuCapsCanonicalMachine(ctx->caps, def->os.machine));

    drvBuildPflashes(cmd, def);
    g_string_append(buf, ",usb=off");
    drvMachineAddSwitch(buf, "vmport", def->features.vmport);
    drvMachineAddSwitch(buf, "smm", drvMachineSMM(ctx));
    g_string_append(buf, ",dump-guest-core=off");
    if (def->memoryBacking && def->memoryBacking->nosharepages)
        g_string_append(buf, ",mem-merge=off");
    if (irqchip)
        g_string_append_printf(buf, ",kernel_irqchip=%s", irqchip);
    g_string_append(buf, ",memory-backend=" DRV_COMMAND_RAM_ID);
    if (def->launchSecurity)
        g_string_append(buf, ",confidential-guest-support=" DRV_COMMAND_LSEC_ID);
    if (drvHasPflash(def))
        g_string_append(buf, ",pflash0=libvirt-pflash0-format");
    if (drvHasNvram(def))
        g_string_append(buf, ",pflash1=libvirt-pflash1-format");
    if (drvMachineHpetOff(def))
        g_string_append(buf, ",hpet=off");
    g_string_append_printf(buf, ",acpi=%s",
                           def->features.acpi == VGM_TRISTATE_SWITCH_ON ?
                           "on" : "off");
    drvCommandAddArgPair(cmd, "-machine", buf->str);
    return 0;
}

/**
 * drvBuildAccelCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -accel kvm for domain type 'kvm', tcg for 'qemu'.
 *
 * Returns: 0.
 */
int
drvBuildAccelCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    drvCommandAddArgPair(cmd, "-accel", drvMachineIsKVM(ctx) ? "kvm" : "tcg");
    return 0;
}

static const char *
drvCPUModel(const confDomainCPUDef *cpu)
{
    if (!cpu)
        return "qemu64";
    switch (cpu->mode) {
    case CONF_CPU_MODE_HOST_MODEL:
    case CONF_CPU_MODE_HOST_PASSTHROUGH:
        return "host";
    case CONF_CPU_MODE_MAXIMUM:
        return "max";
    case CONF_CPU_MODE_CUSTOM:
    case CONF_CPU_MODE_LAST:
    default:
        return cpu->model ? cpu->model : "qemu64";
    }
}

static bool
drvKvmclockOff(const confDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        if (def->clock.timers[i].name == CONF_DOMAIN_TIMER_KVMCLOCK &&
            def->clock.timers[i].present == VGM_TRISTATE_BOOL_NO)
            return true;
    }
    return false;
}

/**
 * drvBuildCPUCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -cpu MODEL with each feature as NAME=on|off, then -bios for a ROM
 * loader.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildCPUCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDomainCPUDef *cpu = ctx->def->cpu;
    g_autoptr(GString) buf = g_string_new(drvCPUModel(cpu));
    size_t i;

    for (i = 0; cpu && i < cpu->nfeatures; i++) {
        confCPUFeaturePolicy policy = cpu->features[i].policy;
        bool off = policy == CONF_CPU_FEATURE_DISABLE ||
                   policy == CONF_CPU_FEATURE_FORBID;

        g_string_append_c(buf, ',');
        drvCommandBufEscapeComma(buf, cpu->features[i].name);
        g_string_append(buf, off ? "=off" : "=on");
    }
    if (cpu && cpu->mode == CONF_CPU_MODE_HOST_PASSTHROUGH &&
        cpu->migratable == VGM_TRISTATE_SWITCH_OFF)
        g_string_append(buf, ",migratable=off");
    if (drvKvmclockOff(ctx->def))
        g_string_append(buf, ",kvmclock=off");
    drvCommandAddArgPair(cmd, "-cpu", buf->str);
    return 0;
}

/**
 * drvBuildFirmwareCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -bios for a ROM loader (pflash is a -machine property).
 *
 * Returns: 0.
 */
int
drvBuildFirmwareCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                            GError **error)
{
    const confDomainLoaderDef *loader = ctx->def->os.loader;

    if (loader && loader->path && !drvHasPflash(ctx->def))
        drvCommandAddArgPair(cmd, "-bios", loader->path);
    return 0;
}

/**
 * drvBuildSMPCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -smp with the topology; sockets=N,cores=1,threads=1 without one.
 *
 * Returns: 0.
 */
int
drvBuildSMPCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;
    const confDomainCPUDef *cpu = def->cpu;
    g_autoptr(GString) buf = g_string_new(NULL);

    if (def->vcpusCurrent && def->vcpusCurrent != def->vcpus)
        g_string_append_printf(buf, "%u,maxcpus=%u", def->vcpusCurrent,
                               def->vcpus);
    else
        g_string_append_printf(buf, "%u", def->vcpus);
    if (cpu && cpu->haveTopology) {
        g_string_append_printf(buf, ",sockets=%u,dies=%u,clusters=%u",
                               cpu->sockets, MAX(cpu->dies, 1),
                               MAX(cpu->clusters, 1));
        g_string_append_printf(buf, ",cores=%u,threads=%u", cpu->cores,
                               cpu->threads);
    } else {
        g_string_append_printf(buf, ",sockets=%u,cores=1,threads=1",
                               def->vcpus);
    }
    drvCommandAddArgPair(cmd, "-smp", buf->str);
    return 0;
}

static const confDomainTimer *
drvFindTimer(const confDomainDef *def, confDomainTimerName name)
{
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        if (def->clock.timers[i].name == name)
            return &def->clock.timers[i];
    }
    return NULL;
}

/**
 * drvBuildClockCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -rtc base=utc|localtime (driftfix=slew for tickpolicy catchup) and the
 * PIT's lost tick policy.
 *
 * Returns: 0.
 */
int
drvBuildClockCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;
    const confDomainTimer *rtc = drvFindTimer(def, CONF_DOMAIN_TIMER_RTC);
    const confDomainTimer *pit = drvFindTimer(def, CONF_DOMAIN_TIMER_PIT);
    g_autoptr(GString) buf = g_string_new("base=");

    g_string_append(buf, def->clock.offset == CONF_DOMAIN_CLOCK_OFFSET_LOCALTIME ?
                    "localtime" : "utc");
    if (rtc && rtc->tickpolicy == CONF_DOMAIN_TICKPOLICY_CATCHUP)
        g_string_append(buf, ",driftfix=slew");
    drvCommandAddArgPair(cmd, "-rtc", buf->str);
    if (pit && drvMachineIsKVM(ctx) &&
        (pit->tickpolicy == CONF_DOMAIN_TICKPOLICY_DELAY ||
         pit->tickpolicy == CONF_DOMAIN_TICKPOLICY_DISCARD)) {
        drvCommandAddArg(cmd, "-global");
        drvCommandAddArgFormat(cmd, "kvm-pit.lost_tick_policy=%s",
                               confDomainTickPolicyToString(pit->tickpolicy));
    }
    return 0;
}

/**
 * drvBuildBootCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -boot (the boot order itself is bootindex on the devices), then direct
 * kernel boot.
 *
 * Returns: 0.
 */
int
drvBuildBootCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;

    if (def->os.bootmenu == VGM_TRISTATE_BOOL_YES &&
        def->os.haveBootmenuTimeout) {
        drvCommandAddArg(cmd, "-boot");
        drvCommandAddArgFormat(cmd, "menu=on,splash-time=%u,strict=on",
                               def->os.bootmenuTimeout);
    } else if (def->os.bootmenu == VGM_TRISTATE_BOOL_YES)
        drvCommandAddArgPair(cmd, "-boot", "menu=on,strict=on");
    else
        drvCommandAddArgPair(cmd, "-boot", "strict=on");
    if (def->os.kernel)
        drvCommandAddArgPair(cmd, "-kernel", def->os.kernel);
    if (def->os.initrd)
        drvCommandAddArgPair(cmd, "-initrd", def->os.initrd);
    if (def->os.cmdline)
        drvCommandAddArgPair(cmd, "-append", def->os.cmdline);
    return 0;
}
