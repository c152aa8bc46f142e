package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.jzeo.testing.crashfs.CrashFileSystem;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent client cache on a simulated disk that loses power at every operation in turn: creating the file,
 * stores (with evictions), invalidations, drops, a clear, setLastTid, clean closes and reopens in the same boot
 * and after a reboot, and opening a file a power loss left behind. A power loss is also a reboot, so every
 * restored disk is opened with a new boot id, and then:
 * <ul>
 *   <li>it opens without manual repair;</li>
 *   <li>its last tid is no newer than the last one acknowledged by {@code setLastTid};</li>
 *   <li>every hit of {@code loadBefore(oid, before)} with {@code before <= lastTid + 1} (what ZODB asks) is a
 *       revision really committed for that oid, with its data, and its validity is the true one: an end tid is
 *       the oid's next revision, and a revision served as current has no newer revision at or before the last
 *       tid (so an invalidation acknowledged before a clean close is never undone);</li>
 *   <li>a cache whose close succeeded and that was not opened again comes back whole: reused, with the last tid
 *       and the number of revisions it had at that close.</li>
 * </ul>
 */
public class DiskCachePowerLossTest {
    private static final int SEEDS = 3;
    private static final long SIZE = CacheFileFormat.MIN_CACHE_BYTES;
    private static final String FILE = "client.jzc";
    private static final String BOOT_AFTER_POWER_LOSS = "boot-after-power-loss";

    @TempDir
    Path tmp;

    @Test
    void sessionsWithEvictionsClearAndReboots() throws Exception {
        sweep(sessions());
    }

    @Test
    void manyShortSessionsEachClosedCleanly() throws Exception {
        sweep(shortSessions());
    }

    @Test
    void reopeningWhatAPowerLossLeft() throws Exception {
        sweep(reopenAfterPowerLoss());
    }

    private void sweep(PowerLossScenario scenario) throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run(scenario);
        System.out.println(scenario.name() + ": " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost or tore unforced data").isPositive();
    }

    public static List<PowerLossScenario> scenarios() {
        return List.of(sessions(), shortSessions(), reopenAfterPowerLoss());
    }

    // ---- scenarios ---------------------------------------------------------------------------------------

    /**
     * Three sessions: a new file filled with current and old revisions; a reopen in the same boot that stores
     * past the cache's size (evictions) while invalidating; a reopen after a reboot that drops, clears and fills
     * again.
     */
    private static PowerLossScenario sessions() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        return new PowerLossScenario("client cache sessions", (disk, root) -> {
            Client client = new Client(disk, root.resolve(FILE), new Ledger());
            ledger.set(client.ledger);
            client.open("boot-1");
            for (long oid = 1; oid <= 12; oid++) {
                client.commit(oid);
            }
            for (long oid = 1; oid <= 12; oid += 3) {
                client.commit(oid, oid + 1);
            }
            for (long oid = 1; oid <= 12; oid += 3) {
                client.loadOldest(oid);
            }
            client.drop(5);
            client.close();

            client.open("boot-1");
            for (int round = 0; round < 6; round++) {
                for (long oid = 1; oid <= 12; oid += 2) {
                    client.commitByOthers(oid);
                    client.loadCurrent(oid);
                }
                client.commit(2 + round, 8 + round);
            }
            if (!disk.crashed() && client.cache.stats().evictions() == 0) {
                throw new IllegalStateException("the scenario stores too little to evict");
            }
            client.close();

            client.open("boot-2");
            client.commitByOthers(1, 2, 3);
            client.drop(4);
            client.clear();
            for (long oid = 1; oid <= 6; oid++) {
                client.loadCurrent(oid);
            }
            client.commit(6);
            client.close();
        }, (restored, point, seed, report) -> verify(restored, ledger.get()));
    }

    /**
     * Ten short sessions, each invalidating cached current revisions and closing: a power loss inside each close
     * is where the order "data durable, then the clean mark" matters.
     */
    private static PowerLossScenario shortSessions() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        return new PowerLossScenario("client cache short sessions", (disk, root) -> {
            Client client = new Client(disk, root.resolve(FILE), new Ledger());
            ledger.set(client.ledger);
            client.open("boot-1");
            for (long oid = 1; oid <= 8; oid++) {
                client.commit(oid);
            }
            client.close();
            for (int session = 0; session < 10; session++) {
                client.open("boot-1");
                // Half the oids are invalidated and stay so until the next session, which loads them again:
                // a new current revision stored after an invalidation would hide a lost one.
                long invalidated = session % 2;
                for (long oid = 1; oid <= 8; oid++) {
                    if (oid % 2 == invalidated) {
                        client.commitByOthers(oid);
                    } else {
                        client.loadCurrent(oid);
                    }
                }
                client.close();
            }
        }, (restored, point, seed, report) -> verify(restored, ledger.get()));
    }

    /**
     * The machine lost power while the cache was open (played on a disk of its own, always the same way); the
     * file it left is put on the swept disk, and the client opens it after the reboot (discarding it, since it is
     * dirty from another boot), works, closes, reopens and closes again.
     */
    private static PowerLossScenario reopenAfterPowerLoss() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        return new PowerLossScenario("client cache reopened after a power loss", (disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            byte[] leftBehind = fileLeftByAPowerLoss(l);
            Path file = root.resolve(FILE);
            Files.write(file, leftBehind);
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
                dir.force(true);
            }
            Client client = new Client(disk, file, l);
            client.open("boot-2");
            for (long oid = 1; oid <= 6; oid++) {
                client.loadCurrent(oid);
            }
            client.commit(1, 2);
            client.commitByOthers(3, 4);
            client.close();
            client.open("boot-2");
            client.commitByOthers(1, 5);
            client.loadCurrent(1);
            client.close();
        }, (restored, point, seed, report) -> verify(restored, ledger.get()));
    }

    /** Runs a first session on a private simulated disk, cuts its power mid-session and returns the file left. */
    private static byte[] fileLeftByAPowerLoss(Ledger ledger) throws Exception {
        Path work = Files.createTempDirectory("jzeo-cache-first-boot");
        try {
            CrashFileSystem firstBoot = CrashFileSystem.over(Files.createDirectories(work.resolve("disk")));
            Client client = new Client(firstBoot, firstBoot.root().resolve(FILE), ledger);
            client.open("boot-1");
            for (long oid = 1; oid <= 6; oid++) {
                client.commit(oid);
            }
            client.close();
            // Time passed: the file's name reached the disk, as it would within seconds.
            try (FileChannel dir = FileChannel.open(firstBoot.root(), StandardOpenOption.READ)) {
                dir.force(true);
            }
            client.open("boot-1");
            client.commitByOthers(1, 2, 3);
            client.loadCurrent(2);
            firstBoot.powerLoss();
            client.abandon();
            Path restored = work.resolve("restored");
            firstBoot.restore(42, restored);
            return Files.readAllBytes(restored.resolve(FILE));
        } finally {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    // ---- the check ---------------------------------------------------------------------------------------

    static void verify(Path restored, Ledger ledger) {
        Path file = restored.resolve(FILE);
        try (DiskCache cache = DiskCache.persistent(file, SIZE, () -> BOOT_AFTER_POWER_LOSS)) {
            long lastTid = cache.lastTid().value();
            assertThat(lastTid).as("the reopened cache's last tid (the last acknowledged one is %d)",
                    ledger.ackedLastTid).isLessThanOrEqualTo(ledger.ackedLastTid);
            if (ledger.cleanClose != null) {
                assertThat(cache.openReport().outcome()).as("a cleanly closed cache after a power loss (%s)",
                        cache.openReport().reason()).isEqualTo(OpenReport.Outcome.REUSED);
                assertThat(lastTid).as("last tid of a cleanly closed cache").isEqualTo(ledger.cleanClose.lastTid);
                assertThat(cache.entryCount()).as("revisions of a cleanly closed cache")
                        .isEqualTo(ledger.cleanClose.entries);
            }
            for (Map.Entry<Long, NavigableMap<Long, byte[]>> e : ledger.revisions.entrySet()) {
                checkHits(cache, e.getKey(), e.getValue(), lastTid);
            }
        }
    }

    /** Asks for {@code oid} at every snapshot that tells its revisions apart, up to {@code lastTid + 1}. */
    private static void checkHits(DiskCache cache, long oid, NavigableMap<Long, byte[]> revisions, long lastTid) {
        TreeSet<Long> befores = new TreeSet<>();
        befores.add(lastTid + 1);
        for (long start : revisions.keySet()) {
            befores.add(start);
            befores.add(start + 1);
        }
        for (long before : befores.headSet(lastTid + 1, true)) {
            LoadResult hit = cache.loadBefore(Oid.of(oid), Tid.of(before));
            if (hit == null) {
                continue;
            }
            long start = hit.start().value();
            String what = "oid " + oid + " before " + before + " (last tid " + lastTid + ") served start " + start
                    + (hit.isCurrent() ? " as current" : " ending at " + hit.end().value());
            assertThat(revisions).as(what + ": a revision that was committed").containsKey(start);
            assertThat(hit.data()).as(what + ": its data").isEqualTo(revisions.get(start));
            assertThat(start).as(what + ": starts before the snapshot").isLessThan(before);
            Long next = revisions.higherKey(start);
            if (hit.isCurrent()) {
                assertThat(next == null || next > lastTid)
                        .as(what + ": a stale revision served as current (the next one is " + next + ")").isTrue();
            } else {
                assertThat(hit.end().value()).as(what + ": its end is the next revision").isEqualTo(next);
                assertThat(before).as(what + ": ends after the snapshot").isLessThanOrEqualTo(hit.end().value());
            }
        }
    }

    // ---- the workload's client and the truth it is checked against -----------------------------------------

    /** What the server committed, and what the cache acknowledged. */
    static final class Ledger {
        /** oid → start tid → data: every revision committed, as the server keeps it. */
        final Map<Long, NavigableMap<Long, byte[]>> revisions = new HashMap<>();
        long lastCommitted;
        /** The newest tid a setLastTid returned for with the disk still up. */
        long ackedLastTid;
        /** While the last change to the file was a close that succeeded: what the cache held then. */
        CleanClose cleanClose;
    }

    record CleanClose(long lastTid, int entries) {
    }

    /**
     * Plays a ZEO client and its server against one DiskCache: commits (its own, which store the new revision as
     * current, and other clients', which only invalidate), loads that store what the server would answer, and
     * the cache's own operations. Stops the workload (IOException) once the power is gone, because the cache
     * swallows I/O errors (it disables itself) and nothing it did after that is acknowledged.
     */
    static final class Client {
        private final CrashFileSystem disk;
        private final Path file;
        final Ledger ledger;
        DiskCache cache;

        Client(CrashFileSystem disk, Path file, Ledger ledger) {
            this.disk = disk;
            this.file = file;
            this.ledger = ledger;
        }

        void open(String bootId) throws IOException {
            ledger.cleanClose = null;
            cache = DiskCache.persistent(file, SIZE, () -> bootId);
            stopIfPowerLost();
        }

        void close() throws IOException {
            CleanClose state = new CleanClose(cache.lastTid().value(), cache.entryCount());
            cache.close();
            cache = null;
            stopIfPowerLost();
            ledger.cleanClose = state;
        }

        /** Releases the file (and its lock) without a clean close, as a process that died would. */
        void abandon() {
            cache.close();
            cache = null;
        }

        /** This client commits a transaction changing {@code oids}: invalidate, store as current, last tid. */
        void commit(long... oids) throws IOException {
            long tid = newRevisions(oids);
            for (long oid : oids) {
                cache.invalidate(Oid.of(oid), Tid.of(tid));
                cache.store(Oid.of(oid), Tid.of(tid), null, ledger.revisions.get(oid).get(tid));
            }
            acknowledgeLastTid(tid);
        }

        /** Another client commits {@code oids}: this one hears the invalidation only. */
        void commitByOthers(long... oids) throws IOException {
            long tid = newRevisions(oids);
            for (long oid : oids) {
                cache.invalidate(Oid.of(oid), Tid.of(tid));
            }
            acknowledgeLastTid(tid);
        }

        /** A miss served by the server: the current revision, stored as current. */
        void loadCurrent(long oid) throws IOException {
            NavigableMap<Long, byte[]> revisions = ledger.revisions.get(oid);
            cache.store(Oid.of(oid), Tid.of(revisions.lastKey()), null, revisions.lastEntry().getValue());
            stopIfPowerLost();
        }

        /** A historical miss served by the server: the oldest revision, with its true end. */
        void loadOldest(long oid) throws IOException {
            NavigableMap<Long, byte[]> revisions = ledger.revisions.get(oid);
            long start = revisions.firstKey();
            Long end = revisions.higherKey(start);
            cache.store(Oid.of(oid), Tid.of(start), end == null ? null : Tid.of(end), revisions.get(start));
            stopIfPowerLost();
        }

        void drop(long oid) throws IOException {
            cache.drop(Oid.of(oid));
            stopIfPowerLost();
        }

        void clear() throws IOException {
            cache.clear();
            stopIfPowerLost();
        }

        /** The server commits first; the client hears of it afterwards. */
        private long newRevisions(long... oids) {
            long tid = ++ledger.lastCommitted;
            for (long oid : oids) {
                ledger.revisions.computeIfAbsent(oid, o -> new TreeMap<>()).put(tid, data(oid, tid));
            }
            return tid;
        }

        private void acknowledgeLastTid(long tid) throws IOException {
            stopIfPowerLost();
            cache.setLastTid(Tid.of(tid));
            stopIfPowerLost();
            ledger.ackedLastTid = tid;
        }

        private void stopIfPowerLost() throws IOException {
            if (disk.crashed()) {
                throw new IOException("the power is gone; nothing the cache does now is acknowledged");
            }
        }
    }

    /**
     * A revision's data: 200 to 1 700 bytes (so records cross 512-byte sectors and a few dozen fill the cache),
     * different for every revision so a record with another revision's bytes is noticed.
     */
    static byte[] data(long oid, long tid) {
        byte[] data = new byte[200 + (int) ((oid * 977 + tid * 131) % 1500)];
        long x = oid * 0x9E3779B97F4A7C15L + tid;
        for (int i = 0; i < data.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return data;
    }
}
