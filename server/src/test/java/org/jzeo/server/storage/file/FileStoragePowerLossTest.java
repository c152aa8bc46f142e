package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.jzeo.testing.crashfs.CrashFileSystem;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FileStorage on a simulated disk that loses power at every operation in turn (creating the file, each commit's
 * writes and syncs, saving the index at close, reopening, packing and its swap), each power loss restored with
 * several seeds that drop, zero or tear what was not forced. After each: the file opens without repair, every
 * commit that {@code finish} acknowledged is there with exactly its records, every transaction in the file is
 * one that was attempted, whole, and each object's current state is that of the last commit that has it.
 */
class FileStoragePowerLossTest {
    private static final int SEEDS = 3;

    @TempDir
    Path tmp;

    /** Commits attempted (by number, with what they write) and those finish acknowledged (number → tid). */
    static final class Ledger {
        final Map<Integer, Map<Oid, byte[]>> attempted = new ConcurrentHashMap<>();
        final Map<Integer, Tid> acknowledged = new ConcurrentHashMap<>();

        Tid commit(FileStorage storage, int n, Map<Oid, byte[]> writes) {
            attempted.put(n, writes);
            StorageTransaction txn = storage.begin(TransactionMetadata.of("crash", "commit " + n, Map.of()));
            for (Map.Entry<Oid, byte[]> w : writes.entrySet()) {
                txn.store(w.getKey(), storage.currentSerial(w.getKey()), w.getValue());
            }
            txn.vote();
            Tid tid = txn.finish();
            acknowledged.put(n, tid);
            return tid;
        }
    }

    private final AtomicReference<Ledger> ledger = new AtomicReference<>();

    private static FileStorage open(Path dataFs) {
        return FileStorage.open(dataFs, FileStorageOptions.defaults(), ReferenceFinder.unavailable());
    }

    /** Commit {@code n} writes some of {@code oids}, with sizes that cross 512-byte boundaries. */
    static Map<Oid, byte[]> writes(int n, List<Oid> oids) {
        Map<Oid, byte[]> out = new LinkedHashMap<>();
        for (int i = 0; i < oids.size(); i++) {
            if ((n + i) % 3 == 0 || i == n % oids.size()) {
                byte[] data = new byte[60 + (n * 397 + i * 811) % 1700];
                Arrays.fill(data, (byte) (n * 7 + i));
                data[0] = (byte) n;
                out.put(oids.get(i), data);
            }
        }
        return out;
    }

    @Test
    void commitsCloseAndReopenSurviveAPowerLossAtEveryOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run((disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            Path dataFs = root.resolve("Data.fs");
            List<Oid> oids;
            try (FileStorage storage = open(dataFs)) {
                oids = storage.newOids(5);
                for (int n = 0; n < 6; n++) {
                    l.commit(storage, n, writes(n, oids));
                }
            }
            try (FileStorage storage = open(dataFs)) {
                for (int n = 6; n < 9; n++) {
                    l.commit(storage, n, writes(n, oids));
                }
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get(), false));
        System.out.println("FileStorage commits, close and reopen: " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost unforced data").isPositive();
    }

    @Test
    void packAndItsSwapSurviveAPowerLossAtEveryOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run((disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            try (FileStorage storage = open(root.resolve("Data.fs"))) {
                List<Oid> oids = storage.newOids(3);
                for (int n = 0; n < 6; n++) {
                    l.commit(storage, n, writes(n, oids));
                }
                storage.pack(storage.lastTransaction(), false);
                for (int n = 6; n < 8; n++) {
                    l.commit(storage, n, writes(n, oids));
                }
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get(), true));
        System.out.println("FileStorage pack: " + result);
    }

    @Test
    void concurrentCommitsSharingSyncsSurviveAPowerLossAtAnyOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run((disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            try (FileStorage storage = open(root.resolve("Data.fs"))) {
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int thread = t;
                    List<Oid> mine = storage.newOids(2);
                    threads.add(new Thread(() -> {
                        for (int i = 0; i < 5; i++) {
                            int n = thread * 100 + i;
                            try {
                                l.commit(storage, n, writes(n, mine));
                            } catch (RuntimeException powerGone) {
                                return;
                            }
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join();
                }
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get(), false));
        System.out.println("FileStorage group commit: " + result);
    }

    @Test
    void aPackRacingCommitsSurvivesAPowerLossAtAnyOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run((disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            try (FileStorage storage = open(root.resolve("Data.fs"))) {
                List<Oid> oids = storage.newOids(3);
                for (int n = 0; n < 4; n++) {
                    l.commit(storage, n, writes(n, oids));
                }
                Thread committer = new Thread(() -> {
                    for (int n = 4; n < 10; n++) {
                        try {
                            l.commit(storage, n, writes(n, oids));
                        } catch (RuntimeException powerGone) {
                            return;
                        }
                    }
                });
                committer.start();
                try {
                    storage.pack(storage.lastTransaction(), false);
                } finally {
                    committer.join();
                }
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get(), true));
        System.out.println("FileStorage pack racing commits: " + result);
    }

    /**
     * The restored Data.fs opens as it is; it holds only whole attempted commits, all acknowledged ones (a pack
     * may have dropped records that are no longer current), and each object's current state is that of the
     * latest commit present, which is not older than the latest acknowledged commit of that object.
     */
    static void verify(Path restored, Ledger ledger, boolean packed) {
        Path dataFs = restored.resolve("Data.fs");
        if (!Files.exists(dataFs)) {
            assertThat(ledger.acknowledged).as("acknowledged commits, but Data.fs is gone").isEmpty();
            return;
        }
        try (FileStorage storage = open(dataFs)) {
            Map<Integer, Tid> present = new HashMap<>();
            try (StorageIterator it = storage.iterator(null, null)) {
                while (it.hasNext()) {
                    TransactionRecord txn = it.next();
                    String description = new String(txn.description(), StandardCharsets.UTF_8);
                    int n = Integer.parseInt(description.substring("commit ".length()));
                    Map<Oid, byte[]> expected = ledger.attempted.get(n);
                    assertThat(expected).as("transaction '%s' was attempted", description).isNotNull();
                    Map<Oid, byte[]> found = new LinkedHashMap<>();
                    for (DataRecord r : txn.records()) {
                        found.put(r.oid(), r.data());
                    }
                    if (packed) {
                        assertThat(expected.keySet()).as("records of %s", description).containsAll(found.keySet());
                    } else {
                        assertThat(found.keySet()).as("records of %s", description)
                                .containsExactlyElementsOf(expected.keySet());
                    }
                    for (Map.Entry<Oid, byte[]> f : found.entrySet()) {
                        assertThat(f.getValue()).as("data of %s in %s", f.getKey(), description)
                                .isEqualTo(expected.get(f.getKey()));
                    }
                    Tid acked = ledger.acknowledged.get(n);
                    if (acked != null) {
                        assertThat(txn.tid()).as("tid of acknowledged %s", description).isEqualTo(acked);
                    }
                    present.put(n, txn.tid());
                }
            }
            if (!packed) {
                assertThat(present.keySet()).as("acknowledged commits present")
                        .containsAll(ledger.acknowledged.keySet());
            }
            Map<Oid, Integer> lastAcked = new HashMap<>();
            ledger.acknowledged.keySet().stream().sorted().forEach(n ->
                    ledger.attempted.get(n).keySet().forEach(oid -> lastAcked.put(oid, n)));
            for (Map.Entry<Oid, Integer> e : lastAcked.entrySet()) {
                Oid oid = e.getKey();
                int latestPresent = present.keySet().stream().filter(n -> ledger.attempted.get(n).containsKey(oid))
                        .max(Integer::compare).orElse(-1);
                assertThat(latestPresent).as("latest commit of %s present, against the latest acknowledged",
                        oid).isGreaterThanOrEqualTo(e.getValue());
                assertThat(storage.loadBefore(oid, Tid.MAX).data()).as("current data of %s", oid)
                        .isEqualTo(ledger.attempted.get(latestPresent).get(oid));
            }
        }
    }
}
