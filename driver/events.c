/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Domain events.  Emitting queues the event (any thread, any lock held);
 * the driver thread delivers the queue in order to every registered
 * callback with no lock held, so a callback may call back into the
 * driver's query functions.  A callback deregistered during a delivery
 * may see that one last event; its data is freed after it.
 */

typedef struct {
    int id;
    drvDomainEventFunc func;
    gpointer opaque;
    GDestroyNotify freeOpaque;
} drvEventCallback;

typedef struct {
    drvDomainRef dom;
    int eventID;
    int event;
    int detail;
} drvEvent;

struct drvEventQueue {
    GMutex lock;
    GMainContext *ctx;
    GQueue pending;            /* drvEvent */
    bool scheduled;
    GPtrArray *callbacks;      /* drvEventCallback */
    int nextID;
};

static void
drvEventCallbackFree(drvEventCallback *cb)
{
    if (cb->freeOpaque)
        cb->freeOpaque(cb->opaque);
    g_free(cb);
}

static void
drvEventFree(drvEvent *ev)
{
    g_free(ev->dom.name);
    g_free(ev);
}

/**
 * drvEventQueueNew:
 * @ctx: the driver thread's context
 *
 * Returns: (transfer full): an event queue delivering on @ctx.
 */
drvEventQueue *
drvEventQueueNew(GMainContext *ctx)
{
    drvEventQueue *q = g_new0(drvEventQueue, 1);

    g_mutex_init(&q->lock);
    q->ctx = g_main_context_ref(ctx);
    g_queue_init(&q->pending);
    q->callbacks = g_ptr_array_new_with_free_func(
        (GDestroyNotify)drvEventCallbackFree);
    q->nextID = 1;
    return q;
}

/**
 * drvEventQueueFree:
 * @q: a queue or NULL
 *
 * Drops pending events and the registered callbacks.
 */
void
drvEventQueueFree(drvEventQueue *q)
{
    if (!q)
        return;
    g_queue_clear_full(&q->pending, (GDestroyNotify)drvEventFree);
    g_ptr_array_unref(q->callbacks);
    g_main_context_unref(q->ctx);
    g_mutex_clear(&q->lock);
    g_free(q);
}

/* One callback list snapshot per delivery, so callbacks may deregister. */
static GPtrArray *
drvEventCallbacksCopy(drvEventQueue *q)
{
    GPtrArray *copy = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    for (i = 0; i < q->callbacks->len; i++) {
        drvEventCallback *cb = g_ptr_array_index(q->callbacks, i);

        g_ptr_array_add(copy, g_memdup2(cb, sizeof(*cb)));
    }
    return copy;
}

static gboolean
drvEventDispatch(gpointer opaque)
{
    drvDriver *drv = opaque;
    drvEventQueue *q = drv->events;
    drvEvent *ev;

    for (;;) {
        g_autoptr(GPtrArray) cbs = NULL;
        size_t i;

        g_mutex_lock(&q->lock);
        if (!(ev = g_queue_pop_head(&q->pending))) {
            q->scheduled = false;
            g_mutex_unlock(&q->lock);
            return G_SOURCE_REMOVE;
        }
        cbs = drvEventCallbacksCopy(q);
        g_mutex_unlock(&q->lock);
        for (i = 0; i < cbs->len; i++) {
            drvEventCallback *cb = g_ptr_array_index(cbs, i);

            cb->func(drv, &ev->dom, ev->eventID, ev->event, ev->detail,
                     cb->opaque);
        }
        drvEventFree(ev);
    }
}

static void
drvEventQueuePush(drvDriver *drv, drvEvent *ev)
{
    drvEventQueue *q = drv->events;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&q->lock);
    GSource *src;

    g_queue_push_tail(&q->pending, ev);
    if (q->scheduled)
        return;
    q->scheduled = true;
    /* Never run at once, even on the driver thread: the caller may hold
     * an object lock. */
    src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, drvEventDispatch, drv, NULL);
    g_source_attach(src, q->ctx);
    g_source_unref(src);
}

static drvEvent *
drvEventNew(drvDomainObj *obj, int eventID, int event, int detail)
{
    drvEvent *ev = g_new0(drvEvent, 1);

    ev->dom.name = g_strdup(obj->def->name);
    memcpy(ev->dom.uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    ev->dom.id = obj->def->id;
    ev->eventID = eventID;
    ev->event = event;
    ev->detail = detail;
    return ev;
}

/* Queue a lifecycle event (virDomainEventType + detail) for @obj. */
void
drvEventEmit(drvDriver *drv, drvDomainObj *obj, int event, int detail)
{
    g_debug("domain '%s' event %d/%d", obj->def->name, event, detail);
    drvEventQueuePush(drv, drvEventNew(obj, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                       event, detail));
}

/**
 * drvEventEmitReboot:
 * @drv: the driver
 * @obj: a locked domain
 *
 * Queues a VIR_DOMAIN_EVENT_ID_REBOOT event.
 */
void
drvEventEmitReboot(drvDriver *drv, drvDomainObj *obj)
{
    drvEventQueuePush(drv, drvEventNew(obj, VIR_DOMAIN_EVENT_ID_REBOOT,
                                       0, 0));
}

static gboolean
drvEventNothing(gpointer opaque)
{
    return G_SOURCE_REMOVE;
}

/**
 * drvEventRegister:
 * @drv: the driver
 * @func: called on the driver thread for every domain event
 * @opaque: passed to @func
 * @freeOpaque: frees @opaque when the callback is deregistered
 *
 * Returns: the callback id, for drvEventDeregister().
 */
int
drvEventRegister(drvDriver *drv, drvDomainEventFunc func, gpointer opaque,
                 GDestroyNotify freeOpaque)
{
    drvEventQueue *q = drv->events;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&q->lock);
    drvEventCallback *cb = g_new0(drvEventCallback, 1);

    cb->id = q->nextID++;
    cb->func = func;
    cb->opaque = opaque;
    cb->freeOpaque = freeOpaque;
    g_ptr_array_add(q->callbacks, cb);
    return cb->id;
}

/**
 * drvEventDeregister:
 * @drv: the driver
 * @callbackID: what drvEventRegister() returned
 * @error: return location for a VIR_ERR_INVALID_ARG error
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvEventDeregister(drvDriver *drv, int callbackID, GError **error)
{
    drvEventQueue *q = drv->events;
    drvEventCallback *cb = NULL;
    GSource *src;
    size_t i;

    g_mutex_lock(&q->lock);
    for (i = 0; i < q->callbacks->len; i++) {
        drvEventCallback *c = g_ptr_array_index(q->callbacks, i);

        if (c->id == callbackID)
            cb = g_ptr_array_steal_index(q->callbacks, i);
    }
    g_mutex_unlock(&q->lock);
    if (!cb) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("no event callback with id %1$d"), callbackID);
        return -1;
    }
    /* A delivery in progress may still call it: free it on the driver
     * thread after that delivery (or when the context goes). */
    src = g_idle_source_new();
    g_source_set_callback(src, drvEventNothing, cb,
                          (GDestroyNotify)drvEventCallbackFree);
    g_source_attach(src, q->ctx);
    g_source_unref(src);
    return 0;
}
