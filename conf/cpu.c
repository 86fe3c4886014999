/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/cpu.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(confCPUMode, CONF_CPU_MODE_LAST,
              "custom", "host-model", "host-passthrough", "maximum");
VGM_ENUM_IMPL(confCPUMatch, CONF_CPU_MATCH_LAST,
              "default", "minimum", "exact", "strict");
VGM_ENUM_IMPL(confCPUCheck, CONF_CPU_CHECK_LAST,
              "default", "none", "partial", "full");
VGM_ENUM_IMPL(confCPUFallback, CONF_CPU_FALLBACK_LAST,
              "default", "allow", "forbid");
VGM_ENUM_IMPL(confCPUFeaturePolicy, CONF_CPU_FEATURE_LAST,
              "force", "require", "optional", "disable", "forbid");

/**
 * confDomainCPUDefFree:
 * @cpu: a definition, or NULL
 *
 * Frees @cpu.
 */
void
confDomainCPUDefFree(confDomainCPUDef *cpu)
{
    size_t i;

    if (!cpu)
        return;
    for (i = 0; i < cpu->nfeatures; i++)
        g_free(cpu->features[i].name);
    g_free(cpu->features);
    g_free(cpu->model);
    g_free(cpu->vendor);
    g_free(cpu);
}

static int
confCPUModelParse(xmlNodePtr node, confDomainCPUDef *cpu, GError **error)
{
    static const char *const attrs[] = { "fallback", NULL };
    xmlNodePtr model;
    int val = 0;
    int rc = confXMLChildUnique(node, "model", &model, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(model, attrs, NULL, error) < 0 ||
        confXMLPropEnum(model, "fallback", confCPUFallbackToString,
                        CONF_PROP_NONZERO, &val, error) < 0)
        return -1;
    cpu->fallback = val;
    g_free(cpu->model);
    if ((cpu->model = confXMLNodeContent(model)))
        g_strstrip(cpu->model);
    return 0;
}

static int
confCPUTopologyParse(xmlNodePtr node, confDomainCPUDef *cpu, GError **error)
{
    static const char *const attrs[] = {
        "sockets", "dies", "clusters", "cores", "threads", NULL
    };
    const unsigned int flags = CONF_PROP_REQUIRED | CONF_PROP_NONZERO;
    xmlNodePtr topo;
    int rc = confXMLChildUnique(node, "topology", &topo, error);

    if (rc <= 0)
        return rc;
    cpu->haveTopology = true;
    if (confXMLCheckNode(topo, attrs, NULL, error) < 0 ||
        confXMLPropUInt(topo, "sockets", 10, flags, &cpu->sockets,
                        error) < 0 ||
        confXMLPropUInt(topo, "dies", 10, CONF_PROP_NONZERO, &cpu->dies,
                        error) < 0 ||
        confXMLPropUInt(topo, "clusters", 10, CONF_PROP_NONZERO,
                        &cpu->clusters, error) < 0 ||
        confXMLPropUInt(topo, "cores", 10, flags, &cpu->cores, error) < 0 ||
        confXMLPropUInt(topo, "threads", 10, flags, &cpu->threads,
                        error) < 0)
        return -1;
    return 0;
}

static int
confCPUFeaturesParse(xmlNodePtr node, confDomainCPUDef *cpu, GError **error)
{
    static const char *const attrs[] = { "policy", "name", NULL };
    xmlNodePtr cur;

    cpu->features = g_new0(confCPUFeature,
                           confXMLChildCount(node, "feature"));
    for (cur = node->children; cur; cur = cur->next) {
        confCPUFeature *feat;
        int policy = CONF_CPU_FEATURE_REQUIRE;

        if (cur->type != XML_ELEMENT_NODE ||
            strcmp((const char *)cur->name, "feature") != 0)
            continue;
        feat = &cpu->features[cpu->nfeatures++];
        if (confXMLCheckNode(cur, attrs, NULL, error) < 0 ||
            confXMLPropEnum(cur, "policy", confCPUFeaturePolicyToString,
                            CONF_PROP_NONE, &policy, error) < 0 ||
            confXMLPropString(cur, "name", CONF_PROP_REQUIRED |
                              CONF_PROP_NONZERO, &feat->name, error) < 0)
            return -1;
        feat->policy = policy;
    }
    return 0;
}

static int
confCPUAttrsParse(xmlNodePtr node, confDomainCPUDef *cpu, GError **error)
{
    int mode = CONF_CPU_MODE_CUSTOM;
    int match = 0;
    int check = 0;

    if (confXMLPropEnum(node, "mode", confCPUModeToString, CONF_PROP_NONE,
                        &mode, error) < 0 ||
        confXMLPropEnum(node, "match", confCPUMatchToString,
                        CONF_PROP_NONZERO, &match, error) < 0 ||
        confXMLPropEnum(node, "check", confCPUCheckToString,
                        CONF_PROP_NONZERO, &check, error) < 0 ||
        confXMLPropTristateSwitch(node, "migratable", CONF_PROP_NONE,
                                  &cpu->migratable, error) < 0)
        return -1;
    cpu->mode = mode;
    cpu->match = match;
    cpu->check = check;
    return 0;
}

/**
 * confDomainCPUDefParse:
 * @node: <cpu>
 * @cpu: set to the new definition
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDomainCPUDefParse(xmlNodePtr node, confDomainCPUDef **cpu,
                      GError **error)
{
    static const char *const attrs[] = {
        "mode", "match", "check", "migratable", NULL
    };
    static const char *const children[] = {
        "model", "vendor", "topology", "feature", NULL
    };
    g_autoptr(confDomainCPUDef) def = g_new0(confDomainCPUDef, 1);

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confCPUAttrsParse(node, def, error) < 0 ||
        confCPUModelParse(node, def, error) < 0 ||
        confXMLChildContent(node, "vendor", &def->vendor, error) < 0 ||
        confCPUTopologyParse(node, def, error) < 0 ||
        confCPUFeaturesParse(node, def, error) < 0)
        return -1;
    if (def->model && def->mode != CONF_CPU_MODE_CUSTOM &&
        def->mode != CONF_CPU_MODE_HOST_MODEL) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("'/domain/cpu/model' is not allowed with CPU mode '%1$s'"),
                    confCPUModeToString(def->mode));
        return -1;
    }
    *cpu = g_steal_pointer(&def);
    return 0;
}

static bool
confArchIsX86(const char *arch)
{
    return arch && (strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0);
}

/**
 * confDomainCPUDefPostParse:
 * @def: the domain
 * @error: return location for a GError
 *
 * Fill in libvirt's defaults: qemu64 for x86 without a model, the check
 * and match of each mode, dies and clusters of a topology.
 *
 * Returns: 0.
 */
int
confDomainCPUDefPostParse(confDomainDef *def, GError **error)
{
    confDomainCPUDef *cpu;

    if (!def->cpu && !confArchIsX86(def->os.arch))
        return 0;
    if (!def->cpu)
        def->cpu = g_new0(confDomainCPUDef, 1);
    cpu = def->cpu;
    if (cpu->haveTopology && cpu->dies == 0)
        cpu->dies = 1;
    if (cpu->haveTopology && cpu->clusters == 0)
        cpu->clusters = 1;
    switch (cpu->mode) {
    case CONF_CPU_MODE_CUSTOM:
        if (!cpu->model && confArchIsX86(def->os.arch)) {
            cpu->model = g_strdup("qemu64");
            cpu->fallback = CONF_CPU_FALLBACK_FORBID;
            if (!cpu->check)
                cpu->check = CONF_CPU_CHECK_NONE;
        }
        if (cpu->model && !cpu->match)
            cpu->match = CONF_CPU_MATCH_EXACT;
        if (cpu->model && !cpu->fallback)
            cpu->fallback = CONF_CPU_FALLBACK_ALLOW;
        if (cpu->model && !cpu->check)
            cpu->check = CONF_CPU_CHECK_PARTIAL;
        break;
    case CONF_CPU_MODE_HOST_MODEL:
        if (!cpu->check)
            cpu->check = CONF_CPU_CHECK_PARTIAL;
        break;
    case CONF_CPU_MODE_HOST_PASSTHROUGH:
    case CONF_CPU_MODE_MAXIMUM:
        if (!cpu->check)
            cpu->check = CONF_CPU_CHECK_NONE;
        if (!cpu->migratable)
            cpu->migratable = VGM_TRISTATE_SWITCH_ON;
        break;
    case CONF_CPU_MODE_LAST:
        break;
    }
    return 0;
}

/**
 * confDomainCPUDefValidate:
 * @def: the domain
 * @error: return location for a GError
 *
 * Returns: 0, or -1 when the topology does not give the vCPU count.
 */
int
confDomainCPUDefValidate(const confDomainDef *def, GError **error)
{
    const confDomainCPUDef *cpu = def->cpu;
    unsigned long long n;

    if (!cpu || !cpu->haveTopology)
        return 0;
    n = (unsigned long long)cpu->sockets * MAX(cpu->dies, 1) *
        MAX(cpu->clusters, 1) * cpu->cores * cpu->threads;
    if (n != def->vcpus) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL,
                    _("'/domain/cpu/topology' gives %1$llu vCPUs but '/domain/vcpu' is %2$u"),
                    n, def->vcpus);
        return -1;
    }
    return 0;
}

static void
confCPUAttrsFormat(confBuf *attrs, const confDomainCPUDef *cpu)
{
    bool custom = cpu->mode == CONF_CPU_MODE_CUSTOM;

    if (!custom || cpu->model || cpu->match || cpu->check)
        confBufAdd(attrs, " mode='%s'", confCPUModeToString(cpu->mode));
    if (custom && cpu->match)
        confBufAdd(attrs, " match='%s'", confCPUMatchToString(cpu->match));
    if (cpu->check)
        confBufAdd(attrs, " check='%s'", confCPUCheckToString(cpu->check));
    if (cpu->migratable)
        confBufAdd(attrs, " migratable='%s'",
                   vgmTristateSwitchToString(cpu->migratable));
}

static void
confCPUTopologyFormat(confBuf *child, const confDomainCPUDef *cpu)
{
    if (!cpu->haveTopology)
        return;
    confBufAdd(child, "<topology sockets='%u'", cpu->sockets);
    if (cpu->dies)
        confBufAdd(child, " dies='%u'", cpu->dies);
    if (cpu->clusters)
        confBufAdd(child, " clusters='%u'", cpu->clusters);
    confBufAdd(child, " cores='%u' threads='%u'/>\n", cpu->cores,
               cpu->threads);
}

/**
 * confDomainCPUDefFormat:
 * @buf: the output
 * @cpu: the definition, or NULL
 *
 * Appends <cpu> in libvirt's attribute and child order.
 */
void
confDomainCPUDefFormat(confBuf *buf, const confDomainCPUDef *cpu)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };
    size_t i;

    if (!cpu)
        return;
    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confCPUAttrsFormat(&attrs, cpu);
    if (cpu->model) {
        confBufAdd(&child, "<model");
        if (cpu->fallback)
            confBufAdd(&child, " fallback='%s'",
                       confCPUFallbackToString(cpu->fallback));
        confBufEscape(&child, ">%s</model>\n", cpu->model);
    }
    if (cpu->vendor)
        confBufEscape(&child, "<vendor>%s</vendor>\n", cpu->vendor);
    confCPUTopologyFormat(&child, cpu);
    for (i = 0; i < cpu->nfeatures; i++) {
        confBufAdd(&child, "<feature policy='%s'",
                   confCPUFeaturePolicyToString(cpu->features[i].policy));
        confBufEscape(&child, " name='%s'/>\n", cpu->features[i].name);
    }
    if (confBufIsEmpty(&attrs) && confBufIsEmpty(&child))
        confBufAdd(buf, "<cpu/>\n");
    else
        confXMLFormatElement(buf, "cpu", &attrs, &child);
}
