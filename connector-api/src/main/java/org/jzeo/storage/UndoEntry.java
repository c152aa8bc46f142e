package org.jzeo.storage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jzeo.api.Tid;

/**
 * One transaction in {@code undoLog}/{@code undoInfo}. {@code id} is ZODB's undo id: the base64 of the tid
 * without a trailing newline, as bytes. {@code size} is the transaction record's length.
 */
public record UndoEntry(byte[] id, Tid tid, double time, byte[] user, byte[] description, long size,
                        Map<String, Object> extension) {

    public static byte[] idOf(Tid tid) {
        return Base64.getEncoder().encode(tid.toBytes());
    }

    /** Decodes an undo id back to its tid. */
    public static Tid tidOf(byte[] id) {
        byte[] raw;
        try {
            raw = Base64.getMimeDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            throw new org.jzeo.api.UndoException("not an undo id: " + new String(id, StandardCharsets.ISO_8859_1),
                    null);
        }
        if (raw.length != 8) {
            throw new org.jzeo.api.UndoException("not an undo id: " + new String(id, StandardCharsets.ISO_8859_1),
                    null);
        }
        return Tid.fromBytes(raw);
    }
}
