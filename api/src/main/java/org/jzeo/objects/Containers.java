package org.jzeo.objects;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jzeo.api.Oid;

/**
 * How the persistent containers hold values: a persistent object is held as a {@link Lazy} reference, so a loaded
 * container does not load (or keep in memory) the objects it holds until they are asked for.
 */
final class Containers {
    private Containers() {
    }

    static Object hold(Object value) {
        return value instanceof Persistent p ? Lazy.of(p) : value;
    }

    /** How many targets a cache miss prefetches, the one asked for included. */
    static final int PREFETCH_WINDOW = 100;
    /** How many following elements a miss looks at, at most, to fill its window (plain values, loaded targets). */
    static final int PREFETCH_SCAN = 4 * PREFETCH_WINDOW;

    static Object release(Object held) {
        return held instanceof Lazy<?> lazy ? lazy.get() : held;
    }

    /**
     * {@link #release(Object)} of {@code elements.get(index)}, which on a cache miss first prefetches the targets of
     * the following elements (see {@link #prefetchWindow}).
     */
    static Object release(List<?> elements, int index) {
        return release(elements.get(index), elements, index);
    }

    /**
     * {@link #release(Object)} of {@code held}, read from {@code elements} at {@code index} (a hint: the elements
     * may have changed since), which on a cache miss first prefetches the targets of the elements after it.
     */
    static Object release(Object held, List<?> elements, int index) {
        return release(held, elements, index, null);
    }

    /**
     * {@link #release(Object, List, int)} that, when the window takes the last of {@code elements}, adds the
     * target of {@code then} (a B-tree bucket's link to the next bucket) if it is not loaded.
     */
    static Object release(Object held, List<?> elements, int index, Lazy<?> then) {
        if (held instanceof Lazy<?> lazy) {
            ObjectSession session = missing(lazy);
            if (session != null) {
                int from = Math.max(0, Math.min(index + 1, elements.size()));
                Iterator<?> following = elements.listIterator(from);
                if (then != null) {
                    following = followedBy(following, then);
                }
                prefetchWindow(session, lazy.oid(), following);
            }
            return lazy.get();
        }
        return held;
    }

    private static Iterator<Object> followedBy(Iterator<?> first, Object last) {
        return new Iterator<>() {
            private boolean lastTaken;

            @Override
            public boolean hasNext() {
                return first.hasNext() || !lastTaken;
            }

            @Override
            public Object next() {
                if (first.hasNext()) {
                    return first.next();
                }
                if (lastTaken) {
                    throw new java.util.NoSuchElementException();
                }
                lastTaken = true;
                return last;
            }
        };
    }

    /**
     * The session to prefetch through if {@code lazy}'s target is neither loaded in its session nor already
     * prefetched by an earlier miss (a window in progress), else null. Costs one identity-map lookup on a hit.
     */
    static ObjectSession missing(Lazy<?> lazy) {
        ObjectSession session = lazy.storedSession();
        if (session == null) {
            return null;
        }
        Oid oid = lazy.oid();
        return session.isLoaded(oid) || session.wasPrefetched(oid) ? null : session;
    }

    /**
     * Prefetches {@code first} with the targets of the lazy elements that {@code following} yields, up to
     * {@link #PREFETCH_WINDOW} targets in all, skipping those loaded in the session, new, or of another session,
     * and looking at {@link #PREFETCH_SCAN} elements at most. Returns how many elements it took from
     * {@code following}.
     */
    static int prefetchWindow(ObjectSession session, Oid first, Iterator<?> following) {
        List<Oid> window = new ArrayList<>();
        window.add(first);
        int scanned = 0;
        while (window.size() < PREFETCH_WINDOW && scanned < PREFETCH_SCAN && following.hasNext()) {
            Object next = following.next();
            scanned++;
            if (next instanceof Lazy<?> lazy && lazy.storedSession() == session) {
                Oid oid = lazy.oid();
                if (!session.isLoaded(oid)) {
                    window.add(oid);
                }
            }
        }
        if (window.size() > 1) {
            session.prefetch(window);
        }
        return scanned;
    }

    /** Keys and set elements are compared by value, which a persistent object does not have. */
    static Object requireValue(Object element, String what) {
        if (element instanceof Persistent || element instanceof Lazy<?>) {
            throw new IllegalArgumentException(what + " must be values, not persistent objects ("
                    + element.getClass().getName() + "): use the object's id or name instead");
        }
        return element;
    }
}
