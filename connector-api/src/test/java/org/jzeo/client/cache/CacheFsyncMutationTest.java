package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jzeo.testing.crashfs.FsyncMutationCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client cache's power-loss tests have teeth: for every force and directory sync in connector-api's
 * production code, the {@link DiskCachePowerLossTest} scenarios are swept on disks where forces from that line do
 * nothing, exactly as if it were deleted, and at least one scenario must fail. A force marked redundant in the
 * code (with the argument why) must, on the contrary, survive every scenario: the mark is checked, not trusted.
 */
class CacheFsyncMutationTest {
    private static final int SEEDS = 3;

    @TempDir
    Path tmp;

    @Test
    void removingAnyForceMakesAPowerLossTestFailUnlessItIsMarkedRedundant() throws Exception {
        FsyncMutationCheck.Sites sites = FsyncMutationCheck.find(Path.of("src/main/java"));
        sites.exempt().forEach(line -> System.out.println("fsync mutation: " + line));
        assertThat(sites.swept()).as("force sites found in connector-api's src/main/java").isNotEmpty();

        FsyncMutationCheck.Outcome needed = FsyncMutationCheck.run(sites.swept(),
                DiskCachePowerLossTest::scenarios, Files.createDirectories(tmp.resolve("needed")), SEEDS);
        FsyncMutationCheck.Outcome redundant = FsyncMutationCheck.run(sites.redundant(),
                DiskCachePowerLossTest::scenarios, Files.createDirectories(tmp.resolve("redundant")), SEEDS);

        needed.lines().forEach(line -> System.out.println("fsync mutation: " + line));
        redundant.lines().forEach(line -> System.out.println("fsync mutation (marked redundant): " + line));
        assertThat(needed.survivors()).as("force sites whose removal no power-loss scenario notices").isEmpty();
        assertThat(redundant.caughtBy()).as("force sites marked redundant that a scenario needs").isEmpty();
    }
}
