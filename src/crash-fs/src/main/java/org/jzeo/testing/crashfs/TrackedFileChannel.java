package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real file channel whose writes, truncations and forces are told to the {@link Disk}; reads go straight to
 * the real file, which always holds the bytes as the running process sees them.
 */
final class TrackedFileChannel extends FileChannel {
    private static final int TRANSFER_CHUNK = 64 * 1024;

    private final Disk disk;
    private final Inode inode;
    private final FileChannel real;
    private final boolean append;

    TrackedFileChannel(Disk disk, Inode inode, FileChannel real, boolean append) {
        this.disk = disk;
        this.inode = inode;
        this.real = real;
        this.append = append;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (disk) {
            disk.beforeMutation("write");
            if (disk.takeWriteFailure()) {
                throw new IOException("No space left on device (simulated)");
            }
            long position = append ? real.size() : real.position();
            ByteBuffer copy = src.duplicate();
            int n = real.write(src);
            record(copy, position, n);
            return n;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            while (srcs[i].hasRemaining()) {
                total += write(srcs[i]);
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        synchronized (disk) {
            disk.beforeMutation("write");
            if (disk.takeWriteFailure()) {
                ByteBuffer half = src.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                ByteBuffer copy = half.duplicate();
                record(copy, position, real.write(half, position));
                throw new IOException("No space left on device (simulated)");
            }
            ByteBuffer copy = src.duplicate();
            int n = real.write(src, position);
            record(copy, position, n);
            return n;
        }
    }

    private void record(ByteBuffer copy, long position, int n) {
        byte[] bytes = new byte[n];
        copy.get(bytes);
        disk.wrote(inode, position, bytes);
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        synchronized (disk) {
            disk.beforeMutation("truncate");
            if (size < real.size()) {
                disk.truncated(inode, size);
            }
            real.truncate(size);
            return this;
        }
    }

    /** Makes the file (or the directory's entries) durable on the simulated disk; the real fsync is skipped. */
    @Override
    public void force(boolean metaData) throws IOException {
        java.util.List<String> stack = Disk.callerStack();
        synchronized (disk) {
            disk.beforeMutation(inode.directory ? "directory sync" : "force");
            disk.forced(inode, stack);
        }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        long done = 0;
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(1, count)));
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = real.read(buffer, position + done);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        long done = 0;
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(1, count)));
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = src.read(buffer);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                done += write(buffer, position + done);
            }
        }
        return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        if (mode != MapMode.READ_ONLY) {
            throw new UnsupportedOperationException("writes through a memory map cannot be tracked");
        }
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
