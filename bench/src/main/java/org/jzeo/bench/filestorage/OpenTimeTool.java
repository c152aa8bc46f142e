package org.jzeo.bench.filestorage;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.file.IndexFile;
import org.jzeo.server.storage.file.OidIndex;

/**
 * Figure (c): how long {@code FileStorage.open} takes on a Data.fs of at least 1 GiB, with its index file
 * ({@code .jzindex}, written at close) and without it (the index is rebuilt by a full scan of the file).
 *
 * <p>A one-shot measurement, so a plain main rather than JMH. Usage:
 * <pre>
 *   java -cp jzeo-benchmarks.jar org.jzeo.bench.filestorage.OpenTimeTool [DIR] [options]
 *     DIR                 where the file is built/reused: DIR/open-&lt;objects&gt;/Data.fs (default target/bench-data)
 *     --objects N         objects in the file (default 1000000)
 *     --min-len N         smallest payload in bytes (default 1000)
 *     --max-len N         largest payload in bytes (default 1200)
 *     --per-txn N         objects per transaction while building (default 300)
 *     --index-runs N      opens with the index file, median reported (default 5)
 *     --scan-runs N       opens by a full scan, median reported (default 3)
 *     --delete            delete the file when done
 * </pre>
 * The file is built once with fsync off (and reused while its parameters match), read once sequentially so the
 * page cache is warm, then opened writable as a server would. Dropping the page cache needs root, so every
 * figure is a warm page cache figure: it measures CPU and syscalls, not the disk.
 */
public final class OpenTimeTool {
    static final double TARGET_INDEX_OPEN_MS = 1000.0;
    static final double TARGET_SCAN_MB_PER_S = 300.0;

    private OpenTimeTool() {
    }

    public static void main(String[] args) throws IOException {
        Path base = null;
        long objects = 1_000_000;
        int minLen = 1000;
        int maxLen = 1200;
        int perTxn = 300;
        int indexRuns = 5;
        int scanRuns = 3;
        boolean delete = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--objects" -> objects = Long.parseLong(args[++i]);
                case "--min-len" -> minLen = Integer.parseInt(args[++i]);
                case "--max-len" -> maxLen = Integer.parseInt(args[++i]);
                case "--per-txn" -> perTxn = Integer.parseInt(args[++i]);
                case "--index-runs" -> indexRuns = Integer.parseInt(args[++i]);
                case "--scan-runs" -> scanRuns = Integer.parseInt(args[++i]);
                case "--delete" -> delete = true;
                case "-h", "--help" -> {
                    System.out.println("usage: OpenTimeTool [DIR] [--objects N] [--min-len N] [--max-len N]"
                            + " [--per-txn N] [--index-runs N] [--scan-runs N] [--delete]");
                    return;
                }
                default -> {
                    if (args[i].startsWith("-") || base != null) {
                        throw new IllegalArgumentException("unknown argument " + args[i]);
                    }
                    base = Path.of(args[i]);
                }
            }
        }
        if (base == null) {
            base = BenchData.baseDir();
        }
        Path dir = base.toAbsolutePath().resolve("open-" + objects);

        System.out.printf("OpenTimeTool %s, %s, %d CPUs, max heap %,d MB%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME), System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("file: %s (%,d objects, payload %d..%d bytes, %d objects per transaction)%n",
                dir.resolve("Data.fs"), objects, minLen, maxLen, perTxn);
        BenchData.Built built = BenchData.ensure(dir, objects, minLen, maxLen, perTxn);
        Path dataFs = built.dataFs();
        Path indexPath = IndexFile.pathFor(dataFs);
        double mb = built.bytes() / 1e6;
        if (built.reused()) {
            System.out.printf("reused the file built earlier (build took %,d ms)%n", built.buildMillis());
        } else {
            System.out.printf("built in %,d ms (%.0f MB/s, fsync off)%n", built.buildMillis(),
                    mb / (built.buildMillis() / 1000.0));
        }
        if (!Files.isRegularFile(indexPath)) {
            System.out.println("no index file: opening once to write it");
            open(dataFs).close();
        }
        System.out.printf("data file: %,d bytes = %.1f MB (%.3f GiB); index file: %,d bytes = %.1f MB%n",
                built.bytes(), mb, built.bytes() / (double) (1L << 30), Files.size(indexPath),
                Files.size(indexPath) / 1e6);
        if (built.bytes() < (1L << 30)) {
            System.out.println("WARNING: the file is smaller than 1 GiB; use more --objects or a larger --min-len");
        }

        long warmStart = System.nanoTime();
        long read = BenchData.warmPageCache(dataFs) + BenchData.warmPageCache(indexPath);
        System.out.printf("warm page cache: read %,d bytes once in %,d ms before measuring%n", read,
                (System.nanoTime() - warmStart) / 1_000_000);

        // One untimed open with the index warms the JIT a little for both paths (the index path shares the
        // loading code); the figures are still close to a real, cold-JVM server start.
        long length;
        try (FileStorage s = open(dataFs)) {
            length = s.length();
        }
        System.out.printf("objects in the index: %,d%n%n", length);

        double[] indexMs = new double[indexRuns];
        double[] indexCpu = new double[indexRuns];
        for (int i = 0; i < indexRuns; i++) {
            if (!Files.isRegularFile(indexPath)) {
                throw new IllegalStateException("the index file is missing before run " + i);
            }
            Timing t = timeOpen(dataFs, length);
            indexMs[i] = t.wallMs();
            indexCpu[i] = t.cpuMs();
            System.out.printf("  open with index, run %d: %,.0f ms (CPU %,.0f ms, load average %.1f)%n", i + 1,
                    t.wallMs(), t.cpuMs(), loadAverage());
        }
        double[] loadMs = new double[indexRuns];
        for (int i = 0; i < indexRuns; i++) {
            long t0 = System.nanoTime();
            IndexFile.load(indexPath, new OidIndex());
            loadMs[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf("  (diagnostic: IndexFile.load alone, median of %d: %,.0f ms)%n", indexRuns,
                median(loadMs));

        double[] scanMs = new double[scanRuns];
        double[] scanCpu = new double[scanRuns];
        for (int i = 0; i < scanRuns; i++) {
            Files.deleteIfExists(indexPath);
            Timing t = timeOpen(dataFs, length);
            scanMs[i] = t.wallMs();
            scanCpu[i] = t.cpuMs();
            System.out.printf("  open by full scan (no .jzindex), run %d: %,.0f ms = %,.0f MB/s"
                    + " (CPU %,.0f ms = %,.0f MB/s per CPU-second, load average %.1f)%n", i + 1, t.wallMs(),
                    mb / (t.wallMs() / 1000.0), t.cpuMs(), mb / (t.cpuMs() / 1000.0), loadAverage());
        }

        double indexMedian = median(indexMs);
        double scanMedian = median(scanMs);
        double scanRate = mb / (scanMedian / 1000.0);
        double indexRate = mb / (indexMedian / 1000.0);
        System.out.println();
        System.out.printf("RESULT (warm page cache) file %.1f MB, %,d objects; load average now %.1f on %d CPUs%n",
                mb, length, loadAverage(), Runtime.getRuntime().availableProcessors());
        System.out.printf("RESULT open with index: median of %d = %,.0f ms (%,.0f MB of Data.fs per s);"
                        + " target < %.0f ms -> %s (%.2fx the budget)%n", indexRuns, indexMedian, indexRate,
                TARGET_INDEX_OPEN_MS, indexMedian < TARGET_INDEX_OPEN_MS ? "MET" : "MISSED",
                indexMedian / TARGET_INDEX_OPEN_MS);
        System.out.printf("RESULT   CPU time of the open with index: median %,.0f ms%n", median(indexCpu));
        System.out.printf("RESULT open by full scan: median of %d = %,.0f ms = %,.0f MB/s;"
                        + " target >= %.0f MB/s -> %s (%.2fx the target)%n", scanRuns, scanMedian, scanRate,
                TARGET_SCAN_MB_PER_S, scanRate >= TARGET_SCAN_MB_PER_S ? "MET" : "MISSED",
                scanRate / TARGET_SCAN_MB_PER_S);
        System.out.printf("RESULT   CPU time of the full-scan open: median %,.0f ms = %,.0f MB per CPU-second%n",
                median(scanCpu), mb / (median(scanCpu) / 1000.0));

        if (delete) {
            BenchData.deleteTree(dir);
            System.out.println("deleted " + dir);
        }
    }

    private static FileStorage open(Path dataFs) {
        return BenchData.open(dataFs, FileStorageOptions.defaults());
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Wall and CPU time of one open, in ms. */
    private record Timing(double wallMs, double cpuMs) {
    }

    /**
     * Times one writable open (the close, which rewrites the index file, is not timed). The CPU time (user +
     * system of the opening thread; open is single-threaded) is printed too: on a shared, loaded machine it is
     * the steadier figure, the wall time being inflated by waiting for a core.
     */
    private static Timing timeOpen(Path dataFs, long expectedLength) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        FileStorage s = open(dataFs);
        double ms = (System.nanoTime() - t0) / 1e6;
        double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
        try {
            if (s.length() != expectedLength) {
                throw new IllegalStateException("opened with " + s.length() + " objects, expected " + expectedLength);
            }
        } finally {
            s.close();
        }
        return new Timing(ms, cpu);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
