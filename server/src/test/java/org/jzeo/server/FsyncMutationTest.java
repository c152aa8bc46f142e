package org.jzeo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jzeo.server.storage.file.FileStoragePowerLossTest;
import org.jzeo.server.xa.PreparedLogPowerLossTest;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-loss tests have teeth: for every force and directory sync in the server's production code (every
 * source line calling {@code .force(} or {@code DirectorySync.sync(}), the power-loss scenarios are run on disks
 * where forces from that line do nothing, exactly as if the line were deleted, and at least one scenario must
 * fail. A site no scenario misses is either untested durability or a useless sync; both are defects.
 */
class FsyncMutationTest {
    private static final Pattern SYNC_CALL = Pattern.compile("\\.force\\(|DirectorySync\\.sync\\(");
    /** Marks, in production code, a sync the sweeps cannot reach, with the reason; listed in the output. */
    private static final String NOT_SWEPT = "fsync-mutation: not swept";

    @TempDir
    Path tmp;

    static List<PowerLossScenario> scenarios() {
        List<PowerLossScenario> all = new ArrayList<>(FileStoragePowerLossTest.scenarios());
        all.addAll(PreparedLogPowerLossTest.scenarios());
        return all;
    }

    /** "File.java:line" of every line of production code that calls a force or a directory sync. */
    static List<String> syncSites(Path sources) throws IOException {
        List<String> sites = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (!code.startsWith("*") && !code.startsWith("//") && SYNC_CALL.matcher(code).find()) {
                        if (code.contains(NOT_SWEPT)) {
                            System.out.println("fsync mutation: " + file.getFileName() + ":" + (i + 1) + " "
                                    + code.substring(code.indexOf(NOT_SWEPT)));
                        } else {
                            sites.add(file.getFileName() + ":" + (i + 1));
                        }
                    }
                }
            }
        }
        return sites;
    }

    @Test
    void removingAnyForceOrDirectorySyncMakesAPowerLossTestFail() throws Exception {
        List<String> sites = syncSites(Path.of("src/main/java"));
        assertThat(sites).as("force and directory-sync sites found in src/main/java").isNotEmpty();
        Map<String, String> caughtBy = new LinkedHashMap<>();
        List<String> survivors = new ArrayList<>();
        int run = 0;
        for (String site : sites) {
            String catcher = null;
            for (PowerLossScenario scenario : scenarios()) {
                PowerLossSweep sweep = new PowerLossSweep(Files.createDirectories(tmp.resolve("m" + run++)), 2, 1)
                        .ignoringForcesAt(site);
                try {
                    sweep.run(scenario);
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
        caughtBy.forEach((site, scenario) -> System.out.println("fsync mutation: without " + site + ", '"
                + scenario + "' fails"));
        assertThat(survivors).as("sync sites whose removal no power-loss scenario notices").isEmpty();
    }
}
