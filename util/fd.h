/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* GLib 2.74 has no g_autofd: this is ours. */
void vgmCloseFDPtr(int *fd);

#define VGM_AUTOCLOSE __attribute__((cleanup(vgmCloseFDPtr)))

/* Take the fd out of an auto-closed variable, leaving -1 behind. */
static inline int
vgmStealFD(int *fd)
{
    int ret = *fd;

    *fd = -1;
    return ret;
}

int vgmSetCloseExec(int fd, GError **error);
