package org.jzeo.client.blob;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a zeocache blob directory near its bound, as ZEO's {@code _check_blob_cache_size}: every
 * {@code check} bytes loaded into the cache (downloads and own commits, counted once their file is in place, so the
 * trim they start sees them; ZEO counts chunks as they arrive) start one background trim, which deletes
 * the files read longest ago until the cache holds at most {@code target} bytes. Files whose folder is locked
 * (being downloaded or committed right now) are skipped. A file an application has open is deleted all the same:
 * on the platforms jzeo runs on, an open file stays readable until it is closed.
 *
 * <p>One trim at a time; loads that cross the threshold while one runs ask for another round after it.
 */
final class BlobCacheTrimmer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCacheTrimmer.class);

    /** What one trim found and did. */
    record Result(long sizeBefore, long sizeAfter, int deleted, int skippedLocked) {
    }

    private record Candidate(Path file, Path folder, long size, long accessed) {
    }

    private final Path root;
    private final FolderLocks locks;
    private final long check;
    private final long target;
    private final String threadName;
    private final AtomicLong loadedSinceCheck = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong trims = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean closed;

    BlobCacheTrimmer(Path root, FolderLocks locks, long check, long target, String threadName) {
        this.root = root;
        this.locks = locks;
        this.check = check;
        this.target = target;
        this.threadName = threadName;
    }

    /** Counts {@code bytes} loaded into the cache; starts a background trim when a check's worth is reached. */
    void loaded(long bytes) {
        if (check <= 0 || loadedSinceCheck.addAndGet(bytes) < check) {
            return;
        }
        loadedSinceCheck.set(0);
        startTrim();
    }

    /** Starts a background trim now (as ZEO does when the client opens), or another round after the running one. */
    void startTrim() {
        if (check <= 0 || closed) {
            return;
        }
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(this::runRounds, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void runRounds() {
        try {
            // A round asked for runs even if the storage is closing meanwhile; close() waits for it.
            while (again.getAndSet(false)) {
                trim();
                if (closed) {
                    break;
                }
            }
        } finally {
            running.set(false);
            // A request that came between the last round and clearing the flag starts its own thread.
            if (again.get() && !closed) {
                startTrim();
            }
        }
    }

    /** Trims to the target on the calling thread. */
    Result trim() {
        List<Candidate> files = scan();
        long before = files.stream().mapToLong(Candidate::size).sum();
        long size = before;
        int deleted = 0;
        int skipped = 0;
        files.sort(Comparator.comparingLong(Candidate::accessed));
        for (Candidate c : files) {
            if (size <= target) {
                break;
            }
            try (FolderLocks.Held held = locks.tryLock(c.folder())) {
                if (held == null) {
                    skipped++;
                    continue;
                }
                Files.deleteIfExists(c.file());
                size -= c.size();
                deleted++;
            } catch (IOException e) {
                LOG.warn("blob cache {}: cannot delete {}: {}", root, c.file(), e.toString());
            }
        }
        trims.incrementAndGet();
        LOG.debug("blob cache {}: trimmed from {} to {} bytes (target {}), {} files deleted, {} in use skipped",
                root, before, size, target, deleted, skipped);
        return new Result(before, size, deleted, skipped);
    }

    /** The {@code .blob} files of the oid folders, with size and access time. */
    private List<Candidate> scan() {
        List<Candidate> found = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root,
                p -> ZeoCacheLayout.isOidFolder(p.getFileName().toString()) && Files.isDirectory(p))) {
            for (Path folder : folders) {
                try (DirectoryStream<Path> blobs = Files.newDirectoryStream(folder, "*" + BlobDirectory.BLOB_SUFFIX)) {
                    for (Path file : blobs) {
                        try {
                            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                            if (a.isRegularFile()) {
                                found.add(new Candidate(file, folder, a.size(), a.lastAccessTime().toMillis()));
                            }
                        } catch (NoSuchFileException gone) {
                            // trimmed or replaced meanwhile
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("blob cache {}: cannot scan for the size check: {}", root, e.toString());
        }
        return found;
    }

    /** How many trims ran. */
    long trims() {
        return trims.get();
    }

    /** True while a background trim runs. */
    boolean isRunning() {
        return running.get();
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
