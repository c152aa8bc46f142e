package org.jzeo.server.net;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jzeo.api.Tid;

/**
 * The correspondence between the tids of a recorded Python run and the tids the jzeo server hands out when the
 * same session is replayed. It is learned from what the server sends (register, tpc_finish, invalidations, load
 * results, ...): the first time a recorded tid meets an actual one they are paired, and every later meeting must
 * agree, so a reply that names the wrong revision is caught even though the values themselves differ.
 *
 * <p>Values below 2^40 are not tids but oids or constants (z64, a client's made-up serial), which both runs share:
 * they are compared as they are. {@code z64} and {@code maxtid} map to themselves.
 */
final class TidMap {
    /** Every real tid (a 2000+ timestamp) is far above this; oids in the recordings are far below. */
    private static final long TID_THRESHOLD = 1L << 40;

    private final NavigableMap<Long, Long> toActual = new TreeMap<>();
    private final Map<Long, Long> toRecorded = new HashMap<>();

    TidMap() {
        pair(0L, 0L);
        pair(Tid.MAX.value(), Tid.MAX.value());
    }

    static long value(byte[] eightBytes) {
        return ByteBuffer.wrap(eightBytes).getLong();
    }

    static byte[] bytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    /** True for an 8-byte value that is a timestamp tid rather than an oid or a small constant. */
    static boolean isTidLike(byte[] value) {
        return value.length == 8 && Long.compareUnsigned(value(value), TID_THRESHOLD) >= 0;
    }

    /**
     * The tid to send in place of a recorded one: its pair; or, for the {@code lastTid + 1} the Python client
     * sends in its first {@code loadBefore}, the pair of {@code lastTid} plus one; or the value itself when the
     * server never named it (a client's own constant).
     */
    long toActual(long recorded) {
        Long known = toActual.get(recorded);
        if (known != null) {
            return known;
        }
        Long previous = toActual.get(recorded - 1);
        if (previous != null && previous != 0L) {
            return previous + 1;
        }
        return recorded;
    }

    /**
     * Checks that {@code actual} is where {@code recorded} was, learning the pair on first sight.
     *
     * @return null if consistent, otherwise what is wrong
     */
    String check(long recorded, long actual) {
        Long known = toActual.get(recorded);
        if (known != null) {
            return known == actual ? null : "expected " + hex(known) + " (the tid recorded as " + hex(recorded)
                    + "), got " + hex(actual);
        }
        Long previous = toActual.get(recorded - 1);
        if (previous != null && previous != 0L) {
            long expected = previous + 1;
            return expected == actual ? null : "expected " + hex(expected) + " (recorded " + hex(recorded)
                    + " = a known tid + 1), got " + hex(actual);
        }
        Long other = toRecorded.get(actual);
        if (other != null) {
            return "got " + hex(actual) + ", which already stands for the recorded " + hex(other) + ", where "
                    + hex(recorded) + " was recorded";
        }
        if (Long.compareUnsigned(actual, TID_THRESHOLD) < 0) {
            return "expected a tid (recorded " + hex(recorded) + "), got the small value " + hex(actual);
        }
        pair(recorded, actual);
        return null;
    }

    /**
     * A time for the replay that sits among the actual tids where {@code recordedSeconds} sat among the recorded
     * ones: after the actual pair of the latest recorded tid not later than it, by the same offset, but never
     * past the pair of the next recorded tid nor past now (pack times).
     */
    double toActualTime(double recordedSeconds) {
        Map.Entry<Long, Long> before = null;
        Map.Entry<Long, Long> after = null;
        for (Map.Entry<Long, Long> e : toActual.entrySet()) {
            if (e.getKey() == 0L || e.getKey() == Tid.MAX.value()) {
                continue;
            }
            double t = Tid.of(e.getKey()).toEpochSeconds();
            if (t <= recordedSeconds) {
                before = e;
            } else if (after == null) {
                after = e;
            }
        }
        java.time.Instant clock = java.time.Instant.now();
        double now = clock.getEpochSecond() + clock.getNano() / 1e9;
        if (before == null) {
            return Math.min(recordedSeconds, now);
        }
        double beforeActual = Tid.of(before.getValue()).toEpochSeconds();
        double candidate = beforeActual + (recordedSeconds - Tid.of(before.getKey()).toEpochSeconds());
        if (after != null) {
            candidate = Math.min(candidate, Tid.of(after.getValue()).toEpochSeconds() - 1e-6);
        }
        // Never at or before the actual tid it follows (1 µs after it: more than a double's rounding here): a commit
        // made a moment ago can carry a time ahead of the wall clock's reading, and a pack time before it would
        // leave that commit out of the pack.
        return Math.max(Math.min(candidate, now), beforeActual + 1e-6);
    }

    /** How many recorded tids have been paired (z64 and maxtid not counted). */
    int size() {
        return toActual.size() - 2;
    }

    private void pair(long recorded, long actual) {
        toActual.put(recorded, actual);
        toRecorded.put(actual, recorded);
    }

    static String hex(long value) {
        return String.format("%016x", value);
    }
}
