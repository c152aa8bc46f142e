package org.jzeo.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The error payload of a ZEO error reply (spec §3.2): the fully qualified Python class name and the exception
 * arguments, a Map (the instance dict, in its attribute order) or a List (the args tuple). Immutable as far as
 * its creator lets it be: {@link WireErrors} builds it from fresh collections and nobody else keeps them.
 */
public record WireError(String className, Object excArgs) {
    public WireError {
        if (className == null) {
            throw new IllegalArgumentException("className is required");
        }
        if (excArgs instanceof Map) {
            excArgs = Collections.unmodifiableMap((Map<?, ?>) excArgs);
        } else if (excArgs instanceof List) {
            excArgs = Collections.unmodifiableList((List<?>) excArgs);
        } else {
            throw new IllegalArgumentException("excArgs must be a Map or a List, got "
                    + MsgpackValues.wireType(excArgs));
        }
    }

    /** True when {@link #excArgs()} is the instance dict rather than the args array. */
    public boolean hasAttributeMap() {
        return excArgs instanceof Map;
    }
}
