package org.jzeo.objects.python;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A Python {@code tuple}: an unmodifiable {@link java.util.List} that remembers it was a tuple, not
 * a list. Equality is {@link java.util.List}'s (element by element), so a tuple key can be looked
 * up with {@code PythonTuple.of(...)} or any list of equal elements.
 */
public final class PythonTuple extends AbstractList<Object> implements RandomAccess {
    private static final PythonTuple EMPTY = new PythonTuple(new Object[0]);

    private final Object[] items;

    private PythonTuple(Object[] items) {
        this.items = items;
    }

    /** A tuple of the given items ({@code null} stands for {@code None}). */
    public static PythonTuple of(Object... items) {
        return items.length == 0 ? EMPTY : new PythonTuple(items.clone());
    }

    /** Takes ownership of {@code items}. */
    static PythonTuple wrap(Object[] items) {
        return items.length == 0 ? EMPTY : new PythonTuple(items);
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    /** Python's tuple syntax, e.g. {@code (1,)} or {@code ('a', 2)}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            Object item = items[i];
            out.append(item == this ? "(...)" : PythonObject.repr(item));
        }
        return out.append(items.length == 1 ? ",)" : ")").toString();
    }
}
