package org.jzeo.objects;

/**
 * A persistent {@code long} that many transactions can change at once without conflicting (ZODB's
 * {@code BTrees.Length}): concurrent {@link #add}s merge as {@code mine + committed - old}, so every addition counts.
 * {@link PersistentSortedMap} keeps its size in one, so that inserting into different buckets concurrently does not
 * conflict on the size.
 *
 * <p>Only additions merge correctly: a {@link #set} that races with another transaction's change is merged as if it
 * were the addition of the difference, which is rarely what was meant. Use {@code set} when nobody else changes the
 * counter (or to initialize it).
 */
public final class Counter extends Persistent implements ResolvesConflicts {
    private long value;

    public Counter() {
    }

    public Counter(long initial) {
        this.value = initial;
    }

    /** The current value. */
    public long get() {
        return value;
    }

    /** Adds {@code delta} (negative to subtract) and returns the new value. */
    public long add(long delta) {
        if (delta != 0) {
            value += delta;
            markChanged();
        }
        return value;
    }

    /** Sets the value (see the class comment about concurrent changes). */
    public void set(long newValue) {
        if (newValue != value) {
            value = newValue;
            markChanged();
        }
    }

    /** {@code mine + committed - old}: both transactions' additions, never a conflict. */
    @Override
    public Object resolveConflict(Object old, Object committed) {
        if (old == null) {
            return null; // made by both transactions: nothing to add to
        }
        value = value + ((Counter) committed).value - ((Counter) old).value;
        return this;
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }

    @Override
    public String toString() {
        return "Counter[" + value + "]";
    }
}
