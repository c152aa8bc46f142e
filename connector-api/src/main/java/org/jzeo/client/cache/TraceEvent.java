package org.jzeo.client.cache;

/**
 * One cache operation in a trace. {@code tid} is the snapshot ({@code before}) of a load, the start tid of a
 * store and the invalidating tid of an invalidation (0 when it does not apply); {@code size} is the data size
 * when known (a load hit or a store), else 0.
 */
public record TraceEvent(long timeMillis, Type type, long oid, long tid, int size) {

    /** What happened; the code is what the trace file stores. */
    public enum Type {
        LOAD_HIT(1), LOAD_MISS(2), STORE(3), INVALIDATE(4), DROP(5), CLEAR(6);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public boolean isLoad() {
            return this == LOAD_HIT || this == LOAD_MISS;
        }

        static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }
}
