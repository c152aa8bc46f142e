package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shows that power-loss tests have teeth: every source line of production code that calls a force or a directory
 * sync is, in turn, made a no-op (as if deleted) and the power-loss scenarios are swept again; at least one must
 * fail. A line no scenario misses is either durability nobody tests or a sync nothing needs, and both deserve a
 * look. Two markers, on the line of the call, say why a line is exempt; both are listed with their reason:
 * <ul>
 *   <li>{@value #NOT_SWEPT}{@code : <reason>}: the sweeps cannot reach it; it is not run;</li>
 *   <li>{@value #REDUNDANT}{@code : <reason>}: no power loss can make it matter (the reason says why); it is run
 *       all the same and must survive every scenario, so a scenario that proves the claim wrong is noticed.</li>
 * </ul>
 */
public final class FsyncMutationCheck {
    /** A call that makes something durable: a channel's force, or the server's directory sync. */
    public static final Pattern SYNC_CALL = Pattern.compile("\\.force\\(|DirectorySync\\.sync\\(");
    /** The marker, on the line of the call, of a sync the sweeps cannot reach; the reason follows it. */
    public static final String NOT_SWEPT = "fsync-mutation: not swept";
    /** The marker of a sync kept although no promise needs it; the reason (the argument) follows it. */
    public static final String REDUNDANT = "fsync-mutation: redundant";

    /**
     * The sync calls of a source tree.
     *
     * @param swept     "File.java:line" of every call that some scenario must need
     * @param redundant "File.java:line" of every call marked {@link #REDUNDANT}, which no scenario may need
     * @param exempt    "File.java:line marker: reason" of every marked call
     */
    public record Sites(List<String> swept, List<String> redundant, List<String> exempt) {
    }

    /**
     * What the check found.
     *
     * @param caughtBy  for every caught site, the name of the first scenario that failed without it
     * @param survivors the sites whose removal no scenario noticed
     */
    public record Outcome(Map<String, String> caughtBy, List<String> survivors) {
        /** One line per site, for the test's output (and the note that lists them). */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            caughtBy.forEach((site, scenario) -> out.add("without " + site + ", '" + scenario + "' fails"));
            survivors.forEach(site -> out.add("without " + site + ", every scenario still passes"));
            return out;
        }
    }

    private FsyncMutationCheck() {
    }

    /** Every non-comment line of the {@code .java} files under {@code sources} that calls {@link #SYNC_CALL}. */
    public static Sites find(Path sources) throws IOException {
        List<String> swept = new ArrayList<>();
        List<String> redundant = new ArrayList<>();
        List<String> exempt = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("//") || !SYNC_CALL.matcher(code).find()) {
                        continue;
                    }
                    String site = file.getFileName() + ":" + (i + 1);
                    if (code.contains(NOT_SWEPT)) {
                        exempt.add(site + " " + code.substring(code.indexOf(NOT_SWEPT)));
                    } else if (code.contains(REDUNDANT)) {
                        exempt.add(site + " " + code.substring(code.indexOf(REDUNDANT)));
                        redundant.add(site);
                    } else {
                        swept.add(site);
                    }
                }
            }
        }
        return new Sites(swept, redundant, exempt);
    }

    /**
     * Sweeps {@code scenarios} once per site with the forces of that site ignored, until one fails.
     *
     * @param scenarios     fresh scenarios (asked for once per site, so no state leaks between runs)
     * @param workDir       a real, empty folder for the disks
     * @param seedsPerPoint power losses restored per crash point
     */
    public static Outcome run(List<String> sites, Supplier<List<PowerLossScenario>> scenarios, Path workDir,
            int seedsPerPoint) throws Exception {
        Map<String, String> caughtBy = new LinkedHashMap<>();
        List<String> survivors = new ArrayList<>();
        int run = 0;
        for (String site : sites) {
            String catcher = null;
            for (PowerLossScenario scenario : scenarios.get()) {
                Path dir = Files.createDirectories(workDir.resolve("mutation-" + run++));
                try {
                    new PowerLossSweep(dir, seedsPerPoint, 1).ignoringForcesAt(site).run(scenario);
                } catch (AssertionError caught) {
                    catcher = scenario.name();
                    break;
                }
            }
            if (catcher == null) {
                survivors.add(site);
            } else {
                caughtBy.put(site, catcher);
            }
        }
        return new Outcome(caughtBy, survivors);
    }
}
