/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/domain.h"
#include "conf/xml.h"

/* <os>, <features> and <clock>: the machine the guest sees. */

int confDomainOsParse(xmlNodePtr node, confDomainDef *def, GError **error);
void confDomainOsClear(confDomainDef *def);
int confDomainOsPostParse(confDomainDef *def,
                          const confDomainParseOpts *opts, GError **error);
int confDomainOsValidate(const confDomainDef *def, GError **error);
void confDomainOsFormat(confBuf *buf, const confDomainDef *def);

int confDomainFeaturesParse(xmlNodePtr node, confDomainFeatures *features,
                            GError **error);
void confDomainFeaturesFormat(confBuf *buf,
                              const confDomainFeatures *features);

int confDomainClockParse(xmlNodePtr node, confDomainClock *clock,
                         GError **error);
void confDomainClockClear(confDomainClock *clock);
void confDomainClockFormat(confBuf *buf, const confDomainClock *clock);
