package org.jzeo.client.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob cache trim: oldest access first, down to the target, never a file whose folder is locked. */
class BlobCacheTrimmerTest {
    private static final int FILE = 1000;

    @TempDir
    Path dir;

    /** Ten blobs of 1000 bytes, blob i last read at second i. */
    private List<Path> tenBlobs(BlobDirectory blobs) throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Oid oid = Oid.of(i);
            blobs.createFolderOf(oid);
            Path file = Files.write(blobs.fileOf(oid, Tid.of(1)), new byte[FILE]);
            Files.getFileAttributeView(file, BasicFileAttributeView.class)
                    .setTimes(null, FileTime.fromMillis(1_000_000L + i * 1000L), null);
            files.add(file);
        }
        return files;
    }

    @Test
    void trimDeletesTheLeastRecentlyReadFilesUntilTheCacheFitsTheTarget() throws Exception {
        BlobDirectory blobs = BlobDirectory.open(dir, new ZeoCacheLayout());
        List<Path> files = tenBlobs(blobs);
        Files.write(blobs.temporaryDirectory().resolve("x.staged"), new byte[50_000]); // not part of the cache
        BlobCacheTrimmer trimmer = new BlobCacheTrimmer(blobs.root(), new FolderLocks(), 1, 6500, "t");

        BlobCacheTrimmer.Result result = trimmer.trim();

        assertThat(result.sizeBefore()).isEqualTo(10 * FILE);
        assertThat(result.sizeAfter()).isEqualTo(6 * FILE);
        assertThat(files.subList(0, 4)).allSatisfy(f -> assertThat(f).doesNotExist());
        assertThat(files.subList(4, 10)).allSatisfy(f -> assertThat(f).exists());
    }

    @Test
    void aFileInALockedFolderIsSkippedAndTheNextOldestGoesInstead() throws Exception {
        BlobDirectory blobs = BlobDirectory.open(dir, new ZeoCacheLayout());
        List<Path> files = tenBlobs(blobs);
        FolderLocks locks = new FolderLocks();
        BlobCacheTrimmer trimmer = new BlobCacheTrimmer(blobs.root(), locks, 1, 8000, "t");
        try (FolderLocks.Held held = locks.lock(blobs.folderOf(Oid.of(0)))) {
            // the trim runs on another thread, as in production: the in-JVM lock is per thread
            Thread t = new Thread(trimmer::trim);
            t.start();
            t.join();
        }
        assertThat(files.get(0)).as("oldest, but its folder is locked").exists();
        assertThat(files.get(1)).doesNotExist();
        assertThat(files.get(2)).doesNotExist();
        assertThat(files.get(3)).exists();
    }

    @Test
    void loadingACheckWorthOfBytesStartsABackgroundTrim() throws Exception {
        BlobDirectory blobs = BlobDirectory.open(dir, new ZeoCacheLayout());
        tenBlobs(blobs);
        BlobCacheTrimmer trimmer = new BlobCacheTrimmer(blobs.root(), new FolderLocks(), 3000, 5000, "t");
        trimmer.loaded(2999);
        assertThat(trimmer.trims()).isZero();
        trimmer.loaded(1);
        trimmer.close(); // waits for the background trim
        assertThat(trimmer.trims()).isEqualTo(1);
        try (var left = Files.walk(blobs.root())) {
            assertThat(left.filter(p -> p.toString().endsWith(".blob")).count()).isEqualTo(5);
        }
    }
}
