package org.jzeo.server.storage.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jzeo.api.Oid;
import org.jzeo.storage.record.JzeoRecord;

/**
 * Finds the objects a data record references, for pack's garbage collection: the Java equivalent of
 * ZODB's {@code referencesf} (spec filestorage-format.md §10).
 *
 * <p>Guarantees: every strong reference in the record is returned, in the order it appears,
 * duplicates included (as {@code referencesf} does). Weak and cross-database references (persistent
 * ids that are lists) are not returned. If the record cannot be fully understood the result is a
 * {@link PickleException}, never a partial list: dropping a reachable object is unrecoverable, so
 * pack must stop instead.
 *
 * <p>Stateless and thread-safe; no class is ever loaded or instantiated, so scanning untrusted
 * records is safe.
 */
public final class ReferenceScanner {
    private ReferenceScanner() {}

    /**
     * The strong references of a ZODB record: pickle 1 (the class) and, if anything follows its STOP,
     * pickle 2 (the state), run with one shared memo. Bytes after the second STOP are ignored, as
     * {@code referencesf} ignores them.
     *
     * @throws PickleException for an empty record, an unknown opcode, a truncated pickle, a stack
     *     underflow, a missing memo key, or a persistent id whose oid is not 8 bytes of bytes/str
     */
    public static List<Oid> references(byte[] record) {
        Objects.requireNonNull(record, "record");
        if (record.length == 0) {
            throw new PickleException("empty record");
        }
        List<Oid> references = new ArrayList<>();
        NoLoadInterpreter interpreter = new NoLoadInterpreter(record, oid -> references.add(Oid.fromBytes(oid)));
        int end = interpreter.run(0);
        if (end < record.length) {
            interpreter.run(end);
        }
        return Collections.unmodifiableList(references);
    }

    /** A {@link org.jzeo.server.storage.ReferenceFinder} for pack's GC: {@link #referencesOf} for every record. */
    public static org.jzeo.server.storage.ReferenceFinder finder() {
        return (oid, data) -> referencesOf(data);
    }

    /**
     * The strong references of any record jzeo stores: a {@link JzeoRecord} lists them in its header;
     * anything else is scanned as a ZODB pickle record by {@link #references}.
     *
     * @throws PickleException if the record is empty, is a malformed jzeo record, or cannot be
     *     scanned as a pickle
     */
    public static List<Oid> referencesOf(byte[] record) {
        Objects.requireNonNull(record, "record");
        if (JzeoRecord.isJzeoRecord(record)) {
            try {
                return JzeoRecord.decode(record).references();
            } catch (IllegalArgumentException e) {
                throw new PickleException("malformed jzeo record: " + e.getMessage(), e);
            }
        }
        return references(record);
    }
}
