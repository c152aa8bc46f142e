package org.jzeo.objects;

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

    static Object release(Object held) {
        return held instanceof Lazy<?> lazy ? lazy.get() : held;
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
