package org.jzeo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** Small helpers shared by the client benchmarks (ShootoutTool, ObjectShootout, BTreeInsertTool). */
public final class BenchSupport {
    private BenchSupport() {
    }

    /** A rate with thousands separators, no decimals. */
    public static String rate(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** This JVM's CPU time in ns, or -1. */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "?". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Deletes a directory tree (nothing if absent). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Deletes a FileStorage's Data.fs and its companion files in {@code dir}. */
    public static void deleteDataFs(Path dir) throws IOException {
        for (String suffix : new String[] {"", ".index", ".jzindex", ".lock", ".tmp", ".old"}) {
            Files.deleteIfExists(dir.resolve("Data.fs" + suffix));
        }
    }

    /**
     * Stops a server process: SIGTERM, then up to {@code seconds} for it to exit, then SIGKILL. Returns its exit
     * status, or -1 if it is still running.
     */
    public static int stopProcess(Process process, int seconds, String what) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
            System.out.println("# " + what + " did not stop within " + seconds + " s of SIGTERM; killing it");
            process.destroyForcibly();
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        return process.isAlive() ? -1 : process.exitValue();
    }
}
