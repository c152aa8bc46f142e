package org.jzeo.bench.filestorage;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.storage.LoadResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Figure (a): {@code loadBefore(oid, Tid.MAX)} of random current oids from a Data.fs of 1,000,000 objects
 * (payloads of 100–200 bytes), the file being in the page cache.
 *
 * <p>The file is built once (transactions of 10,000 objects, fsync off) under {@code ${jzeo.bench.dir}/loadbefore-&lt;objects&gt;/}
 * and reused by later runs. The trial setup opens it read-only (with its {@code .jzindex}) and reads it once
 * sequentially, so every measured load is served from the page cache. The score of each method is the total
 * throughput of all its threads (ops/s = loads/s).
 *
 * <p>System properties: {@code jzeo.bench.dir} (default {@code target/bench-data}),
 * {@code jzeo.bench.loadbefore.objects} (default 1000000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LoadBeforeBenchmark {
    static final int PER_TXN = 10_000;

    private FileStorage storage;
    private long firstOid;
    private long oidCount;

    @Setup(Level.Trial)
    public void setUp() {
        long objects = Long.getLong("jzeo.bench.loadbefore.objects", 1_000_000L);
        Path dir = BenchData.baseDir().resolve("loadbefore-" + objects);
        BenchData.Built built = BenchData.ensure(dir, objects, 100, 200, PER_TXN);
        System.err.printf("%n  data file %s: %,d objects, %,d bytes (%s in %,d ms)%n", built.dataFs(),
                built.objects(), built.bytes(), built.reused() ? "reused, built earlier" : "built", built.buildMillis());
        BenchData.warmPageCache(built.dataFs());
        storage = BenchData.open(built.dataFs(), BenchData.buildOptions().withReadOnly(true));
        if (storage.length() != objects) {
            throw new IllegalStateException("expected " + objects + " objects, the index has " + storage.length());
        }
        firstOid = built.firstOid();
        oidCount = built.lastOid() - built.firstOid() + 1;
        // Touch one object so a broken file fails here rather than inside the measurement.
        storage.loadBefore(Oid.of(firstOid), Tid.MAX);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (storage != null) {
            storage.close();
        }
    }

    private LoadResult loadRandom() {
        long oid = firstOid + ThreadLocalRandom.current().nextLong(oidCount);
        return storage.loadBefore(Oid.of(oid), Tid.MAX);
    }

    @Benchmark
    @Threads(1)
    public LoadResult loadBefore1Thread() {
        return loadRandom();
    }

    @Benchmark
    @Threads(2)
    public LoadResult loadBefore2Threads() {
        return loadRandom();
    }
}
