package org.jzeo.server.copy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;

/**
 * Writes a history that exercises everything a copy must carry over: metadata with user, description and an
 * extension of several kinds, new objects, updates, a pack (transactions with status 'p'), a deletion, undos (back
 * pointer records, and an undone creation with no data) and, when the storage keeps blobs, blob revisions including
 * one brought back by an undo.
 */
public final class SampleHistory {
    private final Storage storage;

    public SampleHistory(Storage storage) {
        this.storage = storage;
    }

    /** Writes the whole history; returns the oids written. */
    public List<Oid> write() {
        Oid root = Oid.ROOT;
        List<Oid> oids = storage.newOids(4);
        Oid a = oids.get(0);
        Oid b = oids.get(1);
        Oid c = oids.get(2);
        Oid d = oids.get(3);
        commit("alice", "create the root", Map.of("note", "first", "count", 1L),
                t -> t.store(root, Tid.ZERO, data("root v1")));
        commit("alice", "add a and b", Map.of(), t -> {
            t.store(a, Tid.ZERO, data("a v1"));
            t.store(b, Tid.ZERO, data("b v1"));
        });
        Tid aV2 = commit("bob", "a v2", Map.of("list", List.of("x", 2L), "flag", true),
                t -> t.store(a, serial(a), data("a v2")));
        Tid aV3 = commit("bob", "a v3", Map.of(), t -> t.store(a, serial(a), data("a v3")));
        // Packing keeps the current revisions and marks the transactions before the pack time 'p'.
        storage.pack(aV2, false);
        commit("carol", "delete b", Map.of("reason", "obsolete"), t -> t.delete(b, serial(b)));
        commit("carol", "undo a v3", Map.of(), t -> t.undo(UndoEntry.idOf(aV3))); // a back to v2: a back pointer
        Tid cCreated = commit("", "", Map.of("nested", Map.of("k", "v")),
                t -> t.store(c, Tid.ZERO, data("c v1")));
        commit("dave", "undo the creation of c", Map.of(), t -> t.undo(UndoEntry.idOf(cCreated)));
        commit("eve", "root v2", Map.of(), t -> t.store(root, serial(root), data("root v2")));
        if (storage.supportsBlobs()) {
            commitBlob(d, "blob one".repeat(1000));
            Tid second = commitBlob(d, "blob two");
            commit("frank", "undo the second blob", Map.of(), t -> t.undo(UndoEntry.idOf(second)));
        }
        return List.of(root, a, b, c, d);
    }

    /** One more transaction updating the root, for incremental copies. */
    public Tid more(String description) {
        return commit("grace", description, Map.of(), t -> t.store(Oid.ROOT, serialOrZero(Oid.ROOT), data(description)));
    }

    private Tid commitBlob(Oid oid, String content) {
        try {
            Path upload = Files.createTempFile(storage.blobTemporaryDirectory(), "upload", ".tmp");
            Files.writeString(upload, content);
            Tid serial = serialOrZero(oid);
            Tid tid = commit("frank", "blob " + content.length(), Map.of(),
                    t -> t.storeBlob(oid, serial, data("blob record"), upload));
            Files.delete(upload);
            return tid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tid commit(String user, String description, Map<String, Object> extension,
                       Consumer<StorageTransaction> body) {
        StorageTransaction txn = storage.begin(TransactionMetadata.of(user, description, extension));
        body.accept(txn);
        txn.vote();
        return txn.finish();
    }

    private Tid serial(Oid oid) {
        return storage.getTid(oid);
    }

    private Tid serialOrZero(Oid oid) {
        try {
            return storage.getTid(oid);
        } catch (org.jzeo.api.POSKeyException e) {
            return Tid.ZERO;
        }
    }

    /** The kinds of transaction and record {@code storage} holds: "status p", "back pointer", "no data". */
    static java.util.Set<String> kinds(Storage storage) {
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        try (org.jzeo.storage.StorageIterator it = storage.iterator(null, null)) {
            it.forEachRemaining(t -> {
                kinds.add("status " + t.status());
                for (org.jzeo.storage.DataRecord r : t.records()) {
                    kinds.add(r.dataTxn() != null ? "back pointer" : r.data() == null ? "no data" : "data");
                }
            });
        }
        return kinds;
    }

    static byte[] data(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
