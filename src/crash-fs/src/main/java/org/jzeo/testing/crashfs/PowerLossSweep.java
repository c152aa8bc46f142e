package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a workload on a fresh simulated disk once per crash point and checks what each power loss left.
 *
 * <p>A first run without a crash counts the workload's mutating operations; then, for every point (or every
 * {@code stride}-th), the workload runs again until the power goes at that operation, and for each seed the
 * surviving disk is restored into a new folder and handed to the check. The workload must be deterministic for
 * the points to mean the same thing in every run; a concurrent workload can still be swept (the points are then
 * samples). The workload sees an IOException (or whatever the code under test makes of it) when the power goes
 * and should stop there; it must leave no thread running.
 */
public final class PowerLossSweep {

    /** The code under test, run on the simulated disk's root. */
    @FunctionalInterface
    public interface Workload {
        void run(CrashFileSystem disk, Path root) throws Exception;
    }

    /** Checks a restored disk (a real folder). {@code point} and {@code seed} are for messages. */
    @FunctionalInterface
    public interface Check {
        void verify(Path restored, long point, long seed, PowerLossReport report) throws Exception;
    }

    /** What a sweep did. */
    public record Result(long operations, int points, int powerLosses, int damagedPowerLosses) {
        @Override
        public String toString() {
            return operations + " operations, " + points + " crash points, " + powerLosses
                    + " power losses checked (" + damagedPowerLosses + " lost or tore unforced data)";
        }
    }

    private final Path workDir;
    private final int seedsPerPoint;
    private final long stride;
    private final String ignoredForceSite;

    /**
     * @param workDir       a real, empty folder for the disks
     * @param seedsPerPoint power losses restored per crash point
     * @param stride        1 to crash at every operation, n to crash at every n-th
     */
    public PowerLossSweep(Path workDir, int seedsPerPoint, long stride) {
        this(workDir, seedsPerPoint, stride, null);
    }

    private PowerLossSweep(Path workDir, int seedsPerPoint, long stride, String ignoredForceSite) {
        this.workDir = workDir;
        this.seedsPerPoint = seedsPerPoint;
        this.stride = stride;
        this.ignoredForceSite = ignoredForceSite;
    }

    /** The same sweep on disks where forces called from {@code site} ("File.java:line") do nothing. */
    public PowerLossSweep ignoringForcesAt(String site) {
        return new PowerLossSweep(workDir, seedsPerPoint, stride, site);
    }

    public Result run(PowerLossScenario scenario) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(scenario.name().replaceAll("[^A-Za-z0-9]+", "-")));
        return new PowerLossSweep(dir, seedsPerPoint, stride, ignoredForceSite).run(scenario.workload(),
                scenario.check());
    }

    private CrashFileSystem disk(Path dir) throws IOException {
        CrashFileSystem disk = CrashFileSystem.over(Files.createDirectories(dir));
        if (ignoredForceSite != null) {
            disk.ignoreForcesAt(ignoredForceSite);
        }
        return disk;
    }

    public Result run(Workload workload, Check check) throws Exception {
        long operations;
        {
            CrashFileSystem dry = disk(workDir.resolve("dry-run"));
            workload.run(dry, dry.root());
            operations = dry.operations();
            delete(workDir.resolve("dry-run"));
        }
        int points = 0;
        int losses = 0;
        int damaged = 0;
        for (long point = 1; point <= operations + 1; point += stride) {
            Path diskDir = workDir.resolve("disk-" + point);
            CrashFileSystem disk = disk(diskDir);
            disk.crashAfter(point);
            try {
                workload.run(disk, disk.root());
            } catch (Exception expected) {
                // The power went: the workload stops wherever it was.
            }
            points++;
            for (int s = 0; s < seedsPerPoint; s++) {
                long seed = point * 1_000_003L + s;
                Path restored = workDir.resolve("restored-" + point + "-" + s);
                PowerLossReport report = disk.restore(seed, restored);
                losses++;
                if (report.damaged() > 0) {
                    damaged++;
                }
                try {
                    check.verify(restored, point, seed, report);
                } catch (AssertionError | Exception e) {
                    throw new AssertionError("after a power loss at operation " + point + " of " + operations
                            + " (seed " + seed + ", " + report + "): " + e.getMessage(), e);
                }
                delete(restored);
            }
            delete(diskDir);
        }
        return new Result(operations, points, losses, damaged);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
