package org.jzeo.client.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ZEO's per-folder blob lock: a download into an oid folder, moving a committed file there and trimming a file
 * from it each hold the folder's lock, so one blob is downloaded once at a time and a trim never removes a file
 * being written. Within this JVM a {@link ReentrantLock} per folder; between processes a lock on the folder's
 * {@code .lock} file, the file ZEO locks. (Java's file locks are POSIX {@code fcntl} locks, which on Linux do not
 * exclude the BSD {@code flock} that Python's zc.lockfile takes: jzeo processes exclude each other, a Python
 * client sharing the cache is not excluded. The worst that does is download a blob twice or trim one that is
 * about to be read again.)
 */
final class FolderLocks {
    static final String LOCK_FILE = ".lock";

    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** A held folder lock; closing releases it. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock lock;
        private final FileChannel channel;
        private final FileLock fileLock;

        private Held(ReentrantLock lock, FileChannel channel, FileLock fileLock) {
            this.lock = lock;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public void close() {
            try {
                fileLock.release();
                channel.close();
            } catch (IOException e) {
                // Closing the channel releases the file lock in any case.
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits for the lock of {@code folder} (which must exist). */
    Held lock(Path folder) {
        ReentrantLock lock = locks.computeIfAbsent(folder, f -> new ReentrantLock());
        lock.lock();
        FileChannel channel = null;
        try {
            channel = open(folder);
            return new Held(lock, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            lock.unlock();
            throw e instanceof IOException io ? new UncheckedIOException("cannot lock blob folder " + folder, io)
                    : (RuntimeException) e;
        }
    }

    /** The lock of {@code folder} if nobody holds it, else null. */
    Held tryLock(Path folder) {
        ReentrantLock lock = locks.computeIfAbsent(folder, f -> new ReentrantLock());
        if (!lock.tryLock()) {
            return null;
        }
        FileChannel channel = null;
        try {
            channel = open(folder);
            FileLock fileLock = channel.tryLock();
            if (fileLock != null) {
                return new Held(lock, channel, fileLock);
            }
        } catch (IOException e) {
            // Treated as held: a folder we cannot lock is left alone.
        }
        closeQuietly(channel);
        lock.unlock();
        return null;
    }

    private static FileChannel open(Path folder) throws IOException {
        return FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
