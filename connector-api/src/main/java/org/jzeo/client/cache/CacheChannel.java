package org.jzeo.client.cache;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Positional reads and writes of the cache file that survive thread interrupts. A {@link FileChannel} closes
 * itself for every thread when one thread is interrupted during I/O; application threads read the cache and get
 * interrupted, so the channel is reopened and the (idempotent) operation retried with the interrupt flag
 * temporarily cleared, then restored.
 */
final class CacheChannel implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(CacheChannel.class);

    private final Path file;
    private volatile FileChannel channel;
    private volatile boolean closed;

    CacheChannel(Path file) throws IOException {
        this.file = file;
        this.channel = open(file);
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @FunctionalInterface
    private interface Io {
        void run(FileChannel c) throws IOException;
    }

    /** Fills {@code dst} from {@code position}; EOFException if the file ends first. */
    void readFully(ByteBuffer dst, long position) throws IOException {
        int start = dst.position();
        retrying(c -> {
            dst.position(start);
            while (dst.hasRemaining()) {
                int n = c.read(dst, position + dst.position() - start);
                if (n < 0) {
                    throw new EOFException("end of " + file + " at " + (position + dst.position() - start));
                }
            }
        });
    }

    void writeFully(ByteBuffer src, long position) throws IOException {
        int start = src.position();
        retrying(c -> {
            src.position(start);
            while (src.hasRemaining()) {
                c.write(src, position + src.position() - start);
            }
        });
    }

    void force() throws IOException {
        retrying(c -> c.force(true));
    }

    void truncate(long size) throws IOException {
        retrying(c -> c.truncate(size));
    }

    long size() throws IOException {
        long[] size = new long[1];
        retrying(c -> size[0] = c.size());
        return size[0];
    }

    /** Attempts before giving up: each failed one means yet another thread was interrupted meanwhile. */
    private static final int MAX_ATTEMPTS = 1000;

    private void retrying(Io op) throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                FileChannel c = channel;
                try {
                    op.run(c);
                    return;
                } catch (ClosedChannelException e) {
                    // Closed by an interrupt, this thread's or another's: reopen and try again, unless closed here.
                    if (closed || attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                    interrupted |= Thread.interrupted();
                    reopen(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized FileChannel reopen(FileChannel broken) throws IOException {
        if (channel == broken && !closed) {
            LOG.debug("reopening client cache file {} after an interrupted I/O", file);
            channel = open(file);
        }
        return channel;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }
}
