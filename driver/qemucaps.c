/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stddef.h>
#include <string.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The capability flags and how each is decided.  Probing lives in
 * qemucapsprobe.c and the cache in qemucapscache.c.
 */

VGM_ENUM_IMPL(drvQemuCapsFlag, DRV_QEMU_CAPS_LAST,
              "memory-backend-memfd",
              "memory-backend-memfd.hugetlb",
              "memory-backend-memfd.guest-memfd",
              "memory-backend-guest-memfd",
              "memory-backend-shm",
              "memory-backend-file.prealloc-threads",
              "memory-backend.prealloc-context",
              "thread-context",
              "cgs.convert-in-place",
              "sev-guest",
              "sev-guest.kernel-hashes",
              "sev-guest.legacy-vm-type",
              "sev-snp-guest",
              "tdx-guest",
              "tdx-guest.quote-generation-socket",
              "query-sev-capabilities",
              "iommufd",
              "vfio-pci",
              "vfio-pci.iommufd",
              "vfio-pci.fd",
              "vfio-pci.enable-migration",
              "ram-block-attributes",
              "migrate.postcopy-ram",
              "migrate.postcopy-preempt",
              "migrate.return-path",
              "migrate.switchover-ack",
              "migrate.mapped-ram",
              "migrate.channels",
              "migration.blocked-reasons",
              "event.VFIO_MIGRATION",
              "trace-event-set-state",
              "trace.kvm_convert_memory",
              "trace.ram_block_attributes_state_change",
              "machine.confidential-guest-support",
              "machine.memory-backend",
              "qom-list-get");

/*
 * Flags decided by the QAPI schema.  A flag listed more than once is set
 * when any of its paths exists.  The path syntax is qapi/schema.h's.
 */
typedef struct {
    const char *path;
    drvQemuCapsFlag flag;
} drvQemuCapsSchemaRule;

static const drvQemuCapsSchemaRule drvQemuCapsSchemaRules[] = {
    { "object-add/arg-type/+memory-backend-memfd",
      DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD },
    { "object-add/arg-type/+memory-backend-memfd/hugetlb",
      DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_HUGETLB },
    { "object-add/arg-type/+memory-backend-memfd/guest-memfd",
      DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD },
    { "object-add/arg-type/+memory-backend-guest-memfd",
      DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD },
    { "object-add/arg-type/+memory-backend-shm",
      DRV_QEMU_CAPS_MEMORY_BACKEND_SHM },
    { "object-add/arg-type/+memory-backend-file/prealloc-threads",
      DRV_QEMU_CAPS_MEMORY_BACKEND_FILE_PREALLOC_THREADS },
    { "object-add/arg-type/+memory-backend-file/prealloc-context",
      DRV_QEMU_CAPS_MEMORY_BACKEND_PREALLOC_CONTEXT },
    { "object-add/arg-type/+thread-context", DRV_QEMU_CAPS_THREAD_CONTEXT },
    { "object-add/arg-type/+sev-guest/convert-in-place",
      DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE },
    { "object-add/arg-type/+sev-snp-guest/convert-in-place",
      DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE },
    { "object-add/arg-type/+tdx-guest/convert-in-place",
      DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE },
    { "object-add/arg-type/+sev-guest", DRV_QEMU_CAPS_SEV_GUEST },
    { "object-add/arg-type/+sev-guest/kernel-hashes",
      DRV_QEMU_CAPS_SEV_GUEST_KERNEL_HASHES },
    { "object-add/arg-type/+sev-guest/legacy-vm-type",
      DRV_QEMU_CAPS_SEV_GUEST_LEGACY_VM_TYPE },
    { "object-add/arg-type/+sev-snp-guest", DRV_QEMU_CAPS_SEV_SNP_GUEST },
    { "object-add/arg-type/+tdx-guest", DRV_QEMU_CAPS_TDX_GUEST },
    { "object-add/arg-type/+tdx-guest/quote-generation-socket",
      DRV_QEMU_CAPS_TDX_GUEST_QUOTE_GENERATION_SOCKET },
    { "query-sev-capabilities", DRV_QEMU_CAPS_QUERY_SEV_CAPABILITIES },
    { "object-add/arg-type/+iommufd", DRV_QEMU_CAPS_IOMMUFD },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-ram",
      DRV_QEMU_CAPS_MIGRATE_POSTCOPY_RAM },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-preempt",
      DRV_QEMU_CAPS_MIGRATE_POSTCOPY_PREEMPT },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^return-path",
      DRV_QEMU_CAPS_MIGRATE_RETURN_PATH },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^switchover-ack",
      DRV_QEMU_CAPS_MIGRATE_SWITCHOVER_ACK },
    { "migrate-set-capabilities/arg-type/capabilities/capability/^mapped-ram",
      DRV_QEMU_CAPS_MIGRATE_MAPPED_RAM },
    { "migrate/arg-type/channels", DRV_QEMU_CAPS_MIGRATE_CHANNELS },
    { "query-migrate/ret-type/blocked-reasons",
      DRV_QEMU_CAPS_MIGRATION_BLOCKED_REASONS },
    { "VFIO_MIGRATION", DRV_QEMU_CAPS_EVENT_VFIO_MIGRATION },
    { "trace-event-set-state", DRV_QEMU_CAPS_TRACE_EVENT_SET_STATE },
    { "qom-list-get", DRV_QEMU_CAPS_QOM_LIST_GET },
};

/* Flags decided by QOM: a type (prop NULL) or a property of a type. */
typedef struct {
    const char *type;
    const char *prop;
    drvQemuCapsFlag flag;
} drvQemuCapsQOMRule;

static const drvQemuCapsQOMRule drvQemuCapsQOMRules[] = {
    { "vfio-pci", NULL, DRV_QEMU_CAPS_VFIO_PCI },
    { "vfio-pci", "iommufd", DRV_QEMU_CAPS_VFIO_PCI_IOMMUFD },
    { "vfio-pci", "fd", DRV_QEMU_CAPS_VFIO_PCI_FD },
    { "vfio-pci", "enable-migration",
      DRV_QEMU_CAPS_VFIO_PCI_ENABLE_MIGRATION },
    { "x86-machine", "confidential-guest-support",
      DRV_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT },
    { "x86-machine", "memory-backend", DRV_QEMU_CAPS_MACHINE_MEMORY_BACKEND },
};

/*
 * Flags decided by trace events that exist.  Shared device assignment
 * (RamBlockAttributes) has no QMP trace of its own: its trace event is
 * the observable sign.
 */
typedef struct {
    const char *event;
    drvQemuCapsFlag flag;
} drvQemuCapsTraceRule;

static const drvQemuCapsTraceRule drvQemuCapsTraceRules[] = {
    { "kvm_convert_memory", DRV_QEMU_CAPS_TRACE_KVM_CONVERT_MEMORY },
    { "ram_block_attributes_state_change",
      DRV_QEMU_CAPS_TRACE_RAM_BLOCK_ATTRIBUTES_STATE_CHANGE },
    { "ram_block_attributes_state_change", DRV_QEMU_CAPS_RAM_BLOCK_ATTRIBUTES },
};

/* The machine type we default to, as a query-machines alias. */
#define DRV_QEMU_CAPS_DEFAULT_MACHINE_ALIAS "q35"

/**
 * drvQemuCapsMachineClear:
 * @machine: a machine entry
 *
 * Frees what @machine points to (not @machine itself).
 */
void
drvQemuCapsMachineClear(drvQemuCapsMachine *machine)
{
    g_clear_pointer(&machine->name, g_free);
    g_clear_pointer(&machine->alias, g_free);
}

/**
 * drvQemuCapsParseMachine:
 * @obj: an entry of query-machines (or of the cache)
 * @machine: filled in; cleared on failure
 * @where: names @obj in the error
 * @error: set on failure
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvQemuCapsParseMachine(const qapiJSON *obj, drvQemuCapsMachine *machine,
                        const char *where, GError **error)
{
    static const qapiJSONField fields[] = {
        { "name", QAPI_JSON_STRING, offsetof(drvQemuCapsMachine, name),
          QAPI_MANDATORY, NULL, 0 },
        { "alias", QAPI_JSON_STRING, offsetof(drvQemuCapsMachine, alias),
          QAPI_OPTIONAL, NULL, 0 },
        { "is-default", QAPI_JSON_BOOL,
          offsetof(drvQemuCapsMachine, isDefault), QAPI_OPTIONAL, NULL, 0 },
        { "deprecated", QAPI_JSON_BOOL,
          offsetof(drvQemuCapsMachine, deprecated), QAPI_OPTIONAL, NULL, 0 },
        { NULL, 0, 0, 0, NULL, 0 },
    };

    g_autoptr(GError) err = NULL;
    guint64 maxCpus = 0;

    if (qapiJSONParseFields(obj, fields, machine, where, &err) < 0) {
        drvQemuCapsMachineClear(machine);
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("invalid machine in '%1$s': %2$s"), where, err->message);
        return -1;
    }
    /* Read apart from the table: it has no unsigned int destination. */
    if (!qapiJSONObjectGetUInt64(obj, "cpu-max", &maxCpus) ||
        maxCpus > G_MAXUINT) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("machine '%1$s' in '%2$s' has no valid 'cpu-max'"),
                    machine->name, where);
        drvQemuCapsMachineClear(machine);
        return -1;
    }
    machine->maxCpus = maxCpus;
    return 0;
}

/**
 * drvQemuCapsNew:
 *
 * Returns: empty capabilities (no flags), for the probe and the cache.
 */
drvQemuCaps *
drvQemuCapsNew(void)
{
    drvQemuCaps *caps = g_new0(drvQemuCaps, 1);

    caps->types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        NULL);
    caps->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref);
    caps->machines = g_array_new(FALSE, TRUE, sizeof(drvQemuCapsMachine));
    g_array_set_clear_func(caps->machines,
                           (GDestroyNotify)drvQemuCapsMachineClear);
    caps->cpuModels = g_ptr_array_new_with_free_func(g_free);
    caps->traceEvents = g_ptr_array_new_with_free_func(g_free);
    caps->migrationCaps = g_ptr_array_new_with_free_func(g_free);
    return caps;
}

/**
 * drvQemuCapsFree:
 * @caps: (nullable): capabilities
 *
 * Frees @caps; NULL is a no-op.
 */
void
drvQemuCapsFree(drvQemuCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->binary);
    g_free(caps->package);
    qapiSchemaFree(caps->schema);
    g_hash_table_unref(caps->types);
    g_hash_table_unref(caps->props);
    g_array_unref(caps->machines);
    g_ptr_array_unref(caps->cpuModels);
    g_ptr_array_unref(caps->traceEvents);
    g_ptr_array_unref(caps->migrationCaps);
    g_free(caps);
}

/**
 * drvQemuCapsAddType:
 * @caps: the capabilities
 * @type: a QOM type QEMU listed
 */
void
drvQemuCapsAddType(drvQemuCaps *caps, const char *type)
{
    g_hash_table_add(caps->types, g_strdup(type));
}

/**
 * drvQemuCapsAddProperty:
 * @caps: the capabilities
 * @type: a QOM type that qom-list-properties answered for
 * @prop: (nullable): one of its properties; NULL only records @type
 */
void
drvQemuCapsAddProperty(drvQemuCaps *caps, const char *type,
                       const char *prop)
{
    GHashTable *set = g_hash_table_lookup(caps->props, type);

    if (!set) {
        set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(caps->props, g_strdup(type), set);
    }
    if (prop)
        g_hash_table_add(set, g_strdup(prop));
}

/**
 * drvQemuCapsHasProperty:
 * @caps: the capabilities
 * @type: a probed QOM type
 * @prop: a property name
 *
 * Returns: true when qom-list-properties @type listed @prop.
 */
bool
drvQemuCapsHasProperty(const drvQemuCaps *caps, const char *type,
                       const char *prop)
{
    GHashTable *set = g_hash_table_lookup(caps->props, type);

    return set && g_hash_table_contains(set, prop);
}

/**
 * drvQemuCapsSetSchema:
 * @caps: the capabilities
 * @schema: the query-qmp-schema "return" array (taken, also on error)
 * @error: set on failure
 *
 * Returns: 0, or -1 with @error set when @schema is not a schema.
 */
int
drvQemuCapsSetSchema(drvQemuCaps *caps, qapiJSON *schema, GError **error)
{
    g_autoptr(GError) err = NULL;
    qapiSchema *index = qapiSchemaNew(&schema, &err);

    if (!index) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("invalid QEMU schema: %1$s"), err->message);
        return -1;
    }
    qapiSchemaFree(caps->schema);
    caps->schema = index;
    return 0;
}

/**
 * drvQemuCapsDecide:
 * @caps: capabilities holding QEMU's raw answers
 *
 * Sets every flag from the schema, QOM and trace-event tables.
 */
void
drvQemuCapsDecide(drvQemuCaps *caps)
{
    size_t i;
    guint j;

    memset(caps->flags, 0, sizeof(caps->flags));
    for (i = 0; i < G_N_ELEMENTS(drvQemuCapsSchemaRules); i++) {
        const drvQemuCapsSchemaRule *rule = &drvQemuCapsSchemaRules[i];

        if (drvQemuCapsSchemaHas(caps, rule->path))
            caps->flags[rule->flag] = true;
    }
    for (i = 0; i < G_N_ELEMENTS(drvQemuCapsQOMRules); i++) {
        const drvQemuCapsQOMRule *rule = &drvQemuCapsQOMRules[i];
        bool has = rule->prop ?
            drvQemuCapsHasProperty(caps, rule->type, rule->prop) :
            drvQemuCapsHasQOMType(caps, rule->type);

        if (has)
            caps->flags[rule->flag] = true;
    }
    for (i = 0; i < G_N_ELEMENTS(drvQemuCapsTraceRules); i++) {
        const drvQemuCapsTraceRule *rule = &drvQemuCapsTraceRules[i];

        for (j = 0; j < caps->traceEvents->len; j++) {
            if (strcmp(caps->traceEvents->pdata[j], rule->event) == 0)
                caps->flags[rule->flag] = true;
        }
    }
}

/**
 * drvQemuCapsHas:
 * @caps: (nullable): the capabilities
 * @flag: a capability
 *
 * Returns: true when the probed QEMU has @flag.
 */
bool
drvQemuCapsHas(const drvQemuCaps *caps, drvQemuCapsFlag flag)
{
    if (!caps || flag < 0 || flag >= DRV_QEMU_CAPS_LAST)
        return false;
    return caps->flags[flag];
}

/**
 * drvQemuCapsGetBinary:
 * @caps: the capabilities
 *
 * Returns: the binary they describe.
 */
const char *
drvQemuCapsGetBinary(const drvQemuCaps *caps)
{
    return caps->binary;
}

/**
 * drvQemuCapsGetVersion:
 * @caps: the capabilities
 *
 * For messages and logs only: never decide a feature by it.
 *
 * Returns: major * 1000000 + minor * 1000 + micro.
 */
unsigned int
drvQemuCapsGetVersion(const drvQemuCaps *caps)
{
    return caps->major * 1000000 + caps->minor * 1000 + caps->micro;
}

/**
 * drvQemuCapsGetPackage:
 * @caps: the capabilities
 *
 * Returns: query-version's package string ("Debian 1:7.2+dfsg-...").
 */
const char *
drvQemuCapsGetPackage(const drvQemuCaps *caps)
{
    return caps->package;
}

/**
 * drvQemuCapsGetKVM:
 * @caps: the capabilities
 *
 * Returns: whether the probe ran with KVM enabled (query-kvm).
 */
bool
drvQemuCapsGetKVM(const drvQemuCaps *caps)
{
    return caps->kvmEnabled;
}

/**
 * drvQemuCapsGetSchema:
 * @caps: the capabilities
 *
 * Returns: (transfer none): query-qmp-schema's "return" array.
 */
const qapiJSON *
drvQemuCapsGetSchema(const drvQemuCaps *caps)
{
    if (!caps->schema)
        return NULL;
    return qapiSchemaGetEntries(caps->schema);
}

/**
 * drvQemuCapsGetSchemaIndex:
 * @caps: the capabilities
 *
 * Returns: (transfer none): the indexed schema, to validate generated
 * command arguments and -object/-device JSON against.
 */
const qapiSchema *
drvQemuCapsGetSchemaIndex(const drvQemuCaps *caps)
{
    return caps->schema;
}

/**
 * drvQemuCapsSchemaHas:
 * @caps: the capabilities
 * @path: a schema path such as "object-add/arg-type/+iommufd"
 *
 * Returns: true when the QEMU's schema has @path.
 */
bool
drvQemuCapsSchemaHas(const drvQemuCaps *caps, const char *path)
{
    if (!caps->schema)
        return false;
    return qapiSchemaHas(caps->schema, path);
}

/**
 * drvQemuCapsHasQOMType:
 * @caps: the capabilities
 * @type: a QOM type name
 *
 * Returns: true when qom-list-types listed @type.
 */
bool
drvQemuCapsHasQOMType(const drvQemuCaps *caps, const char *type)
{
    return g_hash_table_contains(caps->types, type);
}

/**
 * drvQemuCapsHasCPUModel:
 * @caps: the capabilities
 * @model: a CPU model name
 *
 * Returns: true when query-cpu-definitions listed @model.
 */
bool
drvQemuCapsHasCPUModel(const drvQemuCaps *caps, const char *model)
{
    guint i;

    for (i = 0; i < caps->cpuModels->len; i++) {
        if (strcmp(caps->cpuModels->pdata[i], model) == 0)
            return true;
    }
    return false;
}

/**
 * drvQemuCapsGetCPUModels:
 * @caps: the capabilities
 * @n: (out): the number of models
 *
 * Returns: (transfer none): the names query-cpu-definitions listed, in
 * QEMU's order.
 */
const char *const *
drvQemuCapsGetCPUModels(const drvQemuCaps *caps, size_t *n)
{
    *n = caps->cpuModels->len;
    return (const char *const *)caps->cpuModels->pdata;
}

/**
 * drvQemuCapsHasMigrationCapability:
 * @caps: the capabilities
 * @capability: a MigrationCapability name ("postcopy-ram")
 *
 * Returns: true when query-migrate-capabilities listed @capability.
 */
bool
drvQemuCapsHasMigrationCapability(const drvQemuCaps *caps,
                                  const char *capability)
{
    guint i;

    for (i = 0; i < caps->migrationCaps->len; i++) {
        if (strcmp(caps->migrationCaps->pdata[i], capability) == 0)
            return true;
    }
    return false;
}

/**
 * drvQemuCapsGetMachines:
 * @caps: the capabilities
 * @n: (out): the number of machines
 *
 * Returns: (transfer none): the machines, in QEMU's order.
 */
const drvQemuCapsMachine *
drvQemuCapsGetMachines(const drvQemuCaps *caps, size_t *n)
{
    *n = caps->machines->len;
    return (const drvQemuCapsMachine *)(void *)caps->machines->data;
}

/**
 * drvQemuCapsCanonicalMachine:
 * @caps: the capabilities
 * @name: a machine type or an alias ("q35")
 *
 * Returns: the machine type @name stands for ("pc-q35-11.1"), or NULL
 * when this QEMU has no such machine.
 */
const char *
drvQemuCapsCanonicalMachine(const drvQemuCaps *caps, const char *name)
{
    guint i;

    if (!name)
        return NULL;
    for (i = 0; i < caps->machines->len; i++) {
        drvQemuCapsMachine *m = &g_array_index(caps->machines,
                                               drvQemuCapsMachine, i);

        if (m->alias && strcmp(m->alias, name) == 0)
            return m->name;
    }
    for (i = 0; i < caps->machines->len; i++) {
        drvQemuCapsMachine *m = &g_array_index(caps->machines,
                                               drvQemuCapsMachine, i);

        if (strcmp(m->name, name) == 0)
            return m->name;
    }
    return NULL;
}

/**
 * drvQemuCapsGetMachineMaxCpus:
 * @caps: the capabilities
 * @name: a machine type or an alias
 *
 * Returns: the most vCPUs the machine takes (query-machines cpu-max),
 * or 0 when this QEMU has no such machine.
 */
unsigned int
drvQemuCapsGetMachineMaxCpus(const drvQemuCaps *caps, const char *name)
{
    const char *canonical = drvQemuCapsCanonicalMachine(caps, name);
    guint i;

    for (i = 0; canonical && i < caps->machines->len; i++) {
        drvQemuCapsMachine *m = &g_array_index(caps->machines,
                                               drvQemuCapsMachine, i);

        if (m->name == canonical)
            return m->maxCpus;
    }
    return 0;
}

/**
 * drvQemuCapsGetDefaultMachine:
 * @caps: the capabilities
 *
 * Our default is q35 (guest_memfd guests need PCIe and SMM-capable
 * firmware), resolved to the versioned type; QEMU's own default
 * (i440fx) is used only by a binary that has no q35.
 *
 * Returns: the machine type, or NULL when QEMU listed none.
 */
const char *
drvQemuCapsGetDefaultMachine(const drvQemuCaps *caps)
{
    const char *q35 = drvQemuCapsCanonicalMachine(
        caps, DRV_QEMU_CAPS_DEFAULT_MACHINE_ALIAS);
    guint i;

    if (q35)
        return q35;
    for (i = 0; i < caps->machines->len; i++) {
        drvQemuCapsMachine *m = &g_array_index(caps->machines,
                                               drvQemuCapsMachine, i);

        if (m->isDefault)
            return m->name;
    }
    return NULL;
}

static gint
drvQemuCapsMachineCompare(gconstpointer a, gconstpointer b)
{
    const drvQemuCapsMachine *const *ma = a;
    const drvQemuCapsMachine *const *mb = b;

    return strcmp((*ma)->name, (*mb)->name);
}

static void
drvQemuCapsFormatMachines(const drvQemuCaps *caps, GString *buf)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    guint i;

    for (i = 0; i < caps->machines->len; i++)
        g_ptr_array_add(sorted, &g_array_index(caps->machines,
                                               drvQemuCapsMachine, i));
    g_ptr_array_sort(sorted, drvQemuCapsMachineCompare);
    g_string_append(buf, "machines:\n");
    for (i = 0; i < sorted->len; i++) {
        const drvQemuCapsMachine *m = sorted->pdata[i];

        g_string_append_printf(buf, "  %s", m->name);
        if (m->alias)
            g_string_append_printf(buf, " alias=%s", m->alias);
        if (m->isDefault)
            g_string_append(buf, " default");
        if (m->deprecated)
            g_string_append(buf, " deprecated");
        g_string_append_printf(buf, " cpu-max=%u\n", m->maxCpus);
    }
}

/**
 * drvQemuCapsFormatSummary:
 * @caps: the capabilities
 *
 * Returns: a stable text form of what was learnt (version, every flag
 * with yes/no, default machine, machines sorted by name), for golden
 * files and debugging.
 */
char *
drvQemuCapsFormatSummary(const drvQemuCaps *caps)
{
    GString *buf = g_string_new(NULL);
    const char *def = drvQemuCapsGetDefaultMachine(caps);
    int i;

    g_string_append_printf(buf, "version: %u.%u.%u\n", caps->major,
                           caps->minor, caps->micro);
    g_string_append_printf(buf, "package: %s\n",
                           caps->package ? caps->package : "");
    g_string_append_printf(buf, "kvm: %s\n",
                           caps->kvmEnabled ? "enabled" :
                           caps->kvmPresent ? "present" : "absent");
    g_string_append_printf(buf, "default-machine: %s\n", def ? def : "none");
    g_string_append(buf, "flags:\n");
    for (i = 0; i < DRV_QEMU_CAPS_LAST; i++)
        g_string_append_printf(buf, "  %s: %s\n", drvQemuCapsFlagToString(i),
                               caps->flags[i] ? "yes" : "no");
    g_string_append_printf(buf, "qom-types: %u\n",
                           g_hash_table_size(caps->types));
    g_string_append_printf(buf, "cpu-models: %u\n", caps->cpuModels->len);
    drvQemuCapsFormatMachines(caps, buf);
    return g_string_free(buf, FALSE);
}
