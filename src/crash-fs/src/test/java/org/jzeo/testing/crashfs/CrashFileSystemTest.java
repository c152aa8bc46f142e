package org.jzeo.testing.crashfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashFileSystemTest {
    @TempDir
    Path tmp;

    private CrashFileSystem disk() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("disk"));
        return CrashFileSystem.over(root);
    }

    private static void write(Path file, byte[] bytes, boolean force, boolean syncDir) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), 0);
            if (force) {
                ch.force(true);
            }
        }
        if (syncDir) {
            syncDirectory(file.getParent());
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Test
    void forcedFileInASyncedDirectorySurvivesEveryPowerLoss() throws IOException {
        CrashFileSystem fs = disk();
        byte[] data = bytes(3000, 7);
        write(fs.root().resolve("a"), data, true, true);
        for (long seed = 0; seed < 20; seed++) {
            Path after = tmp.resolve("after" + seed);
            fs.restore(seed, after);
            assertThat(Files.readAllBytes(after.resolve("a"))).isEqualTo(data);
        }
    }

    @Test
    void aForcedFileWhoseDirectoryWasNeverSyncedCanVanish() throws IOException {
        CrashFileSystem fs = disk();
        write(fs.root().resolve("a"), bytes(100, 1), true, false);
        Set<Boolean> present = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Path after = tmp.resolve("after" + seed);
            fs.restore(seed, after);
            present.add(Files.exists(after.resolve("a")));
        }
        assertThat(present).containsExactlyInAnyOrder(true, false);
    }

    @Test
    void unforcedWritesAreKeptLostZeroedOrTornIn512ByteSectors() throws IOException {
        CrashFileSystem fs = disk();
        Path file = fs.root().resolve("a");
        write(file, new byte[0], true, true);
        byte[] data = bytes(4096, 3);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), 0);
        }
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            Path after = tmp.resolve("after" + seed);
            fs.restore(seed, after);
            byte[] got = Files.readAllBytes(after.resolve("a"));
            if (got.length == 0) {
                outcomes.add("lost");
            } else if (Arrays.equals(got, data)) {
                outcomes.add("kept");
            } else if (Arrays.equals(got, new byte[data.length])) {
                outcomes.add("zeroed");
            } else {
                assertThat(got.length % 512).isZero();
                for (int sector = 0; sector < got.length; sector += 512) {
                    byte[] part = Arrays.copyOfRange(got, sector, sector + 512);
                    assertThat(part).as("sector at %d: the written bytes or zeros", sector)
                            .satisfiesAnyOf(p -> assertThat(p).isEqualTo(Arrays.copyOfRange(data, 0, 512)),
                                    p -> assertThat(p).isEqualTo(new byte[512]));
                }
                outcomes.add(got.length < data.length ? "torn short" : "torn in place");
            }
        }
        assertThat(outcomes).containsExactlyInAnyOrder("kept", "lost", "zeroed", "torn short", "torn in place");
    }

    @Test
    void theSameSeedGivesTheSameDisk() throws IOException {
        CrashFileSystem fs = disk();
        Path file = fs.root().resolve("a");
        write(file, bytes(5000, 9), false, false);
        fs.restore(42, tmp.resolve("one"));
        fs.restore(42, tmp.resolve("two"));
        boolean inOne = Files.exists(tmp.resolve("one/a"));
        assertThat(Files.exists(tmp.resolve("two/a"))).isEqualTo(inOne);
        if (inOne) {
            assertThat(Files.readAllBytes(tmp.resolve("two/a"))).isEqualTo(Files.readAllBytes(tmp.resolve("one/a")));
        }
    }

    @Test
    void anUnsyncedRenameKeepsBothHalvesOrNeither() throws IOException {
        CrashFileSystem fs = disk();
        write(fs.root().resolve("old"), bytes(10, 1), true, true);
        write(fs.root().resolve("new.tmp"), bytes(10, 2), true, true);
        Files.move(fs.root().resolve("new.tmp"), fs.root().resolve("old"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Path after = tmp.resolve("after" + seed);
            fs.restore(seed, after);
            byte[] old = Files.readAllBytes(after.resolve("old"));
            boolean tmpLeft = Files.exists(after.resolve("new.tmp"));
            assertThat(old[0] == 2).isNotEqualTo(tmpLeft);
            outcomes.add(old[0] == 2 ? "renamed" : "not renamed");
        }
        assertThat(outcomes).containsExactlyInAnyOrder("renamed", "not renamed");
    }

    @Test
    void afterThePowerGoesNothingMoreIsWrittenButReadsWork() throws IOException {
        CrashFileSystem fs = disk();
        Path file = fs.root().resolve("a");
        write(file, bytes(10, 1), true, true);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fs.crashAfter(2);
            ch.write(ByteBuffer.wrap(bytes(10, 5)), 0);
            assertThatThrownBy(() -> ch.force(true)).hasMessageContaining("simulated power loss");
            assertThatThrownBy(() -> ch.write(ByteBuffer.wrap(bytes(1, 1)), 0)).isInstanceOf(IOException.class);
            ByteBuffer b = ByteBuffer.allocate(10);
            ch.read(b, 0);
            assertThat(b.array()[0]).isEqualTo((byte) 5);
        }
        assertThat(fs.crashed()).isTrue();
    }

    @Test
    void anIgnoredForceSiteMakesNothingDurable() throws IOException {
        CrashFileSystem fs = disk();
        Path file = fs.root().resolve("a");
        write(file, new byte[0], true, true);
        String site = fs.forceSites().stream().filter(s -> s.startsWith("CrashFileSystemTest.java:")).findFirst()
                .orElseThrow();
        fs.ignoreForcesAt(site);
        write(file, bytes(1000, 4), true, false);
        Set<Integer> lengths = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            Path after = tmp.resolve("after" + seed);
            fs.restore(seed, after);
            lengths.add(Files.readAllBytes(after.resolve("a")).length);
        }
        assertThat(lengths).contains(0);
    }

    private static byte[] bytes(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
