package org.jzeo.bench.filestorage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Figure (b): one thread committing transactions WITH fsync, full two-phase commit ({@code begin}, {@code store}
 * with the current serial, {@code vote}, {@code finish}); ops/s = transactions/s.
 *
 * <p>{@code commit1} updates one object per transaction, {@code commit100} 100 objects. The objects are updates
 * of {@value #OBJECTS} existing objects (payloads of 100–200 bytes), taken round-robin, each stored with its
 * right serial (the tid of its last commit, remembered from {@code finish}). With {@code -p kind=new} every
 * store is of a new oid instead.
 *
 * <p>Each trial starts from a fresh Data.fs in a new directory {@code commit-NNN} under {@code jzeo.bench.dir}
 * (prefilled with fsync off, then reopened with fsync on), deleted at the end of the trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class CommitBenchmark {
    static final int OBJECTS = 10_000;

    /** {@code update}: stores of existing objects with their serial; {@code new}: stores of new oids. */
    @Param({"update"})
    public String kind;

    private Path dir;
    private FileStorage storage;
    private long firstOid;
    private Tid[] serials;
    private int next;
    private final SplittableRandom random = new SplittableRandom(7);
    private byte[][] payloads;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        // One directory per state (per thread if run with -t N), so parallel trials never share a file.
        Files.createDirectories(BenchData.baseDir());
        dir = Files.createTempDirectory(BenchData.baseDir(), "commit-");
        Path dataFs = dir.resolve("Data.fs");
        serials = new Tid[OBJECTS];
        try (FileStorage prefill = BenchData.open(dataFs, BenchData.buildOptions())) {
            List<Oid> oids = prefill.newOids(OBJECTS);
            StorageTransaction txn = prefill.begin(TransactionMetadata.empty());
            for (Oid oid : oids) {
                txn.store(oid, Tid.ZERO, BenchData.payload(random, 100, 200));
            }
            txn.vote();
            Tid tid = txn.finish();
            java.util.Arrays.fill(serials, tid);
            firstOid = oids.get(0).value();
        }
        storage = BenchData.open(dataFs, BenchData.buildOptions().withFsync(true));
        if (!storage.getTid(Oid.of(firstOid)).equals(serials[0])) {
            throw new IllegalStateException("prefill did not commit");
        }
        payloads = new byte[256][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = BenchData.payload(random, 100, 200);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (storage != null) {
                System.err.printf("%n  commit file grew to %,d bytes%n", storage.size());
                storage.close();
            }
            BenchData.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tid commit(int objects) {
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        boolean updates = "update".equals(kind);
        int start = next;
        if (updates) {
            for (int i = 0; i < objects; i++) {
                int slot = (start + i) % OBJECTS;
                txn.store(Oid.of(firstOid + slot), serials[slot], payloads[(start + i) & 255]);
            }
        } else {
            for (Oid oid : storage.newOids(objects)) {
                txn.store(oid, Tid.ZERO, payloads[next++ & 255]);
            }
        }
        txn.vote();
        Tid tid = txn.finish();
        if (updates) {
            for (int i = 0; i < objects; i++) {
                serials[(start + i) % OBJECTS] = tid;
            }
            next = (start + objects) % OBJECTS;
        }
        return tid;
    }

    @Benchmark
    public Tid commit1() {
        return commit(1);
    }

    @Benchmark
    public Tid commit100() {
        return commit(100);
    }
}
