package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The XA prepared log on a simulated disk that loses power at every operation in turn: prepares (each forced
 * alone, and several sharing one sync), outcomes (forced, and the lazily written commit outcome), compaction and
 * its swap, and creating the log. After each power loss the log opens without repair, every acknowledged prepare
 * is there (prepared, or with an outcome that was really given), an acknowledged rollback is never undone, and
 * nothing that was not written appears.
 */
public class PreparedLogPowerLossTest {
    private static final int SEEDS = 3;

    @TempDir
    Path tmp;

    /** What was written to the log and what of it was acknowledged as durable. */
    static final class Ledger {
        final Set<Integer> attemptedPrepares = ConcurrentHashMap.newKeySet();
        final Set<Integer> ackedPrepares = ConcurrentHashMap.newKeySet();
        final Set<Integer> attemptedCommits = ConcurrentHashMap.newKeySet();
        final Set<Integer> attemptedRollbacks = ConcurrentHashMap.newKeySet();
        final Set<Integer> ackedRollbacks = ConcurrentHashMap.newKeySet();
        /** Branches a compaction may have dropped (their outcome was given before it began). */
        final Set<Integer> compactable = ConcurrentHashMap.newKeySet();
        /** Prepares whose append failed (the disk was full): refused, so never prepared. */
        final Set<Integer> failedPrepares = ConcurrentHashMap.newKeySet();
    }

    static WireXid xid(int n) {
        return new WireXid(0x4a5a, ("branch-" + n).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) n});
    }

    static int number(WireXid xid) {
        return xid.getBranchQualifier()[0];
    }

    /** A prepared record whose size (300 to 1 500 bytes) makes appends cross 512-byte sectors. */
    static XaLogRecord.Prepared prepared(int n) {
        byte[] description = new byte[300 + (n * 433) % 1200];
        Arrays.fill(description, (byte) ('a' + n % 26));
        TransactionMetadata meta = new TransactionMetadata("xa".getBytes(StandardCharsets.UTF_8), description,
                Map.of(), null, ' ');
        return new XaLogRecord.Prepared(xid(n), 1_000L * n, Tid.of(n + 1), 0, meta, List.of());
    }

    public static List<PowerLossScenario> scenarios() {
        return List.of(preparesOutcomesAndCompaction(), damagedTailCutAtOpen(), failedAppend());
    }

    /** An append that fails half-written (a full disk) is refused and never comes back as prepared. */
    private static PowerLossScenario failedAppend() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        return new PowerLossScenario("XA prepared log failed append", (disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            Path path = root.resolve("Data.fs.jzxa");
            try (PreparedLog log = PreparedLog.open(path, new ArrayList<>())) {
                for (int n = 0; n < 4; n++) {
                    l.attemptedPrepares.add(n);
                    if (n == 1) {
                        disk.failNextWrite();
                        try {
                            log.append(prepared(n));
                        } catch (java.io.IOException diskFull) {
                            l.failedPrepares.add(n);
                            continue;
                        }
                        throw new AssertionError("the append on a full disk succeeded");
                    }
                    log.append(prepared(n));
                    l.ackedPrepares.add(n);
                }
            }
        }, (restored, point, seed, report) -> verify(restored.resolve("Data.fs.jzxa"), ledger.get()));
    }

    /** What an open cuts from the log's end is kept in a side file whenever the cut survived. */
    private static PowerLossScenario damagedTailCutAtOpen() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        AtomicReference<Long> garbageAt = new AtomicReference<>();
        byte[] garbage = new byte[600];
        Arrays.fill(garbage, (byte) 0x77);
        return new PowerLossScenario("XA prepared log damaged tail", (disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            garbageAt.set(null);
            Path path = root.resolve("Data.fs.jzxa");
            try (PreparedLog log = PreparedLog.open(path, new ArrayList<>())) {
                for (int n = 0; n < 2; n++) {
                    l.attemptedPrepares.add(n);
                    log.append(prepared(n));
                    l.ackedPrepares.add(n);
                }
            }
            long at;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
                    java.nio.file.StandardOpenOption.WRITE)) {
                at = ch.size();
                ch.write(java.nio.ByteBuffer.wrap(garbage), at);
                ch.force(true);
            }
            garbageAt.set(at);
            try (PreparedLog log = PreparedLog.open(path, new ArrayList<>())) {
                l.attemptedPrepares.add(2);
                log.append(prepared(2));
                l.ackedPrepares.add(2);
            }
        }, (restored, point, seed, report) -> {
            Path path = restored.resolve("Data.fs.jzxa");
            Long at = garbageAt.get();
            if (at != null && Files.exists(path)) {
                byte[] log = Files.readAllBytes(path);
                boolean garbageStillThere = log.length >= at + garbage.length
                        && Arrays.equals(Arrays.copyOfRange(log, (int) (long) at, (int) (at + garbage.length)), garbage);
                if (!garbageStillThere) {
                    Path kept = restored.resolve("Data.fs.jzxa.damaged-" + at);
                    assertThat(kept).as("the cut bytes' copy").exists();
                    assertThat(Files.readAllBytes(kept)).as("the cut bytes' copy").isEqualTo(garbage);
                }
            }
            verify(path, ledger.get());
        });
    }

    private static PowerLossScenario preparesOutcomesAndCompaction() {
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        return new PowerLossScenario("XA prepared log", (disk, root) -> {
            Ledger l = new Ledger();
            ledger.set(l);
            Path path = root.resolve("Data.fs.jzxa");
            Map<Integer, XaLogRecord> live = new HashMap<>();
            try (PreparedLog log = PreparedLog.open(path, new ArrayList<>())) {
                for (int n = 0; n < 8; n++) {
                    l.attemptedPrepares.add(n);
                    log.append(prepared(n));
                    l.ackedPrepares.add(n);
                    live.put(n, prepared(n));
                    if (n % 3 == 1) {
                        // xa_commit: the outcome is written without a sync of its own.
                        l.attemptedCommits.add(n - 1);
                        log.appendLazily(new XaLogRecord.Committed(xid(n - 1), 1, Tid.of(100 + n),
                                List.of(Oid.of(n))));
                        live.remove(n - 1);
                    }
                    if (n % 3 == 2) {
                        l.attemptedRollbacks.add(n);
                        log.append(new XaLogRecord.RolledBack(xid(n), 2));
                        l.ackedRollbacks.add(n);
                        live.remove(n);
                    }
                    if (n == 4) {
                        for (int done : l.attemptedPrepares) {
                            if (!live.containsKey(done)) {
                                l.compactable.add(done);
                            }
                        }
                        log.rewrite(new ArrayList<>(live.values()));
                    }
                }
                // Two prepares sharing one sync (group commit of prepares).
                l.attemptedPrepares.add(8);
                l.attemptedPrepares.add(9);
                log.appendForSync(prepared(8));
                long upTo = log.appendForSync(prepared(9));
                log.syncTo(upTo);
                l.ackedPrepares.add(8);
                l.ackedPrepares.add(9);
                for (int n = 8; n < 10; n++) {
                    l.attemptedCommits.add(n);
                    log.appendLazily(new XaLogRecord.Committed(xid(n), 3, Tid.of(200 + n), List.of(Oid.of(n))));
                }
            }
        }, (restored, point, seed, report) -> verify(restored.resolve("Data.fs.jzxa"), ledger.get()));
    }

    static void verify(Path path, Ledger ledger) throws Exception {
        if (!Files.exists(path)) {
            assertThat(ledger.ackedPrepares).as("acknowledged prepares, but the XA log is gone").isEmpty();
            return;
        }
        List<XaLogRecord> records = new ArrayList<>();
        try (PreparedLog log = PreparedLog.open(path, records)) {
            Map<Integer, XaLogRecord> last = new HashMap<>();
            for (XaLogRecord r : records) {
                int n = number(r.xid());
                if (r instanceof XaLogRecord.Prepared) {
                    assertThat(ledger.attemptedPrepares).as("prepare of %d was written", n).contains(n);
                } else if (r instanceof XaLogRecord.Committed) {
                    assertThat(ledger.attemptedCommits).as("commit outcome of %d was written", n).contains(n);
                } else if (r instanceof XaLogRecord.RolledBack) {
                    assertThat(ledger.attemptedRollbacks).as("rollback of %d was written", n).contains(n);
                }
                last.put(n, r);
            }
            for (int n : ledger.failedPrepares) {
                assertThat(last.get(n) instanceof XaLogRecord.Prepared)
                        .as("prepare %d, refused when its append failed, came back as prepared", n).isFalse();
            }
            for (int n : ledger.ackedPrepares) {
                boolean outcomeGiven = ledger.attemptedCommits.contains(n) || ledger.attemptedRollbacks.contains(n);
                if (!outcomeGiven) {
                    assertThat(last.get(n)).as("acknowledged prepare %d", n).isInstanceOf(XaLogRecord.Prepared.class);
                } else if (!ledger.compactable.contains(n)) {
                    // A lazily written outcome may be lost, never the durable prepare before it.
                    assertThat(last.get(n)).as("acknowledged prepare %d, whose outcome came after", n).isNotNull();
                }
            }
            for (int n : ledger.ackedRollbacks) {
                // Absent is fine: compaction forgets rolled-back branches.
                assertThat(last.get(n) instanceof XaLogRecord.Prepared)
                        .as("acknowledged rollback of %d came back as prepared", n).isFalse();
            }
        }
    }

    @Test
    void aPrepareWhoseAppendFailedNeverComesBackAsPrepared() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run(failedAppend());
        System.out.println("XA prepared log failed append: " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost or tore unforced data").isPositive();
    }

    @Test
    void aDamagedTailCutAtOpenIsKeptBeforeTheCutCanReachTheDisk() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run(damagedTailCutAtOpen());
        System.out.println("XA prepared log damaged tail: " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost or tore unforced data").isPositive();
    }

    @Test
    void preparesOutcomesAndCompactionSurviveAPowerLossAtEveryOperation() throws Exception {
        PowerLossSweep.Result result = new PowerLossSweep(tmp, SEEDS, 1).run(preparesOutcomesAndCompaction());
        System.out.println("XA prepared log: " + result);
        assertThat(result.damagedPowerLosses()).as("power losses that lost or tore unforced data").isPositive();
    }
}
