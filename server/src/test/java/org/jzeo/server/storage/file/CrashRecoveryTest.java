package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a committing child JVM with SIGKILL, many times, and checks after each kill that the reopened storage
 * holds every transaction the child acknowledged, byte for byte, and nothing partial (spec §5).
 *
 * <p>The child ({@link CommitLoopChild}) prints a line after each {@code finish()}. A transaction written but
 * not yet acknowledged when the kill lands may survive (it is complete in the page cache); one cut in the
 * middle of its write must be cut away at open and saved in {@code Data.fs.tr<N>}. Each round aims its kill at
 * one of three points ({@link KillPoint}); half the rounds aim at the middle of a big transaction's write, so
 * torn tails really occur. The storage is reopened in the test JVM after each kill, from the index file or, in
 * a third of the rounds, by a full scan; the next child appends to the recovered file.
 *
 * <p>The seed of the random choices is printed; rerun with {@code -Djzeo.crash.seed=<seed>} to repeat them (the
 * timing of a kill relative to the child's work cannot be repeated exactly).
 */
class CrashRecoveryTest {
    private static final int ROUNDS = 30;
    /** Each round waits for 1..MAX_NEW_COMMITS acknowledged commits before it aims its kill. */
    private static final int MAX_NEW_COMMITS = 40;
    /** Generous: the machine is shared, a child JVM may start slowly and fsync may stall. */
    private static final long CHILD_TIMEOUT_SECONDS = 60;
    /** Exit status Java reports for a process killed by signal 9. */
    private static final int SIGKILL_EXIT_STATUS = 128 + 9;
    /**
     * Of the ROUNDS / 2 rounds that aim at the middle of a big write, at least this many must cut an incomplete
     * tail. Measured on a loaded 2-core machine: 10 to 13 of 15 do (the others kill just after the write), so
     * this fails only if recovery never sees a torn transaction.
     */
    private static final int MIN_ROUNDS_THAT_CUT = 1;
    private static final String EOF = "\u0000EOF";

    /** Where a round's kill lands. */
    private enum KillPoint {
        /** Right after the target-th acknowledgement: usually while the child prepares the next transaction. */
        AFTER_ACK,
        /** As soon as the child announces finish() of the next transaction: in the commit, before or in the write. */
        IN_FINISH,
        /** The next transaction is big; kill as soon as the file starts to grow: in the middle of its write. */
        IN_WRITE
    }

    @TempDir
    Path dir;

    private Process child;

    /** One line {@code COMMITTED <tid> <counter> <oids...>} of the child; {@code big} as the child chose it. */
    private record Ack(Tid tid, long counter, long[] oids, boolean big, int round) {
    }

    /** What one child run printed. */
    private record ChildRun(long readyCounter, List<Ack> acks, long startMillis, long commitMillis) {
    }

    @AfterEach
    void killLeftoverChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyAcknowledgedCommitSurvivesSigkillAndOnlyIncompleteTailsAreCut() throws Exception {
        long seed = Long.getLong("jzeo.crash.seed", System.nanoTime());
        System.out.println("CrashRecoveryTest seed " + seed + " (-Djzeo.crash.seed=" + seed
                + " repeats the random choices)");
        Random random = new Random(seed);
        Path data = dir.resolve("Data.fs");
        List<Ack> acked = new ArrayList<>();
        // The counter right after each round's last acknowledgement: the only unacknowledged one that may survive.
        Set<Long> mayBeUnacknowledged = new HashSet<>();
        long transactionsInFile = 0;
        Map<KillPoint, int[]> cutsByKillPoint = new EnumMap<>(KillPoint.class);
        int roundsThatCut = 0;
        int roundsWithUnacknowledgedSurvivor = 0;
        List<KillPoint> plan = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            plan.add(round % 2 == 0 ? KillPoint.IN_WRITE : round % 4 == 1 ? KillPoint.AFTER_ACK : KillPoint.IN_FINISH);
        }
        Collections.shuffle(plan, random);
        long started = System.nanoTime();

        for (int round = 0; round < ROUNDS; round++) {
            int target = 1 + random.nextInt(MAX_NEW_COMMITS);
            KillPoint killPoint = plan.get(round);
            long bigFrom = killPoint == KillPoint.IN_WRITE ? transactionsInFile + target : -1;
            ChildRun run = runChildAndKill(data, target, killPoint, bigFrom, round);
            assertThat(run.readyCounter())
                    .as("round %d: the child must continue after the last transaction in the file", round)
                    .isEqualTo(transactionsInFile);
            assertThat(run.acks()).as("round %d: acknowledged commits before the kill", round)
                    .hasSizeGreaterThanOrEqualTo(target);
            acked.addAll(run.acks());
            mayBeUnacknowledged.add(run.acks().get(run.acks().size() - 1).counter() + 1);

            long verifyStart = System.nanoTime();
            // Recovery from the index file (written at the last close) plus a scan of the newer part, or, when
            // the index file is gone, from a full scan.
            boolean fullScan = random.nextInt(3) == 0;
            if (fullScan) {
                Files.deleteIfExists(IndexFile.pathFor(data));
            }
            List<Path> tailsBefore = savedTails();
            long sizeBefore = Files.size(data);
            Verified v = verify(data, acked, mayBeUnacknowledged, round);
            List<Path> newTails = new ArrayList<>(savedTails());
            newTails.removeAll(tailsBefore);
            boolean cut = checkCutTail(newTails, sizeBefore, data, v, acked, round);
            int[] counts = cutsByKillPoint.computeIfAbsent(killPoint, k -> new int[2]);
            counts[0]++;
            if (cut) {
                roundsThatCut++;
                counts[1]++;
            }
            long lastAcked = acked.get(acked.size() - 1).counter();
            boolean survivor = v.transactions() == lastAcked + 2;
            if (survivor) {
                roundsWithUnacknowledgedSurvivor++;
            }
            System.out.printf("round %2d: kill %-9s target %2d, acknowledged %2d, file has %4d transactions (%s),"
                            + " %s, %s; child start %d ms, commits %d ms, verify %d ms%n",
                    round, killPoint, target, run.acks().size(), v.transactions(),
                    fullScan ? "full scan" : "index file",
                    survivor ? "+1 complete unacknowledged" : "no unacknowledged",
                    cut ? "cut an incomplete tail of " + (sizeBefore - Files.size(data)) + " bytes" : "no tail cut",
                    run.startMillis(), run.commitMillis(), (System.nanoTime() - verifyStart) / 1_000_000);
            transactionsInFile = v.transactions();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        String perKillPoint = cutsByKillPoint.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()[1] + "/" + e.getValue()[0])
                .collect(Collectors.joining(", "));
        System.out.printf("CrashRecoveryTest: %d rounds in %d ms, %d acknowledged commits, %d rounds cut an"
                        + " incomplete tail (%s), %d rounds kept a complete unacknowledged transaction;"
                        + " %d transactions, %d bytes%n", ROUNDS, millis, acked.size(), roundsThatCut, perKillPoint,
                roundsWithUnacknowledgedSurvivor, transactionsInFile, Files.size(data));
        assertThat(roundsThatCut)
                .as("rounds whose kill cut a transaction in the middle of its write (%s); with none, recovery of a"
                        + " torn tail was never exercised", perKillPoint)
                .isGreaterThanOrEqualTo(MIN_ROUNDS_THAT_CUT);
    }

    // ----- the child ---------------------------------------------------------------------------------------

    private ChildRun runChildAndKill(Path data, int target, KillPoint killPoint, long bigFrom, int round)
            throws Exception {
        Path log = dir.resolve("child-" + round + ".log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CommitLoopChild.class.getName(), data.toString(),
                Long.toString(bigFrom));
        long startNanos = System.nanoTime();
        child = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        Thread reader = new Thread(() -> readLines(child.getInputStream(), lines, partial), "child-stdout-" + round);
        reader.setDaemon(true);
        reader.start();

        ChildOutput out = new ChildOutput(round, bigFrom);
        long readyNanos = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
        while (!killPointReached(out, target, killPoint)) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("round %d: the child acknowledged %d of %d commits within %d s; its log:%n%s", round,
                        out.acks.size(), target, CHILD_TIMEOUT_SECONDS, tail(log));
            }
            if (line.equals(EOF)) {
                child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                fail("round %d: the child exited (status %s) after %d of %d commits; its log:%n%s", round,
                        child.isAlive() ? "none yet" : child.exitValue(), out.acks.size(), target, tail(log));
            }
            out.handle(line);
            if (readyNanos < 0 && out.readyCounter >= 0) {
                readyNanos = System.nanoTime();
            }
        }
        if (killPoint == KillPoint.IN_WRITE) {
            // The child announced finish() of the big transaction; its write begins when the file grows.
            while (Files.size(data) <= out.finishingEnd) {
                if (System.nanoTime() > deadline || !child.isAlive()) {
                    fail("round %d: the file did not grow past %d for the big transaction %d (child alive: %s);"
                            + " its log:%n%s", round, out.finishingEnd, out.finishing, child.isAlive(), tail(log));
                }
                Thread.onSpinWait();
            }
        }
        long killNanos = System.nanoTime();

        // Through the ProcessHandle: Process.destroyForcibly() would also close our end of the child's stdout
        // and lose the lines it printed between our decision and its death, which are acknowledgements too.
        Process killed = child;
        assertThat(killed.toHandle().destroyForcibly()).as("round %d: the kill request must be delivered", round)
                .isTrue();
        assertThat(killed.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("round %d: the child must die within %d s of the kill", round, CHILD_TIMEOUT_SECONDS)
                .isTrue();
        assertThat(killed.exitValue())
                .as("round %d: exit status of the child; 137 = killed by SIGKILL, which destroyForcibly must send"
                        + " on Linux (anything else means it was not a hard kill)", round)
                .isEqualTo(SIGKILL_EXIT_STATUS);
        // Lines printed between our decision and the kill are acknowledgements too: read them to the end.
        reader.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
        assertThat(reader.isAlive()).as("round %d: the child's stdout must close when it dies", round).isFalse();
        for (String line = lines.poll(); line != null && !line.equals(EOF); line = lines.poll()) {
            out.handle(line);
        }
        killed.getOutputStream().close();
        child = null;
        if (partial.length() > 0) {
            System.out.println("round " + round + ": ignored a line cut by the kill: " + partial);
        }
        return new ChildRun(out.readyCounter, out.acks, (readyNanos - startNanos) / 1_000_000,
                (killNanos - readyNanos) / 1_000_000);
    }

    /**
     * After the {@code target}-th acknowledgement of this run; for the kill points inside a commit, once the
     * child also announced finish() of the transaction after it.
     */
    private static boolean killPointReached(ChildOutput out, int target, KillPoint killPoint) {
        if (out.acks.size() < target) {
            return false;
        }
        return killPoint == KillPoint.AFTER_ACK || out.finishing >= out.readyCounter + target;
    }

    /** The parsed lines of one child run. */
    private static final class ChildOutput {
        final int round;
        final long bigFrom;
        final List<Ack> acks = new ArrayList<>();
        long readyCounter = -1;
        long finishing = -1;
        long finishingEnd = -1;

        ChildOutput(int round, long bigFrom) {
            this.round = round;
            this.bigFrom = bigFrom;
        }

        void handle(String line) {
            String[] parts = line.split(" ");
            if (parts[0].equals("READY") && parts.length == 2 && readyCounter < 0) {
                readyCounter = Long.parseLong(parts[1]);
                return;
            }
            if (readyCounter < 0) {
                throw new AssertionError("round " + round + ": the child's first line must be READY, got: " + line);
            }
            long expected = readyCounter + acks.size();
            if (parts[0].equals("FINISHING") && parts.length == 3) {
                finishing = Long.parseLong(parts[1]);
                finishingEnd = Long.parseLong(parts[2]);
                assertThat(finishing).as("round %d: counter of '%s'", round, line).isEqualTo(expected);
                return;
            }
            if (parts[0].equals("COMMITTED") && parts.length >= 4) {
                long[] oids = Arrays.stream(parts, 3, parts.length).mapToLong(Long::parseLong).toArray();
                long counter = Long.parseLong(parts[2]);
                assertThat(counter).as("round %d: counter of acknowledgement '%s'", round, line).isEqualTo(expected);
                assertThat(finishing).as("round %d: '%s' must follow its FINISHING line", round, line)
                        .isEqualTo(counter);
                boolean big = bigFrom >= 0 && counter >= bigFrom;
                acks.add(new Ack(Tid.fromHex(parts[1]), counter, oids, big, round));
                return;
            }
            throw new AssertionError("round " + round + ": unexpected line from the child: " + line);
        }
    }

    /** Splits the child's output into complete lines; a last line without its newline was cut by the kill. */
    private static void readLines(InputStream in, BlockingQueue<String> lines, StringBuilder partial) {
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.add(current.toString(StandardCharsets.UTF_8));
                        current.reset();
                    } else {
                        current.write(buffer[i]);
                    }
                }
            }
        } catch (IOException e) {
            lines.add("READ-ERROR " + e);
        } finally {
            synchronized (partial) {
                partial.append(current.toString(StandardCharsets.UTF_8));
            }
            lines.add(EOF);
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    // ----- verification ------------------------------------------------------------------------------------

    /** What the reopened storage held. */
    private record Verified(long transactions, Tid lastFileTid, Tid lastTransaction) {
    }

    private Verified verify(Path data, List<Ack> acked, Set<Long> mayBeUnacknowledged, int round) throws IOException {
        try (FileStorage storage = FileStorage.open(data, FileStorageOptions.defaults().withFsync(true),
                ReferenceFinder.unavailable())) {
            assertThat(storage.size())
                    .as("round %d: after recovery the storage must end where the file ends", round)
                    .isEqualTo(Files.size(data));

            // 1. Every transaction in the file is complete, in order, and exactly what the child wrote.
            List<TransactionRecord> all = new ArrayList<>();
            try (StorageIterator it = storage.iterator(null, null)) {
                while (it.hasNext()) {
                    TransactionRecord txn = it.next();
                    checkTransaction(txn, all.size(), all.isEmpty() ? Tid.ZERO : all.get(all.size() - 1).tid(),
                            round);
                    all.add(txn);
                }
            }

            // 2. The acknowledged ones are all there, in order, with the oids the child reported.
            Set<Long> ackedCounters = new HashSet<>();
            for (Ack ack : acked) {
                assertThat(ack.counter())
                        .as("round %d: acknowledged transaction %s (counter %d, acknowledged in round %d) must be"
                                + " in the file, which holds %d transactions", round, ack.tid(), ack.counter(),
                                ack.round(), all.size())
                        .isLessThan(all.size());
                TransactionRecord txn = all.get((int) ack.counter());
                assertThat(txn.tid()).as("round %d: tid of the transaction with counter %d", round, ack.counter())
                        .isEqualTo(ack.tid());
                assertThat(oidsOf(txn)).as("round %d: oids of acknowledged transaction %s", round, ack.tid())
                        .containsExactly(ack.oids());
                ackedCounters.add(ack.counter());
            }
            Ack lastAck = acked.get(acked.size() - 1);
            for (int counter = 0; counter < all.size(); counter++) {
                if (!ackedCounters.contains((long) counter)) {
                    assertThat(mayBeUnacknowledged)
                            .as("round %d: transaction %s (counter %d) was never acknowledged; only the one right"
                                    + " after a round's last acknowledgement may survive a kill", round,
                                    all.get(counter).tid(), counter)
                            .contains((long) counter);
                }
            }
            assertThat((long) all.size())
                    .as("round %d: transactions in the file: the acknowledged ones plus at most the one in flight",
                            round)
                    .isBetween(lastAck.counter() + 1, lastAck.counter() + 2);

            // 3. Every acknowledged revision reads back with loadSerial, byte for byte.
            Map<Long, Ack> latestAck = new HashMap<>();
            for (Ack ack : acked) {
                for (long oid : ack.oids()) {
                    byte[] stored = storage.loadSerial(Oid.of(oid), ack.tid());
                    if (!Arrays.equals(stored, CommitLoopChild.payload(ack.counter(), oid, ack.big()))) {
                        fail("round %d: loadSerial(%d, %s) returned %d bytes that are not what the child wrote"
                                + " for counter %d", round, oid, ack.tid(), stored.length, ack.counter());
                    }
                    latestAck.put(oid, ack);
                }
            }

            // 4. The current revision of each object is the last one in the file, and not older than its latest
            //    acknowledged revision (a later one can only be the complete unacknowledged transaction).
            Map<Long, TransactionRecord> lastWriter = new HashMap<>();
            for (TransactionRecord txn : all) {
                for (DataRecord r : txn.records()) {
                    lastWriter.put(r.oid().value(), txn);
                }
            }
            for (Map.Entry<Long, TransactionRecord> e : lastWriter.entrySet()) {
                long oid = e.getKey();
                LoadResult current = storage.loadBefore(Oid.of(oid), Tid.MAX);
                assertThat(current).as("round %d: current revision of oid %d", round, oid).isNotNull();
                assertThat(current.start()).as("round %d: tid of oid %d's current revision", round, oid)
                        .isEqualTo(e.getValue().tid());
                assertThat(current.end()).as("round %d: end of oid %d's current revision", round, oid).isNull();
                long counter = CommitLoopChild.decode(oid, current.data());
                assertThat(all.get((int) counter).tid()).as("round %d: counter in oid %d's current data", round, oid)
                        .isEqualTo(current.start());
                Ack ack = latestAck.get(oid);
                if (ack != null) {
                    assertThat(current.start())
                            .as("round %d: oid %d's current revision must not be older than its latest"
                                    + " acknowledged one", round, oid)
                            .isGreaterThanOrEqualTo(ack.tid());
                    if (!current.start().equals(ack.tid())) {
                        assertThat(ackedCounters).as("round %d: oid %d's current revision %s is newer than its"
                                        + " latest acknowledged one %s, so it must be unacknowledged", round, oid,
                                        current.start(), ack.tid())
                                .doesNotContain(counter);
                    }
                }
            }
            assertThat(storage.length()).as("round %d: objects in the index", round).isEqualTo(lastWriter.size());

            // 5. lastTransaction covers everything acknowledged and everything in the file.
            Tid lastFileTid = all.get(all.size() - 1).tid();
            assertThat(storage.lastTransaction()).as("round %d: lastTransaction()", round)
                    .isGreaterThanOrEqualTo(lastFileTid)
                    .isGreaterThanOrEqualTo(lastAck.tid());
            return new Verified(all.size(), lastFileTid, storage.lastTransaction());
        }
    }

    private static void checkTransaction(TransactionRecord txn, int counter, Tid previous, int round) {
        String what = "round " + round + ": transaction #" + counter + " (" + txn.tid() + ")";
        assertThat(txn.tid()).as("%s: tids must strictly increase", what).isGreaterThan(previous);
        assertThat(txn.status()).as("%s: status", what).isEqualTo(' ');
        assertThat(new String(txn.user(), StandardCharsets.UTF_8)).as("%s: user", what)
                .isEqualTo(CommitLoopChild.USER);
        assertThat(new String(txn.description(), StandardCharsets.UTF_8))
                .as("%s: description; counters in the file must be 0, 1, 2, ... without gaps", what)
                .isEqualTo("txn " + counter);
        assertThat(oidsOf(txn)).as("%s: oids, which the child derives from the counter", what)
                .containsExactly(CommitLoopChild.oidsFor(counter));
        for (DataRecord r : txn.records()) {
            assertThat(r.tid()).as("%s: tid of oid %s's record", what, r.oid()).isEqualTo(txn.tid());
            assertThat(r.dataTxn()).as("%s: oid %s's record must hold its data inline", what, r.oid()).isNull();
            long decoded;
            try {
                decoded = CommitLoopChild.decode(r.oid().value(), r.data());
            } catch (IllegalArgumentException e) {
                throw new AssertionError(what + ": " + e.getMessage(), e);
            }
            assertThat(decoded).as("%s: counter inside oid %s's data", what, r.oid()).isEqualTo(counter);
        }
    }

    private static long[] oidsOf(TransactionRecord txn) {
        return txn.records().stream().mapToLong(r -> r.oid().value()).toArray();
    }

    /**
     * Checks the {@code Data.fs.tr<N>} files the last open wrote: at most one, holding exactly the bytes cut from
     * the end of the file, and an incomplete transaction that was never acknowledged. Returns whether one was cut.
     */
    private static boolean checkCutTail(List<Path> newTails, long sizeBefore, Path data, Verified v, List<Ack> acked,
                                        int round) throws IOException {
        long sizeAfter = Files.size(data);
        assertThat(newTails).as("round %d: tail files written by one open", round).hasSizeLessThanOrEqualTo(1);
        if (newTails.isEmpty()) {
            assertThat(sizeAfter).as("round %d: no tail was saved, so the open must not have shortened the file",
                    round).isEqualTo(sizeBefore);
            return false;
        }
        byte[] tail = Files.readAllBytes(newTails.get(0));
        assertThat((long) tail.length).as("round %d: %s must hold exactly the bytes cut from the file", round,
                newTails.get(0).getFileName()).isEqualTo(sizeBefore - sizeAfter);
        assertThat(tail).as("round %d: a tail file is only written for a non-empty tail", round).isNotEmpty();
        if (tail.length >= 8) {
            Tid tid = Tid.fromBytes(Arrays.copyOf(tail, 8));
            assertThat(tid).as("round %d: the cut transaction's tid must follow the last kept one", round)
                    .isGreaterThan(v.lastFileTid());
            Set<Tid> ackedTids = acked.stream().map(Ack::tid).collect(Collectors.toSet());
            assertThat(ackedTids).as("round %d: the cut transaction must not be an acknowledged one", round)
                    .doesNotContain(tid);
        }
        if (tail.length >= FileFormat.TRANS_HDR_LEN) {
            long tlen = ByteBuffer.wrap(tail, 8, 8).getLong();
            byte status = tail[16];
            assertThat(status == FileFormat.STATUS_CHECKPOINT || tail.length < tlen + FileFormat.TRAILER_LEN)
                    .as("round %d: the cut tail (%d bytes, tlen %d, status %d) must be an incomplete transaction",
                            round, tail.length, tlen, status)
                    .isTrue();
        }
        return true;
    }

    private List<Path> savedTails() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("Data.fs.tr"))
                    .sorted().collect(Collectors.toList());
        }
    }
}
