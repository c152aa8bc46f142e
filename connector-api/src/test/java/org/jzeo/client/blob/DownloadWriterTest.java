package org.jzeo.client.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads are written off the I/O thread; a disk slower than the network pauses reading instead of piling up. */
class DownloadWriterTest {
    private static final int CHUNK = 59_000;

    @TempDir
    Path dir;

    private static final class Recorded implements ClientBlobs.Reading {
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();

        @Override
        public void pause() {
            pauses.incrementAndGet();
        }

        @Override
        public void resume() {
            resumes.incrementAndGet();
        }
    }

    @Test
    void aStalledDiskPausesReadingOnceTheBacklogIsFullAndResumesWhenItDrains() throws Exception {
        CountDownLatch disk = new CountDownLatch(1);
        DownloadWriter writer = new DownloadWriter("test-writer", bytes -> {
            try {
                disk.await(30, TimeUnit.SECONDS); // the writer stalls after a first download, as on a slow disk
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        DownloadWriter.Target stalling = new DownloadWriter.Target(Oid.of(1), Tid.of(1), dir.resolve("a.blob.dl"),
                dir.resolve("a.blob"));
        writer.start(stalling);
        writer.stop(stalling);
        DownloadWriter.Target target = new DownloadWriter.Target(Oid.of(1), Tid.of(2), dir.resolve("b.blob.dl"),
                dir.resolve("b.blob"));
        Recorded reading = new Recorded();
        int chunks = (int) (DownloadWriter.BACKLOG / CHUNK) + 3;
        writer.start(target);
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = new byte[CHUNK];
            Arrays.fill(chunk, (byte) i);
            writer.chunk(target, chunk, reading);
        }
        assertThat(reading.pauses.get()).as("paused once the backlog passed " + DownloadWriter.BACKLOG).isEqualTo(1);
        assertThat(reading.resumes.get()).isZero();

        disk.countDown();
        writer.stop(target);
        assertThat(writer.finish(target)).as("no write failed").isNull();
        assertThat(reading.resumes.get()).as("resumed once drained").isEqualTo(1);
        byte[] file = Files.readAllBytes(target.file());
        assertThat(file).hasSize(chunks * CHUNK);
        assertThat(file[(chunks - 1) * CHUNK]).as("chunks in order").isEqualTo((byte) (chunks - 1));
        assertThat(target.partial()).doesNotExist();
        writer.close();
    }

    @Test
    void theCompletedSizeIsToldOnceTheFileIsInPlace() throws Exception {
        java.util.List<Long> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        DownloadWriter.Target target = new DownloadWriter.Target(Oid.of(1), Tid.of(2), dir.resolve("b.blob.dl"),
                dir.resolve("b.blob"));
        DownloadWriter writer = new DownloadWriter("test-writer", size -> {
            assertThat(target.file()).exists();
            sizes.add(size);
        });
        writer.start(target);
        writer.chunk(target, new byte[CHUNK], new Recorded());
        writer.chunk(target, new byte[7], new Recorded());
        writer.stop(target);
        assertThat(writer.finish(target)).isNull();
        assertThat(sizes).containsExactly((long) CHUNK + 7);
        writer.close();
    }

    @Test
    void aDownloadTheServerLeftUnfinishedIsDropped() throws Exception {
        DownloadWriter writer = new DownloadWriter("test-writer", bytes -> { });
        DownloadWriter.Target target = new DownloadWriter.Target(Oid.of(1), Tid.of(2), dir.resolve("b.blob.dl"),
                dir.resolve("b.blob"));
        writer.start(target);
        writer.chunk(target, new byte[10], new Recorded());
        assertThat(writer.finish(target)).isNull();
        assertThat(target.partial()).doesNotExist();
        assertThat(target.file()).doesNotExist();
        writer.close();
    }
}
