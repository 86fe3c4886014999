/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/values.h"
#include "driver/command.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The QEMU command line: the drvCommand object, libvirt's option order
 * (libvirt-xml.md §5), the simple options, the environment and the
 * shell-quoted form used by golden files and domxml-to-native.
 */

#define DRV_COMMAND_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"
#define DRV_COMMAND_SANDBOX \
    "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

static drvCommand *
drvCommandNew(const char *binary)
{
    drvCommand *cmd = g_new0(drvCommand, 1);

    cmd->binary = g_strdup(binary);
    cmd->env = g_ptr_array_new_null_terminated(8, g_free, TRUE);
    cmd->args = g_ptr_array_new_null_terminated(64, g_free, TRUE);
    cmd->passFDs = g_array_new(FALSE, FALSE, sizeof(int));
    cmd->props = g_ptr_array_new_with_free_func((GDestroyNotify)qapiJSONFree);
    cmd->propsKinds = g_array_new(FALSE, FALSE, sizeof(drvCommandPropsKind));
    cmd->files = g_ptr_array_new_null_terminated(2, g_free, TRUE);
    cmd->warnings = g_ptr_array_new_null_terminated(1, g_free, TRUE);
    return cmd;
}

/**
 * drvCommandFree:
 * @cmd: (nullable): a command
 *
 * Frees @cmd; it does not close the descriptors it lists.
 */
void
drvCommandFree(drvCommand *cmd)
{
    if (!cmd)
        return;
    g_free(cmd->binary);
    g_ptr_array_unref(cmd->env);
    g_ptr_array_unref(cmd->args);
    g_array_unref(cmd->passFDs);
    g_ptr_array_unref(cmd->props);
    g_array_unref(cmd->propsKinds);
    g_ptr_array_unref(cmd->files);
    g_ptr_array_unref(cmd->warnings);
    g_free(cmd);
}

/**
 * drvCommandAddArg:
 * @cmd: the command
 * @arg: one argument, copied
 *
 * Appends @arg to argv.
 */
void
drvCommandAddArg(drvCommand *cmd, const char *arg)
{
    g_ptr_array_add(cmd->args, g_strdup(arg));
}

/**
 * drvCommandAddArgFormat:
 * @cmd: the command
 * @fmt: a printf format
 *
 * Appends one formatted argument.
 */
void
drvCommandAddArgFormat(drvCommand *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(cmd->args, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/**
 * drvCommandAddArgPair:
 * @cmd: the command
 * @opt: an option ("-machine")
 * @val: its value
 *
 * Appends @opt and @val.
 */
void
drvCommandAddArgPair(drvCommand *cmd, const char *opt, const char *val)
{
    drvCommandAddArg(cmd, opt);
    drvCommandAddArg(cmd, val);
}

static const char *const drvCommandPropsOptions[] = {
    [DRV_COMMAND_PROPS_OBJECT] = "-object",
    [DRV_COMMAND_PROPS_DEVICE] = "-device",
    [DRV_COMMAND_PROPS_BLOCKDEV] = "-blockdev",
    [DRV_COMMAND_PROPS_NETDEV] = "-netdev",
};

/**
 * drvCommandAddProps:
 * @cmd: the command
 * @kind: -object, -device, -blockdev or -netdev
 * @props: the JSON props, taken
 *
 * Appends the option and @props as compact JSON, and keeps @props for
 * the schema checks of the tests.
 */
void
drvCommandAddProps(drvCommand *cmd, drvCommandPropsKind kind,
                   qapiJSON **props)
{
    drvCommandAddArg(cmd, drvCommandPropsOptions[kind]);
    g_ptr_array_add(cmd->args, qapiJSONFormat(*props, false));
    g_ptr_array_add(cmd->props, g_steal_pointer(props));
    g_array_append_val(cmd->propsKinds, kind);
}

/**
 * drvCommandAddWarning:
 * @cmd: the command
 * @fmt: a printf format (translated)
 *
 * Records something the user should know that does not stop the start.
 */
void
drvCommandAddWarning(drvCommand *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(cmd->warnings, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/**
 * drvCommandAddFile:
 * @cmd: the command
 * @path: an absolute path
 * @data: its content
 *
 * Records a file to write before QEMU starts (SEV session blobs).
 */
void
drvCommandAddFile(drvCommand *cmd, const char *path, const char *data)
{
    g_ptr_array_add(cmd->files, g_strdup(path));
    g_ptr_array_add(cmd->files, g_strdup(data));
}

/**
 * drvCommandOpenFD:
 * @cmd: the command
 * @ctx: the build context
 * @kind: what the descriptor stands for
 * @what: the bridge, host address or path (for the opener and messages)
 * @error: return location for a GError
 *
 * Asks the configured opener for a descriptor and records it as one QEMU
 * inherits.
 *
 * Returns: the descriptor number, or -1 with @error set.
 */
int
drvCommandOpenFD(drvCommand *cmd, const drvCommandCtx *ctx,
                 drvCommandFDKind kind, const char *what, GError **error)
{
    int fd;

    if (!ctx->config->openFD) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("no way to open the file descriptor for '%1$s'"),
                    what);
        return -1;
    }
    fd = ctx->config->openFD(kind, what, ctx->config->opaque, error);
    if (fd < 0)
        return -1;
    g_array_append_val(cmd->passFDs, fd);
    return fd;
}

/**
 * drvCommandBufEscapeComma:
 * @buf: a buffer
 * @str: a QemuOpts value
 *
 * Appends @str with every ',' doubled.
 */
void
drvCommandBufEscapeComma(GString *buf, const char *str)
{
    for (; *str; str++) {
        if (*str == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *str);
    }
}

/**
 * drvCommandQemuVersion:
 * @caps: a QEMU's capabilities
 *
 * Returns: its version as "MAJOR.MINOR.MICRO", for messages.
 */
char *
drvCommandQemuVersion(const drvQemuCaps *caps)
{
    unsigned int v = drvQemuCapsGetVersion(caps);

    return g_strdup_printf("%u.%u.%u", v / 1000000, v / 1000 % 1000,
                           v % 1000);
}

/**
 * drvCommandRequireCap:
 * @ctx: the build context
 * @flag: a capability
 * @what: what needs it, for the message
 * @error: return location for a GError
 *
 * Returns: 0 when the QEMU has @flag, else -1 with
 * VIR_ERR_CONFIG_UNSUPPORTED naming @flag, the version and the binary.
 */
int
drvCommandRequireCap(const drvCommandCtx *ctx, drvQemuCapsFlag flag,
                     const char *what, GError **error)
{
    g_autofree char *ver = NULL;

    if (drvQemuCapsHas(ctx->caps, flag))
        return 0;
    ver = drvCommandQemuVersion(ctx->caps);
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("%1$s needs the QEMU capability '%2$s', which QEMU %3$s (%4$s) does not have"),
                what, drvQemuCapsFlagToString(flag), ver,
                drvQemuCapsGetBinary(ctx->caps));
    return -1;
}

/**
 * drvCommandRequireSchema:
 * @ctx: the build context
 * @path: a QAPI schema path
 * @what: what needs it, for the message
 * @error: return location for a GError
 *
 * Returns: 0 when the QEMU's schema has @path, else -1 with
 * VIR_ERR_CONFIG_UNSUPPORTED naming it, the version and the binary.
 */
int
drvCommandRequireSchema(const drvCommandCtx *ctx, const char *path,
                        const char *what, GError **error)
{
    g_autofree char *ver = NULL;

    if (drvQemuCapsSchemaHas(ctx->caps, path))
        return 0;
    ver = drvCommandQemuVersion(ctx->caps);
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("%1$s needs '%2$s' in the QEMU schema, which QEMU %3$s (%4$s) does not have"),
                what, path, ver, drvQemuCapsGetBinary(ctx->caps));
    return -1;
}

/**
 * drvCommandDomainShortName:
 * @def: a domain
 *
 * Returns: "ID-NAME" with at most 20 bytes of the name (cut at a
 * character boundary), like libvirt's private directory names.
 */
char *
drvCommandDomainShortName(const confDomainDef *def)
{
    const char *end = def->name;

    while (*end && end - def->name < 20)
        end = g_utf8_next_char(end);
    if (end - def->name > 20)
        end = g_utf8_prev_char(end);
    return g_strdup_printf("%d-%.*s", def->id, (int)(end - def->name),
                           def->name);
}

static void
drvCommandBuildEnv(drvCommand *cmd, const drvCommandConfig *config)
{
    const char *path = config->path ? config->path : DRV_COMMAND_DEFAULT_PATH;

    g_ptr_array_add(cmd->env, g_strdup("LC_ALL=C"));
    g_ptr_array_add(cmd->env, g_strdup_printf("PATH=%s", path));
    g_ptr_array_add(cmd->env, g_strdup_printf("HOME=%s", config->libDir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_DATA_HOME=%s/.local/share",
                                              config->libDir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CACHE_HOME=%s/.cache",
                                              config->libDir));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CONFIG_HOME=%s/.config",
                                              config->libDir));
}

static void
drvBuildNameCommandLine(drvCommand *cmd, const confDomainDef *def)
{
    g_autoptr(GString) buf = g_string_new("guest=");

    drvCommandBufEscapeComma(buf, def->name);
    g_string_append(buf, ",debug-threads=on");
    drvCommandAddArgPair(cmd, "-name", buf->str);
    drvCommandAddArg(cmd, "-S");
}

static void
drvBuildUUIDCommandLine(drvCommand *cmd, const confDomainDef *def)
{
    char uuid[37];

    confUUIDFormat(def->uuid, uuid);
    drvCommandAddArgPair(cmd, "-uuid", uuid);
    drvCommandAddArgPair(cmd, "-display", "none");
    drvCommandAddArg(cmd, "-no-user-config");
    drvCommandAddArg(cmd, "-nodefaults");
}

static int
drvBuildMonitorCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error)
{
    int fd = drvCommandOpenFD(cmd, ctx, DRV_COMMAND_FD_MONITOR, "monitor",
                              error);

    if (fd < 0)
        return -1;
    drvCommandAddArg(cmd, "-chardev");
    drvCommandAddArgFormat(cmd, "socket,id=charmonitor,fd=%d,server=on,wait=off",
                           fd);
    drvCommandAddArgPair(cmd, "-mon", "chardev=charmonitor,id=monitor,mode=control");
    return 0;
}

static void
drvBuildTrailerCommandLine(drvCommand *cmd, const drvCommandConfig *config)
{
    if (!(config->flags & DRV_COMMAND_NO_SANDBOX))
        drvCommandAddArgPair(cmd, "-sandbox", DRV_COMMAND_SANDBOX);
    drvCommandAddArgPair(cmd, "-msg", "timestamp=on");
    if (config->logFile)
        drvCommandAddArgPair(cmd, "-D", config->logFile);
}

typedef int (*drvCommandBuildFunc)(drvCommand *cmd, drvCommandCtx *ctx,
                                   GError **error);

/* Everything from the controllers to the launch-security object. */
static const drvCommandBuildFunc drvCommandDeviceBuilders[] = {
    drvBuildControllersCommandLine,
    drvBuildDisksCommandLine,
    drvBuildNetsCommandLine,
    drvBuildSerialsCommandLine,
    drvBuildInputsCommandLine,
    drvBuildVideosCommandLine,
    drvBuildWatchdogsCommandLine,
    drvBuildHostdevsCommandLine,
    drvBuildBalloonCommandLine,
    drvBuildRNGsCommandLine,
    drvBuildLaunchSecurityCommandLine,
};

static int
drvCommandValidate(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    if (drvValidateMachine(ctx, error) < 0 ||
        drvValidateMemory(ctx, error) < 0 ||
        drvValidateLaunchSecurity(ctx, error) < 0 ||
        drvValidateHostdevs(cmd, ctx, error) < 0)
        return -1;
    return 0;
}

static int
drvCommandBuildAll(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    size_t i;

    drvBuildNameCommandLine(cmd, ctx->def);
    if (drvBuildMachineCommandLine(cmd, ctx, error) < 0 ||
        drvBuildAccelCommandLine(cmd, ctx, error) < 0 ||
        drvBuildCPUCommandLine(cmd, ctx, error) < 0 ||
        drvBuildFirmwareCommandLine(cmd, ctx, error) < 0 ||
        drvBuildMemoryCommandLine(cmd, ctx, error) < 0 ||
        drvBuildSMPCommandLine(cmd, ctx, error) < 0)
        return -1;
    drvBuildUUIDCommandLine(cmd, ctx->def);
    if (drvBuildMonitorCommandLine(cmd, ctx, error) < 0 ||
        drvBuildClockCommandLine(cmd, ctx, error) < 0)
        return -1;
    drvCommandAddArg(cmd, "-no-shutdown");
    if (drvBuildBootCommandLine(cmd, ctx, error) < 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(drvCommandDeviceBuilders); i++) {
        if (drvCommandDeviceBuilders[i](cmd, ctx, error) < 0)
            return -1;
    }
    drvBuildTrailerCommandLine(cmd, ctx->config);
    return 0;
}

/**
 * drvBuildCommandLine:
 * @def: a validated domain; device aliases that are not set are assigned
 * @caps: the capabilities of the QEMU binary that will run it
 * @host: (nullable): the host's capabilities; NULL skips host checks
 * @config: paths and the descriptor opener
 * @error: return location for a GError
 *
 * Checks everything this QEMU and host must offer, then builds the
 * command line in libvirt's order.  Nothing is started and, on error,
 * nothing is opened except through @config's opener.
 *
 * Returns: (transfer full): the command, or NULL with @error set
 * (VIR_ERR_CONFIG_UNSUPPORTED for what this QEMU or host cannot do).
 */
drvCommand *
drvBuildCommandLine(confDomainDef *def, const drvQemuCaps *caps,
                    const drvHostCaps *host, const drvCommandConfig *config,
                    GError **error)
{
    g_autoptr(drvCommand) cmd = drvCommandNew(def->devices.emulator);
    g_autofree char *shortName = drvCommandDomainShortName(def);
    drvCommandCtx ctx = { def, caps, host, config, shortName,
                          confDevicesIsQ35(def), false };

    drvCommandAssignAliases(def);
    if (drvCommandValidate(cmd, &ctx, error) < 0)
        return NULL;
    drvCommandBuildEnv(cmd, config);
    if (drvCommandBuildAll(cmd, &ctx, error) < 0)
        return NULL;
    return g_steal_pointer(&cmd);
}

/**
 * drvCommandGetBinary:
 * @cmd: a command
 *
 * Returns: the QEMU binary.
 */
const char *
drvCommandGetBinary(const drvCommand *cmd)
{
    return cmd->binary;
}

/**
 * drvCommandGetArgs:
 * @cmd: a command
 *
 * Returns: the arguments after the binary, NULL-terminated.
 */
const char *const *
drvCommandGetArgs(const drvCommand *cmd)
{
    return (const char *const *)cmd->args->pdata;
}

/**
 * drvCommandGetEnv:
 * @cmd: a command
 *
 * Returns: the whole environment QEMU gets, NULL-terminated.
 */
const char *const *
drvCommandGetEnv(const drvCommand *cmd)
{
    return (const char *const *)cmd->env->pdata;
}

/**
 * drvCommandGetPassFDs:
 * @cmd: a command
 * @n: set to the count
 *
 * Returns: the descriptors QEMU inherits (same numbers in QEMU).
 */
const int *
drvCommandGetPassFDs(const drvCommand *cmd, size_t *n)
{
    *n = cmd->passFDs->len;
    return (const int *)(void *)cmd->passFDs->data;
}

/**
 * drvCommandGetProps:
 * @cmd: a command
 * @kinds: set to the kind of each props
 * @n: set to the count
 *
 * Returns: every -object/-device/-blockdev/-netdev props in argv order.
 */
const qapiJSON *const *
drvCommandGetProps(const drvCommand *cmd, const drvCommandPropsKind **kinds,
                   size_t *n)
{
    *n = cmd->props->len;
    *kinds = (const drvCommandPropsKind *)(void *)cmd->propsKinds->data;
    return (const qapiJSON *const *)cmd->props->pdata;
}

/**
 * drvCommandGetFiles:
 * @cmd: a command
 *
 * Returns: path, content pairs to write before QEMU starts,
 * NULL-terminated.
 */
const char *const *
drvCommandGetFiles(const drvCommand *cmd)
{
    return (const char *const *)cmd->files->pdata;
}

/**
 * drvCommandGetWarnings:
 * @cmd: a command
 *
 * Returns: the warnings, NULL-terminated.
 */
const char *const *
drvCommandGetWarnings(const drvCommand *cmd)
{
    return (const char *const *)cmd->warnings->pdata;
}

/**
 * drvCommandShellQuote:
 * @arg: an argument
 *
 * Returns: @arg unchanged when it has only characters a POSIX shell
 * leaves alone, else in single quotes (a quote becomes '\'').
 */
char *
drvCommandShellQuote(const char *arg)
{
    const char *safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789_-+=.,:/@%";
    GString *buf;
    const char *p;

    if (*arg && strspn(arg, safe) == strlen(arg))
        return g_strdup(arg);
    buf = g_string_new("'");
    for (p = arg; *p; p++) {
        if (*p == '\'')
            g_string_append(buf, "'\\''");
        else
            g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '\'');
    return g_string_free(buf, FALSE);
}

static void
drvCommandAppendWord(GString *buf, const char *word, bool newline)
{
    g_autofree char *quoted = drvCommandShellQuote(word);

    if (buf->len)
        g_string_append(buf, newline ? " \\\n" : " ");
    g_string_append(buf, quoted);
}

/**
 * drvCommandToString:
 * @cmd: a command
 * @flags: drvCommandStringFlags
 *
 * Returns: the environment, the binary and the arguments, shell-quoted;
 * with DRV_COMMAND_STRING_LINES each option starts a line (an option's
 * value stays on its line) and the text ends with a newline.
 */
char *
drvCommandToString(const drvCommand *cmd, unsigned int flags)
{
    bool lines = flags & DRV_COMMAND_STRING_LINES;
    GString *buf = g_string_new(NULL);
    guint i;

    for (i = 0; i < cmd->env->len; i++)
        drvCommandAppendWord(buf, g_ptr_array_index(cmd->env, i), lines);
    drvCommandAppendWord(buf, cmd->binary, lines);
    for (i = 0; i < cmd->args->len; i++) {
        const char *arg = g_ptr_array_index(cmd->args, i);
        /* every option starts with '-'; a value never does */
        bool value = arg[0] != '-';

        drvCommandAppendWord(buf, arg, lines && !value);
    }
    if (lines)
        g_string_append_c(buf, '\n');
    return g_string_free(buf, FALSE);
}

#define DRV_COMMAND_NATIVE_STATE_DIR "/var/lib/virtgmem/qemu"

/* domxml-to-native opens nothing: descriptors are numbered from 3. */
static int
drvCommandFakeFD(drvCommandFDKind kind, const char *what, void *opaque,
                 GError **error)
{
    int *next = opaque;

    return (*next)++;
}

/**
 * drvDomainXMLToNativeCaps:
 * @xml: a domain definition
 * @format: "qemu-argv"
 * @caps: the capabilities of the QEMU the domain names
 * @stateDir: the driver's state directory (NULL: the system one)
 * @error: return location for a GError
 *
 * What virsh domxml-to-native prints: the environment and command line,
 * shell-quoted on one line, with the paths a start by the driver that
 * owns @stateDir would use (the domain's private directory and its QEMU
 * log inside it) and made-up descriptor numbers.  Host support is not
 * checked.
 *
 * Returns: (transfer full): the text, or NULL with @error set.
 */
char *
drvDomainXMLToNativeCaps(const char *xml, const char *format,
                         const drvQemuCaps *caps, const char *stateDir,
                         GError **error)
{
    confDomainParseOpts opts = { .machine = drvQemuCapsGetDefaultMachine(caps) };
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvCommand) cmd = NULL;
    g_autofree char *shortName = NULL;
    g_autofree char *libDir = NULL;
    g_autofree char *logFile = NULL;
    int nextFD = 3;
    drvCommandConfig config = { 0 };

    if (g_strcmp0(format, "qemu-argv") != 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported config type '%1$s': only 'qemu-argv'"),
                    format);
        return NULL;
    }
    if (!(def = confDomainDefParseString(xml, &opts, 0, error)))
        return NULL;
    shortName = drvCommandDomainShortName(def);
    libDir = g_strdup_printf("%s/domain-%s",
                             stateDir ? stateDir : DRV_COMMAND_NATIVE_STATE_DIR,
                             shortName);
    logFile = g_build_filename(libDir, "qemu.log", NULL);
    config = (drvCommandConfig) {
        libDir, logFile, DRV_COMMAND_NATIVE_STATE_DIR "/ram", "/dev/hugepages",
        NULL, drvCommandFakeFD, &nextFD, DRV_COMMAND_IOMMUFD_PASS_FDS,
    };
    if (!(cmd = drvBuildCommandLine(def, caps, NULL, &config, error)))
        return NULL;
    return drvCommandToString(cmd, 0);
}

/**
 * drvDomainXMLToNative:
 * @xml: a domain definition
 * @format: "qemu-argv"
 * @capsConfig: how to probe (or find in the cache) the domain's emulator
 * @error: return location for a GError
 *
 * drvDomainXMLToNativeCaps() for the emulator the XML names.
 *
 * Returns: (transfer full): the text, or NULL with @error set.
 */
char *
drvDomainXMLToNative(const char *xml, const char *format,
                     const drvQemuCapsConfig *capsConfig, GError **error)
{
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;

    if (!(def = confDomainDefParseString(xml, NULL, 0, error)))
        return NULL;
    if (!(caps = drvQemuCapsLookup(def->devices.emulator, capsConfig, NULL,
                                   error)))
        return NULL;
    return drvDomainXMLToNativeCaps(xml, format, caps, NULL, error);
}
