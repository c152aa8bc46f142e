package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.jzeo.storage.UndoEntry;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FileStorage with a blob directory on a simulated disk that loses power at every operation in turn: creating the
 * blob directory, blob commits (uploads forced at vote, linked at finish, some copied because the upload is on
 * another file system), an undo that links the restored revision's file, a pack that moves removed revisions'
 * files to {@code blobs.old}, and commits after it. After each power loss: Data.fs holds whole attempted commits
 * and every acknowledged one (see {@link FileStoragePowerLossTest#verify}); every blob revision in it has its file
 * with exactly its bytes; every {@code .blob} file anywhere holds some attempted content whole (nothing is ever
 * visible half-written under a final name); and every upload whose vote returned is still there whole (an XA
 * prepare following the vote can rely on it).
 */
public class FileStorageBlobPowerLossTest {
    private static final int SEEDS = 3;

    @TempDir
    Path tmp;

    /** What the workload tried and what it was told, beside the Data.fs ledger. */
    static final class BlobLedger {
        final FileStoragePowerLossTest.Ledger data = new FileStoragePowerLossTest.Ledger();
        /** Commit number → oid → blob content. */
        final Map<Integer, Map<Oid, byte[]>> blobs = new ConcurrentHashMap<>();
        /** Uploads (relative to the simulated disk's root) whose vote returned and that are not removed yet. */
        final Map<Path, byte[]> votedUploads = new ConcurrentHashMap<>();
    }

    private static byte[] content(int n) {
        byte[] b = new byte[300 + n * 457 % 1500];
        Arrays.fill(b, (byte) (0x30 + n));
        b[0] = (byte) n;
        b[b.length - 1] = (byte) ~n;
        return b;
    }

    private static byte[] record(int n) {
        return ("blob record of commit " + n).getBytes(StandardCharsets.UTF_8);
    }

    private static FileStorage open(Path root) {
        return FileStorage.open(root.resolve("Data.fs"), FileStorageOptions.defaults().withBlobDir(root.resolve("blobs")),
                ReferenceFinder.unavailable());
    }

    /**
     * Commits blob content {@code n} for {@code oid}; the upload is in the blob temporary directory, or, with
     * {@code elsewhere}, in a real folder outside the simulated disk, so finish has to copy it.
     */
    private static Tid commitBlob(Path root, FileStorage storage, BlobLedger l, int n, Oid oid, Path elsewhere)
            throws Exception {
        byte[] content = content(n);
        Path upload = (elsewhere != null ? elsewhere : storage.blobTemporaryDirectory()).resolve("upload-" + n + ".tmp");
        Files.write(upload, content);
        l.data.attempted.put(n, Map.of(oid, record(n)));
        l.blobs.put(n, Map.of(oid, content));
        StorageTransaction txn = storage.begin(TransactionMetadata.of("crash", "commit " + n, Map.of()));
        Tid serial = storage.currentSerial(oid);
        txn.storeBlob(oid, serial == null ? Tid.ZERO : serial, record(n), upload);
        txn.vote();
        Path onDisk = elsewhere == null ? root.relativize(upload) : null;
        if (onDisk != null) {
            l.votedUploads.put(onDisk, content);
        }
        Tid tid = txn.finish();
        l.data.acknowledged.put(n, tid);
        if (onDisk != null) {
            l.votedUploads.remove(onDisk);
        }
        Files.delete(upload);
        return tid;
    }

    /** Every blob scenario; the fsync mutation check replays them. */
    public static List<PowerLossScenario> scenarios() {
        return List.of(blobCommitsUndoAndPack());
    }

    private static PowerLossScenario blobCommitsUndoAndPack() {
        AtomicReference<BlobLedger> ledger = new AtomicReference<>();
        return new PowerLossScenario("FileStorage blob commits, undo and pack", (disk, root) -> {
            BlobLedger l = new BlobLedger();
            ledger.set(l);
            Path elsewhere = Files.createTempDirectory("jzeo-blob-upload");
            try (FileStorage storage = open(root)) {
                List<Oid> oids = storage.newOids(2);
                Tid[] tids = new Tid[6];
                for (int n = 0; n < 4; n++) {
                    tids[n] = commitBlob(root, storage, l, n, oids.get(n % 2), n == 1 ? elsewhere : null);
                }
                // Undo commit 2: oid 0 is back at commit 0's state, and its new revision gets commit 0's blob.
                l.data.attempted.put(4, Map.of(oids.get(0), record(0)));
                l.blobs.put(4, Map.of(oids.get(0), content(0)));
                StorageTransaction undo = storage.begin(TransactionMetadata.of("crash", "commit 4", Map.of()));
                undo.undo(UndoEntry.idOf(tids[2]));
                undo.vote();
                l.data.acknowledged.put(4, undo.finish());
                // Drops commit 0's and commit 1's revisions (not current), keeping their files in blobs.old.
                storage.pack(storage.lastTransaction(), false);
                commitBlob(root, storage, l, 5, oids.get(1), null);
                // A commit without blob: its revision must have no file.
                l.data.commit(storage, 6, FileStoragePowerLossTest.writes(6, storage.newOids(1)));
            } finally {
                try (Stream<Path> files = Files.list(elsewhere)) {
                    for (Path p : files.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(elsewhere);
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get()));
    }

    static void verify(Path restored, BlobLedger l) throws Exception {
        FileStoragePowerLossTest.verify(restored, l.data, true);
        for (Map.Entry<Path, byte[]> voted : l.votedUploads.entrySet()) {
            Path upload = restored.resolve(voted.getKey().toString());
            assertThat(upload).as("an upload whose vote returned").exists();
            assertThat(Files.readAllBytes(upload)).as("an upload whose vote returned").isEqualTo(voted.getValue());
        }
        if (!Files.exists(restored.resolve("Data.fs"))) {
            return;
        }
        try (FileStorage storage = open(restored); StorageIterator it = storage.iterator(null, null)) {
            while (it.hasNext()) {
                TransactionRecord txn = it.next();
                int n = Integer.parseInt(new String(txn.description(), StandardCharsets.UTF_8).substring(7));
                for (DataRecord r : txn.records()) {
                    byte[] expected = l.blobs.getOrDefault(n, Map.of()).get(r.oid());
                    if (expected == null) {
                        assertThatThrownBy(() -> storage.loadBlob(r.oid(), txn.tid()))
                                .as("blob of %s in commit %d, which stored none", r.oid(), n)
                                .isInstanceOf(POSKeyException.class);
                    } else {
                        assertThat(Files.readAllBytes(storage.loadBlob(r.oid(), txn.tid())))
                                .as("blob of %s in commit %d", r.oid(), n).isEqualTo(expected);
                    }
                }
            }
        }
        Set<String> whole = new java.util.HashSet<>();
        l.blobs.values().forEach(m -> m.values().forEach(c -> whole.add(Arrays.toString(c))));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(restored)) {
            all.filter(p -> p.getFileName().toString().endsWith(".blob")).forEach(files::add);
        }
        for (Path file : files) {
            assertThat(whole).as("content of %s", restored.relativize(file))
                    .contains(Arrays.toString(Files.readAllBytes(file)));
        }
    }

    @Test
    void blobCommitsUndoAndPackSurviveAPowerLossAtEveryOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run(blobCommitsUndoAndPack());
        System.out.println("blob commits, undo and pack: " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost or tore unforced data").isPositive();
    }
}
