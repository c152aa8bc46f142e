package org.jzeo.objects.python;

import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;

/**
 * A ZODB record could not be read as Python pickles: it is truncated or malformed, uses an opcode
 * that {@link PickleRecordReader} refuses, or does not have the shape ZODB writes. The message is
 * one line naming the oid, the byte offset in the record and the opcode there, e.g.
 * {@code oid 0000000000000001: EXT1 (extension registry codes) is not supported (opcode 0x82 EXT1 at offset 57)}.
 */
public class PickleFormatException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final transient Oid oid;
    private final long offset;
    private final int opcode;

    /**
     * @param offset the byte offset in the record, or -1
     * @param opcode the opcode being executed (0–255), or -1
     */
    public PickleFormatException(Oid oid, String problem, long offset, int opcode) {
        super(message(oid, problem, offset, opcode));
        this.oid = oid;
        this.offset = offset;
        this.opcode = opcode;
    }

    private static String message(Oid oid, String problem, long offset, int opcode) {
        StringBuilder out = new StringBuilder("oid ").append(oid).append(": ").append(problem);
        if (opcode >= 0) {
            out.append(" (opcode ").append(PickleOpcodes.describe(opcode)).append(" at offset ")
                    .append(offset).append(')');
        } else if (offset >= 0) {
            out.append(" (at offset ").append(offset).append(')');
        }
        return out.toString();
    }

    /** The oid of the record that could not be read. */
    public Oid oid() {
        return oid;
    }

    /** The byte offset (from the start of the record) of the opcode at fault, or -1. */
    public long offset() {
        return offset;
    }

    /** The opcode at fault (0–255), or -1 when the problem is not about one opcode. */
    public int opcode() {
        return opcode;
    }
}
