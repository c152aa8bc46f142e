package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

/**
 * A pickle could not be read: it is truncated, malformed, uses an opcode this code does not
 * support, or does not have the shape the caller needs. When the problem is tied to a place in the
 * input, the message names the byte offset (from the start of the array given to the public entry
 * point, so for a data record it counts from the start of the record, not of pickle 2) and the
 * opcode there; {@link #offset()} exposes the offset too.
 */
public class PickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public PickleException(String message) {
        super(message);
        this.offset = -1;
    }

    public PickleException(String message, Throwable cause) {
        super(message, cause);
        this.offset = -1;
    }

    /** A problem found while executing the opcode {@code opcode} that starts at {@code offset}. */
    public PickleException(String message, long offset, int opcode) {
        super(message + " (at offset " + offset + ", opcode " + PickleOpcodes.describe(opcode) + ")");
        this.offset = offset;
    }

    /** A problem at {@code offset} that is not about one opcode (e.g. the data ended before any opcode). */
    public PickleException(String message, long offset) {
        super(message + " (at offset " + offset + ")");
        this.offset = offset;
    }

    /** The byte offset the problem was found at, or -1 when it is not about a place in the input. */
    public long offset() {
        return offset;
    }
}
