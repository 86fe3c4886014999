/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util/fd.h"
#include "util/i18n.h"

void
vgmCloseFDPtr(int *fd)
{
    int saved = errno;

    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    errno = saved;
}

/**
 * vgmSetCloseExec:
 * @fd: an open file descriptor
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set (a G_FILE_ERROR).
 */
int
vgmSetCloseExec(int fd, GError **error)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        int err = errno;

        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    _("cannot set close-on-exec on fd %1$d: %2$s"), fd,
                    g_strerror(err));
        return -1;
    }
    return 0;
}
