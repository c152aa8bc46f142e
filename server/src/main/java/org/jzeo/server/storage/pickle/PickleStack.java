package org.jzeo.server.storage.pickle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The unpickler's value stack and mark stack. Like CPython's C unpickler, the most recent mark is a
 * fence: an opcode may only pop values pushed after it, so a malformed pickle is reported as a stack
 * underflow instead of silently consuming values that belong to an enclosing container.
 */
final class PickleStack {
    private final ArrayList<Object> values = new ArrayList<>();
    private int[] marks = new int[8];
    private int markCount;

    void push(Object value) {
        values.add(value);
    }

    /** The top value, which must lie above the current mark. */
    Object pop(PickleInput in) {
        if (values.size() <= fence()) {
            throw in.error(underflowMessage());
        }
        return values.remove(values.size() - 1);
    }

    /** The top value without removing it; it must lie above the current mark. */
    Object peek(PickleInput in) {
        if (values.size() <= fence()) {
            throw in.error(underflowMessage());
        }
        return values.get(values.size() - 1);
    }

    /** Replaces the top value (which must exist above the current mark). */
    void replaceTop(PickleInput in, Object value) {
        peek(in);
        values.set(values.size() - 1, value);
    }

    void mark() {
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, markCount * 2);
        }
        marks[markCount++] = values.size();
    }

    /** Removes the most recent mark and everything above it, returning those values (oldest first). */
    List<Object> popToMark(PickleInput in) {
        if (markCount == 0) {
            throw in.error("no MARK on the stack");
        }
        int start = marks[--markCount];
        List<Object> slice = values.subList(start, values.size());
        List<Object> items = new ArrayList<>(slice);
        slice.clear();
        return items;
    }

    /**
     * POP: removes the top value, or, when the most recent mark sits exactly at the top of the stack,
     * that mark (CPython does this; the pickler relies on it when it pops a recursive tuple).
     */
    void popValueOrMark(PickleInput in) {
        if (markCount > 0 && marks[markCount - 1] == values.size()) {
            markCount--;
            return;
        }
        pop(in);
    }

    private int fence() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private String underflowMessage() {
        return markCount == 0 ? "stack underflow" : "stack underflow (no value above the current MARK)";
    }
}
