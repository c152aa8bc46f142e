package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Persistence, the lock, and what happens to damaged or untrustworthy files. */
class DiskCacheFileTest {
    private static final long SIZE = 256 * 1024;
    private static final String BOOT = "boot-a";
    private static final Oid A = Oid.of(1);
    private static final Oid B = Oid.of(2);
    /** The first record is written at the start of the data area. */
    private static final long FIRST_RECORD = CacheFileFormat.DATA_START;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("client-1.jzc");
    }

    private DiskCache open(Path file, String bootId) {
        return DiskCache.persistent(file, SIZE, () -> bootId);
    }

    /** A: current revision at 10 (the first record); B: 10..20 then current at 20; last tid 20. */
    private void fill(DiskCache c) {
        c.store(A, Tid.of(10), null, bytes(100, 1));
        c.store(B, Tid.of(10), null, bytes(200, 2));
        c.invalidate(B, Tid.of(20));
        c.store(B, Tid.of(20), null, bytes(50, 3));
        c.setLastTid(Tid.of(20));
    }

    private static byte[] bytes(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static void assertFilled(DiskCache c) {
        assertThat(c.entryCount()).isEqualTo(3);
        assertThat(c.lastTid()).isEqualTo(Tid.of(20));
        assertThat(c.loadBefore(A, Tid.MAX).data()).isEqualTo(bytes(100, 1));
        assertThat(c.loadBefore(B, Tid.of(15)).data()).isEqualTo(bytes(200, 2));
        assertThat(c.loadBefore(B, Tid.of(15)).end()).isEqualTo(Tid.of(20));
        assertThat(c.loadBefore(B, Tid.MAX).data()).isEqualTo(bytes(50, 3));
    }

    private static void assertEmptyAndMissing(DiskCache c) {
        assertThat(c.entryCount()).isZero();
        assertThat(c.loadBefore(A, Tid.MAX)).isNull();
        assertThat(c.loadBefore(B, Tid.of(15))).isNull();
        assertThat(c.loadBefore(B, Tid.MAX)).isNull();
    }

    @Test
    void entriesAndLastTidSurviveCloseAndReopen() {
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.CREATED);
            fill(c);
        }
        assertThat(file()).hasSize(SIZE);
        try (DiskCache c = open(file(), "boot-c")) { // another boot: the file was closed cleanly
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertFilled(c);
            c.store(A, Tid.of(30), null, bytes(10, 4));
        }
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.loadBefore(A, Tid.MAX).data()).isEqualTo(bytes(10, 4));
            assertThat(c.entryCount()).isEqualTo(3);
        }
    }

    @Test
    void aClearedCacheReopensEmptyWithItsLastTid() {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
            c.clear();
        }
        try (DiskCache c = open(file(), BOOT)) {
            assertEmptyAndMissing(c);
            assertThat(c.lastTid()).isEqualTo(Tid.of(20));
        }
    }

    @Test
    void anUncleanFileOfThisBootIsKept() throws IOException {
        Path crashed = dir.resolve("crashed.jzc");
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
            Files.copy(file(), crashed); // what a killed process leaves: every write done, header dirty
        }
        try (DiskCache c = open(crashed, BOOT)) {
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertFilled(c);
        }
    }

    @Test
    void anUncleanFileOfAnotherBootIsDiscarded() throws IOException {
        Path crashed = dir.resolve("crashed.jzc");
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
            Files.copy(file(), crashed);
        }
        Files.copy(crashed, dir.resolve("crashed2.jzc"));
        try (DiskCache c = open(crashed, "boot-b")) {
            assertThat(c.openReport().wasDiscarded()).isTrue();
            assertThat(c.openReport().reason()).contains("rebooted");
            assertEmptyAndMissing(c);
            assertThat(c.lastTid()).isEqualTo(Tid.ZERO);
        }
        assertThat(dir.resolve("crashed.jzc.bad")).exists();
        try (DiskCache c = open(dir.resolve("crashed2.jzc"), null)) {
            assertThat(c.openReport().wasDiscarded()).as("boot id unknown").isTrue();
        }
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefused() {
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.CREATED);
            assertThatThrownBy(() -> open(file(), BOOT)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file().toString()).hasMessageContaining("in use");
        }
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().wasDiscarded()).isFalse();
        }
    }

    @Test
    void aDifferentSizeStartsAFreshCache() {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
        }
        try (DiskCache c = DiskCache.persistent(file(), 2 * SIZE, () -> BOOT)) {
            assertThat(c.openReport().wasDiscarded()).isTrue();
            assertThat(c.openReport().reason()).contains("configured");
            assertEmptyAndMissing(c);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 40, 127, 128, 140, FIRST_RECORD + 100, SIZE / 2, SIZE - 1})
    void aTruncatedFileIsDiscarded(long length) throws IOException {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
        }
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
        assertDiscarded("truncated");
    }

    @Test
    void aFlippedHeaderByteIsDetected() throws IOException {
        assertFlipDiscarded(18, "header");
    }

    @Test
    void aFlippedByteInARecordsDataIsDetected() throws IOException {
        assertFlipDiscarded(FIRST_RECORD + CacheFileFormat.RECORD_HEADER + 50, "record CRC");
    }

    @Test
    void aFlippedByteInARecordsOidIsDetected() throws IOException {
        assertFlipDiscarded(FIRST_RECORD + 17, "CRC");
    }

    @Test
    void aFlippedByteInAnEndTidIsDetected() throws IOException {
        // B's first revision (the second record) was invalidated: its end tid was written in place.
        long second = FIRST_RECORD + CacheFileFormat.blockSize(100);
        assertFlipDiscarded(second + CacheFileFormat.END_FIELD + 7, "end tid");
    }

    @Test
    void aFlippedByteInABlockLengthIsDetected() throws IOException {
        assertFlipDiscarded(FIRST_RECORD + 6, "");
    }

    @Test
    void garbageInsideFreeSpaceIsHarmless() throws IOException {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
        }
        flip(SIZE - 5);
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertFilled(c);
        }
    }

    @Test
    void aRecordDamagedWhileOpenIsNotServed() throws IOException {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
            flip(FIRST_RECORD + CacheFileFormat.RECORD_HEADER + 3);
            assertThat(c.loadBefore(A, Tid.MAX)).isNull();
            assertThat(c.entryCount()).isEqualTo(2);
        }
    }

    @Test
    void aFileThatIsNotACacheIsDiscarded() throws IOException {
        Files.writeString(file(), "hello, I am not a cache file ".repeat(20));
        assertDiscarded("magic");
    }

    private void assertFlipDiscarded(long offset, String reason) throws IOException {
        try (DiskCache c = open(file(), BOOT)) {
            fill(c);
        }
        flip(offset);
        assertDiscarded(reason);
    }

    private void assertDiscarded(String reason) throws IOException {
        byte[] damaged = Files.readAllBytes(file());
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().wasDiscarded()).isTrue();
            assertThat(c.openReport().reason()).contains(reason);
            assertEmptyAndMissing(c);
            assertThat(Files.readAllBytes(dir.resolve("client-1.jzc.bad"))).isEqualTo(damaged);
            c.store(A, Tid.of(10), null, bytes(5, 9));
        }
        try (DiskCache c = open(file(), BOOT)) {
            assertThat(c.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertThat(c.loadBefore(A, Tid.MAX).data()).isEqualTo(bytes(5, 9));
        }
    }

    private void flip(long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            ch.write(b.rewind(), offset);
        }
    }
}
