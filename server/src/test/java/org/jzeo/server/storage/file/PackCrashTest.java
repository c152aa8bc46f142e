package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pack killed with SIGKILL at random moments leaves a usable file: it opens, every reachable object has its
 * current data, and a later pack succeeds.
 */
class PackCrashTest {
    private static final int OBJECTS = 2000;
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @Test
    void packKilledAtRandomMomentsLeavesAUsableFile() throws Exception {
        Path pristine = dir.resolve("pristine").resolve("Data.fs");
        Files.createDirectories(pristine.getParent());
        Map<Oid, byte[]> expected = build(pristine);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long fullPackMillis = timeOneFullPack(pristine, expected);
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Path roundDir = dir.resolve("round" + round);
            Files.createDirectories(roundDir);
            Path data = roundDir.resolve("Data.fs");
            Files.copy(pristine, data);
            Process child = startChild(data);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("child output (seed %d)", seed).isEqualTo("PACKING");
            long delay = (long) (random.nextDouble() * fullPackMillis);
            boolean finished = child.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                child.toHandle().destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // The pack may end between the wait's timeout and the kill: then it exited 0 on its own.
                assertThat(child.exitValue()).as("killed by SIGKILL (137) or finished just before (0)")
                        .isIn(0, 128 + 9);
                finished = child.exitValue() == 0;
            }
            outcomes.add(finished ? "finished" : "killed after " + delay + " ms");
            verify(data, expected, "round " + round + " (" + outcomes.get(round) + ", seed " + seed + ")");
        }
        System.out.println("pack crash rounds: " + outcomes);
        assertThat(outcomes).as("at least one pack was really interrupted").anyMatch(o -> o.startsWith("killed"));
    }

    private long timeOneFullPack(Path pristine, Map<Oid, byte[]> expected) throws Exception {
        Path d = dir.resolve("timing");
        Files.createDirectories(d);
        Path data = d.resolve("Data.fs");
        Files.copy(pristine, data);
        Process child = startChild(data);
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("PACKING");
        long start = System.nanoTime();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        verify(data, expected, "uninterrupted pack");
        try (FileStorage storage = open(data)) {
            assertThat(storage.length()).as("the garbage was collected").isEqualTo(expected.size());
        }
        return Math.max(20, (System.nanoTime() - start) / 1_000_000);
    }

    private Process startChild(Path data) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                PackChild.class.getName(), data.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static FileStorage open(Path data) {
        return FileStorage.open(data, FileStorageOptions.defaults(), ReferenceScanner.finder());
    }

    private static void verify(Path data, Map<Oid, byte[]> expected, String context) {
        try (FileStorage storage = open(data)) {
            expected.forEach((oid, bytes) -> assertThat(storage.loadBefore(oid, Tid.MAX).data())
                    .as("%s: oid %s", context, oid).isEqualTo(bytes));
            // A later pack works whatever the interrupted one left behind (a stale Data.fs.pack, say).
            storage.pack(storage.lastTransaction(), true);
            expected.forEach((oid, bytes) -> assertThat(storage.loadBefore(oid, Tid.MAX).data())
                    .as("%s, packed again: oid %s", context, oid).isEqualTo(bytes));
            assertThat(storage.length()).as(context).isEqualTo(expected.size());
        }
    }

    /** Root → OBJECTS objects, each rewritten a few times; plus garbage that pack removes. */
    private static Map<Oid, byte[]> build(Path data) {
        Map<Oid, byte[]> current = new HashMap<>();
        Map<Oid, Tid> serials = new HashMap<>();
        List<Oid> children = new ArrayList<>();
        for (int i = 1; i <= OBJECTS; i++) {
            children.add(Oid.of(i));
        }
        try (FileStorage storage = FileStorage.open(data, FileStorageOptions.defaults().withFsync(false),
                ReferenceScanner.finder())) {
            for (int version = 0; version < 4; version++) {
                for (int start = 1; start <= OBJECTS; start += 200) {
                    StorageTransaction txn = storage.begin(TransactionMetadata.empty());
                    for (int i = start; i < start + 200; i++) {
                        Oid oid = Oid.of(i);
                        byte[] record = JzeoRecord.encode(List.of(), ("object " + i + " version " + version + " "
                                + "x".repeat(100 + (i * 7 + version) % 400)).getBytes(StandardCharsets.UTF_8));
                        txn.store(oid, serials.getOrDefault(oid, Tid.ZERO), record);
                        current.put(oid, record);
                    }
                    Oid garbage = Oid.of(100_000 + version * 10_000 + start);
                    txn.store(garbage, Tid.ZERO, JzeoRecord.encode(List.of(), new byte[300]));
                    txn.vote();
                    Tid tid = txn.finish();
                    for (int i = start; i < start + 200; i++) {
                        serials.put(Oid.of(i), tid);
                    }
                }
            }
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            byte[] root = JzeoRecord.encode(children, "root".getBytes(StandardCharsets.UTF_8));
            txn.store(Oid.ROOT, Tid.ZERO, root);
            txn.vote();
            txn.finish();
            current.put(Oid.ROOT, root);
            assertThatNoGarbageIsReachable(storage);
        }
        return current;
    }

    private static void assertThatNoGarbageIsReachable(FileStorage storage) {
        assertThat(storage.length()).isGreaterThan(OBJECTS + 1);
        try {
            storage.loadBefore(Oid.of(1), Tid.MAX);
        } catch (POSKeyException e) {
            throw new AssertionError("object 1 should exist", e);
        }
    }
}
