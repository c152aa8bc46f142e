package org.jzeo.client.blob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes blob downloads to disk on a thread of its own, so the connection's I/O thread never waits for the disk
 * (event loops never wait for a slow disk). The {@code receiveBlob*} messages are queued in the order they arrived;
 * when more than {@link #BACKLOG} bytes of chunks wait, reading from the connection pauses until half of them are
 * written, so a disk slower than the network holds at most about that much in memory, never a whole blob.
 *
 * <p>Invariants: the open download files are touched by the writer thread only; a pause is decided under this
 * object's lock before the chunk that caused it is queued, and every written chunk checks under the same lock
 * whether to resume, so the last queued chunk always sees a pause that is still in force.
 */
final class DownloadWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadWriter.class);
    /** Bytes of received chunks that may wait for the disk before the connection stops reading. */
    static final long BACKLOG = 1 << 20;

    /** One revision's download: where it is written, and where it goes when complete. */
    record Target(Oid oid, Tid serial, Path partial, Path file) {
    }

    private final ExecutorService thread;
    private final LongConsumer completed;
    private final AtomicLong queued = new AtomicLong();
    /** The connection whose reading is paused, or null. Guarded by this. */
    private ClientBlobs.Reading paused;
    /** Writer thread only. */
    private final Map<Target, FileChannel> open = new HashMap<>();
    /** Writer thread only: downloads that failed here (a full disk), with the reason, until their loader asks. */
    private final Map<Target, IOException> failed = new HashMap<>();

    /**
     * {@code completed} hears the size of every download once its file is in place (for the cache's size check,
     * which then finds the file it counted).
     */
    DownloadWriter(String threadName, LongConsumer completed) {
        this.completed = completed;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- the I/O thread

    void start(Target target) {
        run(() -> {
            failed.remove(target);
            try {
                close(open.put(target, FileChannel.open(target.partial(), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)));
            } catch (IOException e) {
                failed.put(target, e);
            }
        });
    }

    void chunk(Target target, byte[] chunk, ClientBlobs.Reading reading) {
        long backlog = queued.addAndGet(chunk.length);
        synchronized (this) {
            if (backlog > BACKLOG && paused == null) {
                paused = reading;
                reading.pause();
            }
        }
        run(() -> {
            try {
                write(target, chunk);
            } finally {
                queued.addAndGet(-chunk.length);
                resumeIfDrained();
            }
        });
    }

    void stop(Target target) {
        run(() -> {
            FileChannel channel = open.remove(target);
            if (channel == null) {
                requireFailed(target, "receiveBlobStop");
                return;
            }
            long size;
            try {
                size = channel.size();
                channel.close();
                Files.move(target.partial(), target.file(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                target.file().toFile().setReadOnly(); // as ZEO: a revision's file is never written again
            } catch (IOException e) {
                close(channel);
                BlobFiles.deleteQuietly(target.partial());
                failed.put(target, e);
                return;
            }
            completed.accept(size);
        });
    }

    /** The connection is gone: its unfinished downloads are dropped, and a pause ends with it. */
    void connectionLost() {
        synchronized (this) {
            paused = null;
        }
        run(() -> List.copyOf(open.keySet()).forEach(this::abandon));
    }

    /** Queues {@code task}; after close a late message of the closing connection is dropped. */
    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.debug("blob download message after close: dropped");
        }
    }

    // ---------------------------------------------------------------- the loading thread

    /**
     * Waits until everything received for {@code target} is written (the server sent it all before its reply),
     * drops a download the server left unfinished, and returns why this side could not write it, or null.
     */
    IOException finish(Target target) {
        Future<IOException> done = thread.submit(() -> {
            abandon(target);
            return failed.remove(target);
        });
        try {
            return done.get();
        } catch (ExecutionException e) {
            return new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DisconnectedException("interrupted while the blob of " + target.oid() + " was written", e);
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void write(Target target, byte[] chunk) {
        FileChannel channel = open.get(target);
        if (channel == null) {
            requireFailed(target, "receiveBlobChunk");
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            abandon(target);
            failed.put(target, e);
        }
    }

    private void resumeIfDrained() {
        synchronized (this) {
            if (paused != null && queued.get() < BACKLOG / 2) {
                paused.resume();
                paused = null;
            }
        }
    }

    private void abandon(Target target) {
        FileChannel channel = open.remove(target);
        if (channel != null) {
            close(channel);
            BlobFiles.deleteQuietly(target.partial());
        }
    }

    /** A chunk or stop of no download in progress is the server's error, unless this side gave the download up. */
    private void requireFailed(Target target, String what) {
        if (!failed.containsKey(target)) {
            LOG.error("{} for {} at {} without receiveBlobStart: ignored", what, target.oid(), target.serial());
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is dropped or replaced anyway
            }
        }
    }

    @Override
    public void close() {
        run(() -> List.copyOf(open.keySet()).forEach(this::abandon));
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
