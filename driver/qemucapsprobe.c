/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stddef.h>
#include <string.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "qapi/monitor.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The QMP conversation of a capability probe.  The sequence of commands
 * is fixed (a table), so recorded replies can be replayed in tests.  A
 * step marked optional treats an error reply (DeviceNotFound, an unknown
 * trace event, ...) as "absent"; a dead or silent monitor always fails
 * the probe.
 */

typedef struct drvQemuCapsProbeCtx drvQemuCapsProbeCtx;

typedef int (*drvQemuCapsStepFunc)(drvQemuCapsProbeCtx *pc,
                                   const char *arg,
                                   const qapiJSON *reply,
                                   GError **error);

typedef struct {
    const char *command;
    const char *args;       /* JSON text, or NULL */
    drvQemuCapsStepFunc handle;
    const char *arg;        /* passed to @handle */
    bool optional;
} drvQemuCapsStep;

struct drvQemuCapsProbeCtx {
    drvQemuCaps *caps;
    qapiMonitor *mon;
    gint64 deadline;        /* monotonic, microseconds */
    char *monitorError;     /* why the monitor failed, or NULL */
    const char *command;    /* the step running */
};

static int drvQemuCapsStepVersion(drvQemuCapsProbeCtx *pc, const char *arg,
                                  const qapiJSON *reply, GError **error);
static int drvQemuCapsStepKVM(drvQemuCapsProbeCtx *pc, const char *arg,
                              const qapiJSON *reply, GError **error);
static int drvQemuCapsStepSchema(drvQemuCapsProbeCtx *pc, const char *arg,
                                 const qapiJSON *reply, GError **error);
static int drvQemuCapsStepTypes(drvQemuCapsProbeCtx *pc, const char *arg,
                                const qapiJSON *reply, GError **error);
static int drvQemuCapsStepProps(drvQemuCapsProbeCtx *pc, const char *arg,
                                const qapiJSON *reply, GError **error);
static int drvQemuCapsStepMachines(drvQemuCapsProbeCtx *pc, const char *arg,
                                   const qapiJSON *reply, GError **error);
static int drvQemuCapsStepMigration(drvQemuCapsProbeCtx *pc, const char *arg,
                                    const qapiJSON *reply, GError **error);
static int drvQemuCapsStepTrace(drvQemuCapsProbeCtx *pc, const char *arg,
                                const qapiJSON *reply, GError **error);
static int drvQemuCapsStepCPUs(drvQemuCapsProbeCtx *pc, const char *arg,
                               const qapiJSON *reply, GError **error);

#define DRV_QEMU_CAPS_PROPS(type) \
    { "qom-list-properties", "{\"typename\": \"" type "\"}", \
      drvQemuCapsStepProps, type, true }

static const drvQemuCapsStep drvQemuCapsSteps[] = {
    { "query-version", NULL, drvQemuCapsStepVersion, NULL, false },
    { "query-kvm", NULL, drvQemuCapsStepKVM, NULL, false },
    { "query-qmp-schema", NULL, drvQemuCapsStepSchema, NULL, false },
    { "qom-list-types", NULL, drvQemuCapsStepTypes, NULL, false },
    { "qom-list-types", "{\"implements\": \"memory-backend\", "
      "\"abstract\": true}", drvQemuCapsStepTypes, NULL, false },
    DRV_QEMU_CAPS_PROPS("memory-backend-memfd"),
    DRV_QEMU_CAPS_PROPS("memory-backend-guest-memfd"),
    DRV_QEMU_CAPS_PROPS("sev-guest"),
    DRV_QEMU_CAPS_PROPS("sev-snp-guest"),
    DRV_QEMU_CAPS_PROPS("tdx-guest"),
    DRV_QEMU_CAPS_PROPS("iommufd"),
    DRV_QEMU_CAPS_PROPS("vfio-pci"),
    DRV_QEMU_CAPS_PROPS("confidential-guest-support"),
    DRV_QEMU_CAPS_PROPS("x86-confidential-guest"),
    DRV_QEMU_CAPS_PROPS("x86-machine"),
    { "query-machines", NULL, drvQemuCapsStepMachines, NULL, false },
    { "query-migrate-capabilities", NULL, drvQemuCapsStepMigration, NULL,
      false },
    { "trace-event-get-state", "{\"name\": \"kvm_convert_memory\"}",
      drvQemuCapsStepTrace, "kvm_convert_memory", true },
    /* A pattern: QEMU without the event answers [] instead of an error. */
    { "trace-event-get-state", "{\"name\": \"ram_block_attributes*\"}",
      drvQemuCapsStepTrace, "ram_block_attributes_state_change", true },
    { "query-cpu-definitions", NULL, drvQemuCapsStepCPUs, NULL, true },
};

#undef DRV_QEMU_CAPS_PROPS

/* How long the probe waits for QEMU to exit after "quit". */
#define DRV_QEMU_CAPS_QUIT_TIMEOUT_MS 2000

static void
drvQemuCapsSetMalformed(drvQemuCapsProbeCtx *pc, const char *what,
                        GError **error)
{
    g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("malformed reply of QEMU to '%1$s': %2$s"),
                pc->command, what);
}

/* Each element of array @reply must be an object with string @key. */
static int
drvQemuCapsEachName(drvQemuCapsProbeCtx *pc, const qapiJSON *reply,
                    const char *key, GPtrArray *out, GError **error)
{
    size_t i;

    if (qapiJSONGetType(reply) != QAPI_JSON_TYPE_ARRAY) {
        drvQemuCapsSetMalformed(pc, _("not an array"), error);
        return -1;
    }
    for (i = 0; i < qapiJSONArraySize(reply); i++) {
        const char *name = qapiJSONObjectGetString(qapiJSONArrayGet(reply, i),
                                                   key);

        if (!name) {
            g_autofree char *what =
                g_strdup_printf(_("entry %1$zu has no string '%2$s'"), i, key);

            drvQemuCapsSetMalformed(pc, what, error);
            return -1;
        }
        g_ptr_array_add(out, g_strdup(name));
    }
    return 0;
}

typedef struct {
    gint64 major;
    gint64 minor;
    gint64 micro;
} drvQemuCapsVersionTriple;

static int
drvQemuCapsStepVersion(drvQemuCapsProbeCtx *pc, const char *arg,
                       const qapiJSON *reply, GError **error)
{
    static const qapiJSONField fields[] = {
        { "major", QAPI_JSON_INT64, offsetof(drvQemuCapsVersionTriple, major),
          QAPI_MANDATORY, NULL, 0 },
        { "minor", QAPI_JSON_INT64, offsetof(drvQemuCapsVersionTriple, minor),
          QAPI_MANDATORY, NULL, 0 },
        { "micro", QAPI_JSON_INT64, offsetof(drvQemuCapsVersionTriple, micro),
          QAPI_MANDATORY, NULL, 0 },
        { NULL, 0, 0, 0, NULL, 0 },
    };
    drvQemuCapsVersionTriple v = { 0 };
    const qapiJSON *qemu = qapiJSONObjectGetObject(reply, "qemu");
    const char *package = qapiJSONObjectGetString(reply, "package");
    g_autoptr(GError) err = NULL;

    if (!qemu || !package) {
        drvQemuCapsSetMalformed(pc, _("no 'qemu' object or 'package'"), error);
        return -1;
    }
    if (qapiJSONParseFields(qemu, fields, &v, "qemu", &err) < 0) {
        drvQemuCapsSetMalformed(pc, err->message, error);
        return -1;
    }
    if (v.major < 0 || v.minor < 0 || v.micro < 0 || v.major > 999 ||
        v.minor > 999 || v.micro > 999) {
        drvQemuCapsSetMalformed(pc, _("version out of range"), error);
        return -1;
    }
    pc->caps->major = v.major;
    pc->caps->minor = v.minor;
    pc->caps->micro = v.micro;
    pc->caps->package = g_strdup(package);
    return 0;
}

static int
drvQemuCapsStepKVM(drvQemuCapsProbeCtx *pc, const char *arg,
                   const qapiJSON *reply, GError **error)
{
    if (!qapiJSONObjectGetBool(reply, "present", &pc->caps->kvmPresent) ||
        !qapiJSONObjectGetBool(reply, "enabled", &pc->caps->kvmEnabled)) {
        drvQemuCapsSetMalformed(pc, _("no boolean 'present' and 'enabled'"),
                                error);
        return -1;
    }
    return 0;
}

static int
drvQemuCapsStepSchema(drvQemuCapsProbeCtx *pc, const char *arg,
                      const qapiJSON *reply, GError **error)
{
    g_autoptr(GError) err = NULL;

    if (drvQemuCapsSetSchema(pc->caps, qapiJSONCopy(reply), &err) < 0) {
        drvQemuCapsSetMalformed(pc, err->message, error);
        return -1;
    }
    return 0;
}

static int
drvQemuCapsStepTypes(drvQemuCapsProbeCtx *pc, const char *arg,
                     const qapiJSON *reply, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    guint i;

    if (drvQemuCapsEachName(pc, reply, "name", names, error) < 0)
        return -1;
    for (i = 0; i < names->len; i++)
        drvQemuCapsAddType(pc->caps, names->pdata[i]);
    return 0;
}

static int
drvQemuCapsStepProps(drvQemuCapsProbeCtx *pc, const char *arg,
                     const qapiJSON *reply, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    guint i;

    if (drvQemuCapsEachName(pc, reply, "name", names, error) < 0)
        return -1;
    drvQemuCapsAddProperty(pc->caps, arg, NULL);
    for (i = 0; i < names->len; i++)
        drvQemuCapsAddProperty(pc->caps, arg, names->pdata[i]);
    return 0;
}

static int
drvQemuCapsStepMachines(drvQemuCapsProbeCtx *pc, const char *arg,
                        const qapiJSON *reply, GError **error)
{
    size_t i;

    if (qapiJSONGetType(reply) != QAPI_JSON_TYPE_ARRAY) {
        drvQemuCapsSetMalformed(pc, _("not an array"), error);
        return -1;
    }
    for (i = 0; i < qapiJSONArraySize(reply); i++) {
        drvQemuCapsMachine m = { 0 };

        if (drvQemuCapsParseMachine(qapiJSONArrayGet(reply, i), &m,
                                    "query-machines", error) < 0)
            return -1;
        g_array_append_val(pc->caps->machines, m);
    }
    return 0;
}

static int
drvQemuCapsStepMigration(drvQemuCapsProbeCtx *pc, const char *arg,
                         const qapiJSON *reply, GError **error)
{
    return drvQemuCapsEachName(pc, reply, "capability",
                               pc->caps->migrationCaps, error);
}

static int
drvQemuCapsStepTrace(drvQemuCapsProbeCtx *pc, const char *arg,
                     const qapiJSON *reply, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    guint i;

    if (drvQemuCapsEachName(pc, reply, "name", names, error) < 0)
        return -1;
    for (i = 0; i < names->len; i++) {
        if (strcmp(names->pdata[i], arg) == 0) {
            g_ptr_array_add(pc->caps->traceEvents, g_strdup(arg));
            break;
        }
    }
    return 0;
}

static int
drvQemuCapsStepCPUs(drvQemuCapsProbeCtx *pc, const char *arg,
                    const qapiJSON *reply, GError **error)
{
    return drvQemuCapsEachName(pc, reply, "name", pc->caps->cpuModels,
                               error);
}

/* Milliseconds left until the deadline; 0 when it has passed. */
static int
drvQemuCapsRemainingMs(const drvQemuCapsProbeCtx *pc)
{
    gint64 left = (pc->deadline - g_get_monotonic_time()) / 1000;

    if (left <= 0)
        return 0;
    return left > G_MAXINT ? G_MAXINT : (int)left;
}

static void
drvQemuCapsOnEOF(qapiMonitor *mon, const GError *error, gpointer opaque)
{
    drvQemuCapsProbeCtx *pc = opaque;

    g_free(pc->monitorError);
    pc->monitorError = g_strdup(error->message);
}

/* QEMU may emit events while we probe; none matters here. */
static void
drvQemuCapsOnEvent(qapiMonitor *mon, const char *name, gint64 seconds,
                   gint64 micros, const qapiJSON *data, gpointer opaque)
{
    g_debug("ignoring QEMU event %s while probing capabilities", name);
}

static void
drvQemuCapsSetTimeout(drvQemuCapsProbeCtx *pc, GError **error)
{
    g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                _("timed out probing QEMU capabilities before command '%1$s'"),
                pc->command);
}

/* A command failed: absent, or the end of the probe. */
static int
drvQemuCapsStepFailed(drvQemuCapsProbeCtx *pc, const drvQemuCapsStep *step,
                      const GError *err, GError **error)
{
    if (pc->monitorError) {
        g_set_error(error, DRV_ERROR, err->code,
                    _("cannot probe QEMU capabilities: the monitor failed at command '%1$s': %2$s"),
                    step->command, pc->monitorError);
        return -1;
    }
    if (err->code == VIR_ERR_OPERATION_TIMEOUT) {
        g_set_error(error, DRV_ERROR, err->code,
                    _("cannot probe QEMU capabilities: no reply to command '%1$s': %2$s"),
                    step->command, err->message);
        return -1;
    }
    /* An error reply of QEMU's; its message names the command. */
    if (step->optional) {
        g_debug("QEMU %s %s: %s (taken as absent)", step->command,
                step->args ? step->args : "", err->message);
        return 0;
    }
    g_set_error(error, DRV_ERROR, err->code,
                _("cannot probe QEMU capabilities: %1$s"), err->message);
    return -1;
}

static int
drvQemuCapsRunStep(drvQemuCapsProbeCtx *pc, const drvQemuCapsStep *step,
                   GError **error)
{
    g_autoptr(qapiJSON) args = NULL;
    g_autoptr(qapiJSON) cmd = NULL;
    g_autoptr(qapiJSON) reply = NULL;
    g_autoptr(GError) err = NULL;
    int timeout;

    pc->command = step->command;
    if ((timeout = drvQemuCapsRemainingMs(pc)) == 0) {
        drvQemuCapsSetTimeout(pc, error);
        return -1;
    }
    if (step->args && !(args = qapiJSONParse(step->args, error)))
        return -1;
    cmd = qapiMonitorMakeCommand(step->command, &args);
    if (qapiMonitorCommandSync(pc->mon, &cmd, timeout, &reply, &err) == 0)
        return step->handle(pc, step->arg, reply, error);
    return drvQemuCapsStepFailed(pc, step, err, error);
    return -1;
}

static int
drvQemuCapsHandshake(drvQemuCapsProbeCtx *pc, GError **error)
{
    g_autoptr(GError) err = NULL;
    int timeout;

    pc->command = "qmp_capabilities";
    if ((timeout = drvQemuCapsRemainingMs(pc)) == 0) {
        drvQemuCapsSetTimeout(pc, error);
        return -1;
    }
    if (qapiMonitorHandshakeSync(pc->mon, timeout, &err) < 0) {
        g_set_error(error, DRV_ERROR, err->code,
                    _("cannot probe QEMU capabilities: no QMP greeting or negotiation: %1$s"),
                    err->message);
        return -1;
    }
    return 0;
}

/* Ask QEMU to exit; it may close the socket before it answers. */
static void
drvQemuCapsQuit(drvQemuCapsProbeCtx *pc)
{
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand("quit", NULL);
    g_autoptr(GError) err = NULL;
    int timeout = MIN(drvQemuCapsRemainingMs(pc),
                      DRV_QEMU_CAPS_QUIT_TIMEOUT_MS);

    if (timeout > 0 &&
        qapiMonitorCommandSync(pc->mon, &cmd, timeout, NULL, &err) < 0)
        g_debug("QEMU quit: %s", err->message);
}

static int
drvQemuCapsConverse(drvQemuCapsProbeCtx *pc, GError **error)
{
    size_t i;

    qapiMonitorSetEOFHandler(pc->mon, drvQemuCapsOnEOF, pc);
    if (qapiMonitorSetEventHandlers(pc->mon, NULL, 0, drvQemuCapsOnEvent,
                                    pc) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot set the event handlers of the QEMU monitor"));
        return -1;
    }
    if (drvQemuCapsHandshake(pc, error) < 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(drvQemuCapsSteps); i++) {
        if (drvQemuCapsRunStep(pc, &drvQemuCapsSteps[i], error) < 0)
            return -1;
    }
    drvQemuCapsQuit(pc);
    return 0;
}

/**
 * drvQemuCapsProbeFD:
 * @fd: a socket connected to QEMU's QMP monitor; always taken
 * @binary: the QEMU binary, recorded in the result
 * @timeoutMs: bound on the whole conversation
 * @error: set on failure
 *
 * Returns: the capabilities with every flag decided, or NULL with
 * @error set.
 */
drvQemuCaps *
drvQemuCapsProbeFD(int fd, const char *binary, unsigned int timeoutMs,
                   GError **error)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(drvQemuCaps) caps = drvQemuCapsNew();
    g_autoptr(GError) err = NULL;
    g_autoptr(qapiMonitor) mon = qapiMonitorNew(fd, ctx, &err);
    drvQemuCapsProbeCtx pc = { 0 };
    int rc;

    if (!mon) {
        g_set_error(error, DRV_ERROR, err->code,
                    _("cannot probe QEMU capabilities: %1$s"), err->message);
        return NULL;
    }
    pc.caps = caps;
    pc.mon = mon;
    pc.deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    rc = drvQemuCapsConverse(&pc, error);
    qapiMonitorClose(mon);
    g_free(pc.monitorError);
    if (rc < 0)
        return NULL;
    caps->binary = g_strdup(binary);
    drvQemuCapsDecide(caps);
    return g_steal_pointer(&caps);
}

/**
 * drvQemuCapsProbeCommands:
 *
 * Returns: (transfer full): the probe's commands in order, each as
 * "name" or "name {args}", NULL-terminated (for tests and docs).
 */
char **
drvQemuCapsProbeCommands(void)
{
    GStrvBuilder *b = g_strv_builder_new();
    char **ret;
    size_t i;

    g_strv_builder_add(b, "qmp_capabilities");
    for (i = 0; i < G_N_ELEMENTS(drvQemuCapsSteps); i++) {
        const drvQemuCapsStep *s = &drvQemuCapsSteps[i];

        g_autofree char *line = g_strdup_printf("%s%s%s", s->command,
                                                s->args ? " " : "",
                                                s->args ? s->args : "");

        g_strv_builder_add(b, line);
    }
    g_strv_builder_add(b, "quit");
    ret = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return ret;
}
