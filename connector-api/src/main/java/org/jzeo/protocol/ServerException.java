package org.jzeo.protocol;

import java.util.List;
import java.util.Map;
import org.jzeo.api.StorageException;

/**
 * An error reply the client has no specific jzeo exception for (ZEO's own {@code ServerException}): it keeps
 * the server's Python class name and its exception arguments, and names both in the message. Not retryable: the
 * server refused the call itself (unknown storage, a TypeError, an internal error).
 *
 * <p>Handed back to {@link WireErrors#toWire(Throwable)}, it becomes the same class name and arguments again, so
 * a relay passes errors through unchanged.
 */
public final class ServerException extends StorageException {
    private final String className;
    private final Object excArgs;

    public ServerException(String className, Object excArgs) {
        super(className + ": " + WireErrors.render(excArgs));
        if (!(excArgs instanceof Map) && !(excArgs instanceof List)) {
            throw new IllegalArgumentException("excArgs must be a Map or a List");
        }
        this.className = className;
        this.excArgs = excArgs;
    }

    /** The Python class name, e.g. "builtins.ValueError". */
    public String className() {
        return className;
    }

    /** The exception arguments as decoded: a Map or a List (unmodifiable when they came from the codec). */
    public Object excArgs() {
        return excArgs;
    }

    /** The first argument when it is a str, which is the message of most Python exceptions; else null. */
    public String firstArgument() {
        if (excArgs instanceof List && !((List<?>) excArgs).isEmpty() && ((List<?>) excArgs).get(0) instanceof String) {
            return (String) ((List<?>) excArgs).get(0);
        }
        return null;
    }
}
