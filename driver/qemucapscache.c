/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The on-disk capability cache: one JSON file per binary in a directory
 * the caller owns.  A file holds its key (binary path, size, mtime and
 * ctime; the host fingerprint of driver/host.c, i.e. kernel release and
 * /dev/kvm presence; whether KVM was used; our version and a digest of
 * the probe's command list) and QEMU's raw answers, including the full
 * query-qmp-schema reply; flags are decided again on load.  A file that
 * does not match the key or does not parse is ignored (g_debug) and
 * replaced by a fresh probe: the cache is never trusted over the binary.
 */

/* 2: machines carry "cpu-max" */
#define DRV_QEMU_CAPS_CACHE_FORMAT 2

/**
 * drvQemuCapsCacheKeyClear:
 * @key: a cache key
 *
 * Frees what @key points to.
 */
void
drvQemuCapsCacheKeyClear(drvQemuCapsCacheKey *key)
{
    g_clear_pointer(&key->binary, g_free);
    g_clear_pointer(&key->host, g_free);
}

/* The host part of the key: kernel release and /dev/kvm presence. */
static char *
drvQemuCapsHostFingerprint(const drvQemuCapsConfig *config, GError **error)
{
    if (config && config->hostFingerprint)
        return g_strdup(config->hostFingerprint);
    return drvHostFingerprint(error);
}

/**
 * drvQemuCapsCacheKeyInit:
 * @key: filled in (clear it with drvQemuCapsCacheKeyClear())
 * @binary: the QEMU binary
 * @config: (nullable): host facts the tests override
 * @error: set on failure
 *
 * Returns: 0, or -1 with @error set when @binary cannot be stat'ed.
 */
int
drvQemuCapsCacheKeyInit(drvQemuCapsCacheKey *key, const char *binary,
                        const drvQemuCapsConfig *config, GError **error)
{
    struct stat sb;

    if (!g_path_is_absolute(binary)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' is not an absolute path"), binary);
        return -1;
    }
    if (stat(binary, &sb) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_NO_SUPPORT,
                    _("cannot find QEMU binary '%1$s': %2$s"),
                    binary, g_strerror(errno));
        return -1;
    }
    key->binary = g_strdup(binary);
    key->size = sb.st_size;
    key->mtimeNs = sb.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) +
        sb.st_mtim.tv_nsec;
    key->ctimeNs = sb.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) +
        sb.st_ctim.tv_nsec;
    key->kvm = drvQemuCapsKVMUsable(config);
    if (!(key->host = drvQemuCapsHostFingerprint(config, error)))
        return -1;
    return 0;
}

/**
 * drvQemuCapsCachePath:
 * @cacheDir: the cache directory
 * @binary: the QEMU binary
 *
 * Returns: the cache file of @binary (named by a hash of its path).
 */
char *
drvQemuCapsCachePath(const char *cacheDir, const char *binary)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
                                                         binary, -1);
    g_autofree char *name = g_strdup_printf("qemucaps-%.16s.json", sum);

    return g_build_filename(cacheDir, name, NULL);
}

/*
 * A digest of the probe's command list: a cache written by a probe that
 * asked different questions does not have the answers we need.
 */
static const char *
drvQemuCapsProbeDigest(void)
{
    static char *digest;

    if (g_once_init_enter(&digest)) {
        g_auto(GStrv) cmds = drvQemuCapsProbeCommands();
        g_autofree char *joined = g_strjoinv("\n", cmds);

        g_once_init_leave(&digest, g_compute_checksum_for_string(
                              G_CHECKSUM_SHA256, joined, -1));
    }
    return digest;
}

static qapiJSON *
drvQemuCapsCacheKeyToJSON(const drvQemuCapsCacheKey *key)
{
    qapiJSON *obj = NULL;

    if (qapiJSONObjectAdd(&obj, NULL,
                          "i:format", DRV_QEMU_CAPS_CACHE_FORMAT,
                          "s:virtgmem", PACKAGE_VERSION,
                          "s:probe", drvQemuCapsProbeDigest(),
                          "s:binary", key->binary,
                          "I:size", key->size,
                          "I:mtime-ns", key->mtimeNs,
                          "I:ctime-ns", key->ctimeNs,
                          "s:host", key->host,
                          "b:kvm", key->kvm,
                          NULL) < 0)
        g_assert_not_reached();
    return obj;
}

static qapiJSON *
drvQemuCapsStrvToJSON(GPtrArray *strings)
{
    qapiJSON *arr = qapiJSONNewArray();
    guint i;

    for (i = 0; i < strings->len; i++)
        qapiJSONArrayAppend(arr, qapiJSONNewString(strings->pdata[i]));
    return arr;
}

static gint
drvQemuCapsStrPtrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of @set, sorted, as a JSON array. */
static qapiJSON *
drvQemuCapsSetToJSON(GHashTable *set)
{
    g_autofree const char **keys =
        (const char **)g_hash_table_get_keys_as_array(set, NULL);
    g_autoptr(GPtrArray) arr = g_ptr_array_new();
    size_t i;

    for (i = 0; keys[i]; i++)
        g_ptr_array_add(arr, (char *)keys[i]);
    g_ptr_array_sort(arr, drvQemuCapsStrPtrCompare);
    return drvQemuCapsStrvToJSON(arr);
}

static qapiJSON *
drvQemuCapsPropsToJSON(GHashTable *props)
{
    g_autofree const char **types =
        (const char **)g_hash_table_get_keys_as_array(props, NULL);
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    qapiJSON *obj = qapiJSONNewObject();
    guint i;

    for (i = 0; types[i]; i++)
        g_ptr_array_add(sorted, (char *)types[i]);
    g_ptr_array_sort(sorted, drvQemuCapsStrPtrCompare);
    for (i = 0; i < sorted->len; i++) {
        GHashTable *set = g_hash_table_lookup(props, sorted->pdata[i]);

        qapiJSONObjectSet(obj, sorted->pdata[i], drvQemuCapsSetToJSON(set));
    }
    return obj;
}

static qapiJSON *
drvQemuCapsMachinesToJSON(GArray *machines)
{
    qapiJSON *arr = qapiJSONNewArray();
    guint i;

    for (i = 0; i < machines->len; i++) {
        drvQemuCapsMachine *m = &g_array_index(machines, drvQemuCapsMachine,
                                               i);
        qapiJSON *obj = NULL;

        if (qapiJSONObjectAdd(&obj, NULL, "s:name", m->name,
                              "S:alias", m->alias,
                              "b:is-default", m->isDefault,
                              "b:deprecated", m->deprecated,
                              "u:cpu-max", m->maxCpus, NULL) < 0)
            g_assert_not_reached();
        qapiJSONArrayAppend(arr, obj);
    }
    return arr;
}

/**
 * drvQemuCapsCacheFormat:
 * @caps: probed capabilities
 * @key: the key of the binary they were probed from
 *
 * Returns: the cache file's text.
 */
char *
drvQemuCapsCacheFormat(const drvQemuCaps *caps,
                       const drvQemuCapsCacheKey *key)
{
    g_autoptr(qapiJSON) obj = NULL;
    g_autoptr(qapiJSON) k = drvQemuCapsCacheKeyToJSON(key);
    g_autoptr(qapiJSON) types = drvQemuCapsSetToJSON(caps->types);
    g_autoptr(qapiJSON) props = drvQemuCapsPropsToJSON(caps->props);
    g_autoptr(qapiJSON) machines = drvQemuCapsMachinesToJSON(caps->machines);
    g_autoptr(qapiJSON) cpus = drvQemuCapsStrvToJSON(caps->cpuModels);
    g_autoptr(qapiJSON) trace = drvQemuCapsStrvToJSON(caps->traceEvents);
    g_autoptr(qapiJSON) mig = drvQemuCapsStrvToJSON(caps->migrationCaps);
    g_autoptr(qapiJSON) schema = qapiJSONCopy(drvQemuCapsGetSchema(caps));

    if (qapiJSONObjectAdd(&obj, NULL, "o:key", &k,
                          "u:major", caps->major, "u:minor", caps->minor,
                          "u:micro", caps->micro,
                          "s:package", caps->package ? caps->package : "",
                          "b:kvm-present", caps->kvmPresent,
                          "b:kvm-enabled", caps->kvmEnabled,
                          "a:qom-types", &types, "o:qom-properties", &props,
                          "a:machines", &machines, "a:cpu-models", &cpus,
                          "a:trace-events", &trace,
                          "a:migration-capabilities", &mig,
                          "a:schema", &schema, NULL) < 0)
        g_assert_not_reached();
    return qapiJSONFormat(obj, false);
}

static void
drvQemuCapsCacheSetBad(const char *member, GError **error)
{
    g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("QEMU capability cache member '%1$s' is missing or invalid"),
                member);
}

/* Whether the stored key @k is @key; @why says what differs. */
static bool
drvQemuCapsCacheKeyMatches(const qapiJSON *k, const drvQemuCapsCacheKey *key,
                           const char **why)
{
    gint64 format = 0;
    gint64 size = -1;
    gint64 mtime = -1;
    gint64 ctime = -1;
    bool kvm = false;

    *why = "format";
    if (!qapiJSONObjectGetInt64(k, "format", &format) ||
        format != DRV_QEMU_CAPS_CACHE_FORMAT ||
        g_strcmp0(qapiJSONObjectGetString(k, "virtgmem"), PACKAGE_VERSION))
        return false;
    *why = "probe command list";
    if (g_strcmp0(qapiJSONObjectGetString(k, "probe"),
                  drvQemuCapsProbeDigest()))
        return false;
    *why = "binary";
    if (g_strcmp0(qapiJSONObjectGetString(k, "binary"), key->binary))
        return false;
    *why = "size, mtime or ctime";
    if (!qapiJSONObjectGetInt64(k, "size", &size) || size != key->size ||
        !qapiJSONObjectGetInt64(k, "mtime-ns", &mtime) ||
        mtime != key->mtimeNs ||
        !qapiJSONObjectGetInt64(k, "ctime-ns", &ctime) ||
        ctime != key->ctimeNs)
        return false;
    *why = "host (kernel release or /dev/kvm presence)";
    if (g_strcmp0(qapiJSONObjectGetString(k, "host"), key->host))
        return false;
    *why = "/dev/kvm usability";
    return qapiJSONObjectGetBool(k, "kvm", &kvm) && kvm == key->kvm;
}

/* Member @member of @obj must be an array of strings; append them. */
static int
drvQemuCapsCacheStrings(const qapiJSON *obj, const char *member,
                        GPtrArray *out, GError **error)
{
    const qapiJSON *arr = qapiJSONObjectGetArray(obj, member);
    size_t i;

    if (!arr) {
        drvQemuCapsCacheSetBad(member, error);
        return -1;
    }
    for (i = 0; i < qapiJSONArraySize(arr); i++) {
        const char *str = qapiJSONGetStringValue(qapiJSONArrayGet(arr, i));

        if (!str) {
            drvQemuCapsCacheSetBad(member, error);
            return -1;
        }
        g_ptr_array_add(out, g_strdup(str));
    }
    return 0;
}

static int
drvQemuCapsCacheTypes(drvQemuCaps *caps, const qapiJSON *obj, GError **error)
{
    g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func(g_free);
    const qapiJSON *props = qapiJSONObjectGetObject(obj, "qom-properties");
    guint i;
    size_t j;

    if (drvQemuCapsCacheStrings(obj, "qom-types", types, error) < 0)
        return -1;
    for (i = 0; i < types->len; i++)
        drvQemuCapsAddType(caps, types->pdata[i]);
    if (!props) {
        drvQemuCapsCacheSetBad("qom-properties", error);
        return -1;
    }
    for (j = 0; j < qapiJSONObjectSize(props); j++) {
        const char *type = qapiJSONObjectKeyAt(props, j);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        if (drvQemuCapsCacheStrings(props, type, names, error) < 0)
            return -1;
        drvQemuCapsAddProperty(caps, type, NULL);
        for (i = 0; i < names->len; i++)
            drvQemuCapsAddProperty(caps, type, names->pdata[i]);
    }
    return 0;
}

static int
drvQemuCapsCacheMachines(drvQemuCaps *caps, const qapiJSON *obj,
                         GError **error)
{
    const qapiJSON *arr = qapiJSONObjectGetArray(obj, "machines");
    size_t i;

    if (!arr) {
        drvQemuCapsCacheSetBad("machines", error);
        return -1;
    }
    for (i = 0; i < qapiJSONArraySize(arr); i++) {
        drvQemuCapsMachine m = { 0 };

        if (drvQemuCapsParseMachine(qapiJSONArrayGet(arr, i), &m, "machines",
                                    error) < 0)
            return -1;
        g_array_append_val(caps->machines, m);
    }
    return 0;
}

static int
drvQemuCapsCacheVersion(drvQemuCaps *caps, const qapiJSON *obj,
                        GError **error)
{
    gint64 v[3] = { -1, -1, -1 };
    const char *package = qapiJSONObjectGetString(obj, "package");

    if (!qapiJSONObjectGetInt64(obj, "major", &v[0]) ||
        !qapiJSONObjectGetInt64(obj, "minor", &v[1]) ||
        !qapiJSONObjectGetInt64(obj, "micro", &v[2]) ||
        v[0] < 0 || v[0] > 999 || v[1] < 0 || v[1] > 999 ||
        v[2] < 0 || v[2] > 999 || !package ||
        !qapiJSONObjectGetBool(obj, "kvm-present", &caps->kvmPresent) ||
        !qapiJSONObjectGetBool(obj, "kvm-enabled", &caps->kvmEnabled)) {
        drvQemuCapsCacheSetBad("version", error);
        return -1;
    }
    caps->major = v[0];
    caps->minor = v[1];
    caps->micro = v[2];
    caps->package = g_strdup(package);
    return 0;
}

static int
drvQemuCapsCacheContents(drvQemuCaps *caps, qapiJSON *obj, GError **error)
{
    qapiJSON *schema = NULL;

    if (drvQemuCapsCacheVersion(caps, obj, error) < 0 ||
        drvQemuCapsCacheTypes(caps, obj, error) < 0 ||
        drvQemuCapsCacheMachines(caps, obj, error) < 0 ||
        drvQemuCapsCacheStrings(obj, "cpu-models", caps->cpuModels,
                                error) < 0 ||
        drvQemuCapsCacheStrings(obj, "trace-events", caps->traceEvents,
                                error) < 0 ||
        drvQemuCapsCacheStrings(obj, "migration-capabilities",
                                caps->migrationCaps, error) < 0)
        return -1;
    if (!qapiJSONObjectGetArray(obj, "schema")) {
        drvQemuCapsCacheSetBad("schema", error);
        return -1;
    }
    schema = qapiJSONObjectSteal(obj, "schema");
    return drvQemuCapsSetSchema(caps, schema, error);
}

/**
 * drvQemuCapsCacheParse:
 * @text: a cache file's contents
 * @key: the key the file must have
 * @error: set when the file is unusable (stale, foreign or corrupt)
 *
 * Returns: the capabilities with flags decided, or NULL with @error set.
 */
drvQemuCaps *
drvQemuCapsCacheParse(const char *text, const drvQemuCapsCacheKey *key,
                      GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qapiJSON) obj = qapiJSONParse(text, &err);
    g_autoptr(drvQemuCaps) caps = NULL;
    const qapiJSON *k;
    const char *why = NULL;

    if (!obj) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("QEMU capability cache is not JSON: %1$s"), err->message);
        return NULL;
    }
    if (!(k = qapiJSONObjectGetObject(obj, "key"))) {
        drvQemuCapsCacheSetBad("key", error);
        return NULL;
    }
    if (!drvQemuCapsCacheKeyMatches(k, key, &why)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("QEMU capability cache is stale for '%1$s': %2$s changed"),
                    key->binary, why);
        return NULL;
    }
    caps = drvQemuCapsNew();
    if (drvQemuCapsCacheContents(caps, obj, error) < 0)
        return NULL;
    caps->binary = g_strdup(key->binary);
    drvQemuCapsDecide(caps);
    return g_steal_pointer(&caps);
}

/**
 * drvQemuCapsCacheLoad:
 * @cacheDir: the cache directory
 * @key: the key of the binary
 *
 * Returns: the cached capabilities, or NULL (with a g_debug saying why)
 * when there is no usable cache file.
 */
drvQemuCaps *
drvQemuCapsCacheLoad(const char *cacheDir, const drvQemuCapsCacheKey *key)
{
    g_autofree char *path = drvQemuCapsCachePath(cacheDir, key->binary);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    drvQemuCaps *caps;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_debug("no QEMU capability cache for %s: %s", key->binary,
                err->message);
        return NULL;
    }
    if (!(caps = drvQemuCapsCacheParse(text, key, &err))) {
        g_debug("discarding QEMU capability cache %s: %s", path,
                err->message);
        return NULL;
    }
    g_debug("QEMU capabilities of %s from cache %s", key->binary, path);
    return caps;
}

/**
 * drvQemuCapsCacheSave:
 * @cacheDir: the cache directory (created when missing)
 * @caps: probed capabilities
 * @key: the key of the binary they came from
 * @error: set on failure
 *
 * Writes the cache file atomically (mode 0600).
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvQemuCapsCacheSave(const char *cacheDir, const drvQemuCaps *caps,
                     const drvQemuCapsCacheKey *key, GError **error)
{
    g_autofree char *path = drvQemuCapsCachePath(cacheDir, key->binary);
    g_autofree char *text = drvQemuCapsCacheFormat(caps, key);
    g_autoptr(GError) err = NULL;

    if (g_mkdir_with_parents(cacheDir, 0700) < 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create QEMU capability cache directory '%1$s': %2$s"),
                    cacheDir, g_strerror(errno));
        return -1;
    }
    if (!g_file_set_contents_full(path, text, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  &err)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot write QEMU capability cache '%1$s': %2$s"),
                    path, err->message);
        return -1;
    }
    return 0;
}

/**
 * drvQemuCapsLookup:
 * @binary: the QEMU binary
 * @config: (nullable): cache directory, timeout, host facts
 * @cacheHit: (out) (optional): whether the cache answered
 * @error: set on failure
 *
 * The capabilities of @binary: from the cache when its key still
 * matches, else from a new probe, which is then cached.  A cache that
 * cannot be written is logged (warning) and otherwise ignored.
 *
 * Returns: the capabilities, or NULL with @error set.
 */
drvQemuCaps *
drvQemuCapsLookup(const char *binary, const drvQemuCapsConfig *config,
                  bool *cacheHit, GError **error)
{
    g_auto(drvQemuCapsCacheKey) key = { 0 };
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autoptr(GError) err = NULL;
    const char *dir = config ? config->cacheDir : NULL;

    if (cacheHit)
        *cacheHit = false;
    if (drvQemuCapsCacheKeyInit(&key, binary, config, error) < 0)
        return NULL;
    if (dir && (caps = drvQemuCapsCacheLoad(dir, &key))) {
        if (cacheHit)
            *cacheHit = true;
        return g_steal_pointer(&caps);
    }
    if (!(caps = drvQemuCapsProbe(binary, config, error)))
        return NULL;
    if (dir && drvQemuCapsCacheSave(dir, caps, &key, &err) < 0)
        g_warning("%s", err->message);
    return g_steal_pointer(&caps);
}
