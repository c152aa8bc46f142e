package org.jzeo.bench.filestorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * Builds and caches the Data.fs files the benchmarks read. A file is built once in the bench data directory
 * (system property {@value #DIR_PROPERTY}, default {@value #DEFAULT_DIR}) and reused while its
 * {@value #READY} marker matches what was asked for; delete the directory to force a rebuild.
 *
 * <p>Object payloads are opaque bytes (not pickles): FileStorage never looks inside them for load, commit or
 * open, so their content does not change the figures. The storages are opened with
 * {@link ReferenceFinder#unavailable()}: nothing here packs.
 */
final class BenchData {
    static final String DIR_PROPERTY = "jzeo.bench.dir";
    static final String DEFAULT_DIR = "target/bench-data";
    static final String READY = "READY.properties";

    /** Random bytes that payloads are cut from: cheap to produce, and not trivially compressible. */
    private static final byte[] POOL = new byte[1 << 20];

    static {
        new SplittableRandom(20240601L).nextBytes(POOL);
    }

    private BenchData() {
    }

    /** What a built file holds: oids {@code firstOid..lastOid}, all current, one revision each. */
    record Built(Path dataFs, long objects, long firstOid, long lastOid, long bytes, long buildMillis,
                 boolean reused) {
    }

    static Path baseDir() {
        return Path.of(System.getProperty(DIR_PROPERTY, DEFAULT_DIR)).toAbsolutePath();
    }

    /** Options for building: no fsync (the figures measured on the built file do not depend on it). */
    static FileStorageOptions buildOptions() {
        return FileStorageOptions.defaults().withFsync(false);
    }

    static FileStorage open(Path dataFs, FileStorageOptions options) {
        return FileStorage.open(dataFs, options, ReferenceFinder.unavailable());
    }

    /** A payload of {@code minLen..maxLen} bytes (inclusive), cut from the random pool. */
    static byte[] payload(SplittableRandom random, int minLen, int maxLen) {
        int len = minLen == maxLen ? minLen : random.nextInt(minLen, maxLen + 1);
        int from = random.nextInt(POOL.length - len);
        byte[] data = new byte[len];
        System.arraycopy(POOL, from, data, 0, len);
        return data;
    }

    /**
     * Returns the Data.fs in {@code dir}, building it first unless a complete one with the same parameters is
     * there. The file holds {@code objects} new objects with payloads of {@code minLen..maxLen} bytes, written
     * {@code perTxn} to a transaction with fsync off, then closed (which writes the {@code .jzindex}).
     */
    static Built ensure(Path dir, long objects, int minLen, int maxLen, int perTxn) {
        Path dataFs = dir.resolve("Data.fs");
        Path marker = dir.resolve(READY);
        Properties wanted = new Properties();
        wanted.setProperty("objects", Long.toString(objects));
        wanted.setProperty("minLen", Integer.toString(minLen));
        wanted.setProperty("maxLen", Integer.toString(maxLen));
        wanted.setProperty("perTxn", Integer.toString(perTxn));
        try {
            if (Files.isRegularFile(marker) && Files.isRegularFile(dataFs)) {
                Properties have = new Properties();
                try (InputStream in = Files.newInputStream(marker)) {
                    have.load(in);
                }
                boolean same = wanted.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(have.getProperty((String) e.getKey())));
                long bytes = Long.parseLong(have.getProperty("bytes", "-1"));
                if (same && bytes == Files.size(dataFs)) {
                    return new Built(dataFs, objects, Long.parseLong(have.getProperty("firstOid")),
                            Long.parseLong(have.getProperty("lastOid")), bytes,
                            Long.parseLong(have.getProperty("buildMillis")), true);
                }
            }
            deleteTree(dir);
            Files.createDirectories(dir);
            long started = System.nanoTime();
            long firstOid = -1;
            long lastOid = -1;
            SplittableRandom random = new SplittableRandom(objects * 31 + minLen);
            long lastReport = started;
            try (FileStorage storage = open(dataFs, buildOptions())) {
                long written = 0;
                while (written < objects) {
                    int n = (int) Math.min(perTxn, objects - written);
                    List<Oid> oids = storage.newOids(n);
                    StorageTransaction txn = storage.begin(TransactionMetadata.empty());
                    for (Oid oid : oids) {
                        txn.store(oid, Tid.ZERO, payload(random, minLen, maxLen));
                    }
                    txn.vote();
                    txn.finish();
                    if (firstOid < 0) {
                        firstOid = oids.get(0).value();
                    }
                    lastOid = oids.get(n - 1).value();
                    written += n;
                    long now = System.nanoTime();
                    if (now - lastReport > 10_000_000_000L) {
                        System.err.printf("  building %s: %,d / %,d objects, %,d MB%n", dataFs, written, objects,
                                storage.size() >> 20);
                        lastReport = now;
                    }
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            long bytes = Files.size(dataFs);
            Properties done = new Properties();
            done.putAll(wanted);
            done.setProperty("firstOid", Long.toString(firstOid));
            done.setProperty("lastOid", Long.toString(lastOid));
            done.setProperty("bytes", Long.toString(bytes));
            done.setProperty("buildMillis", Long.toString(millis));
            try (OutputStream out = Files.newOutputStream(marker)) {
                done.store(out, "jzeo bench data; delete this directory to rebuild");
            }
            return new Built(dataFs, objects, firstOid, lastOid, bytes, millis, false);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing bench data in " + dir, e);
        }
    }

    /** Reads the whole file once, so that later reads come from the page cache; returns the bytes read. */
    static long warmPageCache(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long total = 0;
            long pos = 0;
            int n;
            while ((n = ch.read(buffer, pos)) > 0) {
                pos += n;
                total += n;
                buffer.clear();
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
