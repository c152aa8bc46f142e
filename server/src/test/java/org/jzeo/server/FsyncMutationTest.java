package org.jzeo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.server.auth.PasswordFileWriterTest;
import org.jzeo.server.storage.file.FileStorageBlobPowerLossTest;
import org.jzeo.server.storage.file.FileStoragePowerLossTest;
import org.jzeo.server.xa.PreparedLogPowerLossTest;
import org.jzeo.testing.crashfs.FsyncMutationCheck;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-loss tests have teeth: for every force and directory sync in the server's production code (every
 * source line calling {@code .force(} or {@code DirectorySync.sync(}), the power-loss scenarios are run on disks
 * where forces from that line do nothing, exactly as if the line were deleted, and at least one scenario must
 * fail. A site no scenario misses is either untested durability or a useless sync; both are defects. Lines marked
 * {@code fsync-mutation: not swept: <reason>} are listed, not run; lines marked {@code fsync-mutation: redundant}
 * must survive every scenario.
 */
class FsyncMutationTest {
    private static final int SEEDS = 2;

    @TempDir
    Path tmp;

    static List<PowerLossScenario> scenarios() {
        // The blob scenario first: it also commits to Data.fs, so it catches most Data.fs sites quickly, and the
        // blob sites (which only it exercises) do not wait for every other scenario to be swept in full first.
        List<PowerLossScenario> all = new ArrayList<>(FileStorageBlobPowerLossTest.scenarios());
        all.addAll(FileStoragePowerLossTest.scenarios());
        all.addAll(PreparedLogPowerLossTest.scenarios());
        all.addAll(PasswordFileWriterTest.scenarios());
        return all;
    }

    @Test
    void removingAnyForceOrDirectorySyncMakesAPowerLossTestFail() throws Exception {
        FsyncMutationCheck.Sites sites = FsyncMutationCheck.find(Path.of("src/main/java"));
        sites.exempt().forEach(line -> System.out.println("fsync mutation: " + line));
        assertThat(sites.swept()).as("force and directory-sync sites found in src/main/java").isNotEmpty();

        FsyncMutationCheck.Outcome needed = FsyncMutationCheck.run(sites.swept(), FsyncMutationTest::scenarios,
                Files.createDirectories(tmp.resolve("needed")), SEEDS);
        FsyncMutationCheck.Outcome redundant = FsyncMutationCheck.run(sites.redundant(),
                FsyncMutationTest::scenarios, Files.createDirectories(tmp.resolve("redundant")), SEEDS);

        needed.lines().forEach(line -> System.out.println("fsync mutation: " + line));
        redundant.lines().forEach(line -> System.out.println("fsync mutation (marked redundant): " + line));
        assertThat(needed.survivors()).as("sync sites whose removal no power-loss scenario notices").isEmpty();
        assertThat(redundant.caughtBy()).as("sync sites marked redundant that a scenario needs").isEmpty();
    }
}
