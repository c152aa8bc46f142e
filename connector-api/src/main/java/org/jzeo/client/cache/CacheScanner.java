package org.jzeo.client.cache;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a whole cache file once and checks everything: the header, every block's prefix and lengths, every
 * record's body CRC and end tid CRC, and that the blocks tile the file exactly. Reports intact blocks to a
 * {@link Visitor}; the first failed check ends the scan with a {@link CorruptCacheException}.
 */
final class CacheScanner {
    /** Receives the blocks of an intact file, in file order. */
    interface Visitor {
        void record(long offset, int blockLength, int dataLength, long oid, long start, long end);

        void free(long offset, int blockLength);
    }

    private static final int WINDOW = 1 << 20;

    private final CacheChannel channel;
    private final long fileSize;
    private ByteBuffer window = ByteBuffer.allocate(0);
    private long windowStart;

    private CacheScanner(CacheChannel channel, long fileSize) {
        this.channel = channel;
        this.fileSize = fileSize;
    }

    /** Checks the header alone. */
    static CacheHeader header(CacheChannel channel) throws IOException, CorruptCacheException {
        long size = channel.size();
        if (size < CacheFileFormat.DATA_START) {
            throw new CorruptCacheException("truncated: " + size + " bytes, shorter than the header");
        }
        ByteBuffer b = ByteBuffer.allocate(CacheHeader.LENGTH);
        channel.readFully(b, 0);
        return CacheHeader.decode(b.flip());
    }

    /** Walks the blocks of a file whose header said {@code maxBytes}. */
    static void blocks(CacheChannel channel, long maxBytes, Visitor visitor) throws IOException, CorruptCacheException {
        long size = channel.size();
        if (size != maxBytes) {
            throw new CorruptCacheException("truncated: the file has " + size + " bytes, its header says " + maxBytes);
        }
        new CacheScanner(channel, size).walk(visitor);
    }

    private void walk(Visitor visitor) throws IOException, CorruptCacheException {
        long pos = CacheFileFormat.DATA_START;
        while (pos < fileSize) {
            if (fileSize - pos < CacheFileFormat.PREFIX) {
                throw new CorruptCacheException("a block at offset " + pos + " runs past the end");
            }
            ByteBuffer prefix = bytes(pos, CacheFileFormat.PREFIX);
            int at = prefix.position();
            int magic = prefix.getInt(at);
            int length = prefix.getInt(at + 4);
            if (magic != CacheFileFormat.FREE_MAGIC && magic != CacheFileFormat.RECORD_MAGIC) {
                throw new CorruptCacheException(String.format("no block at offset %d (found %08x)", pos, magic));
            }
            if (length < CacheFileFormat.PREFIX || length % CacheFileFormat.ALIGN != 0
                    || length > CacheFileFormat.MAX_BLOCK) {
                throw new CorruptCacheException("impossible block length " + length + " at offset " + pos);
            }
            if (pos + length > fileSize) {
                throw new CorruptCacheException("the block at offset " + pos + " (" + length
                        + " bytes) runs past the end of the file");
            }
            if (magic == CacheFileFormat.FREE_MAGIC) {
                if (CacheFileFormat.crc(prefix.array(), prefix.arrayOffset() + at, 8) != prefix.getInt(at + 8)) {
                    throw new CorruptCacheException("free block CRC mismatch at offset " + pos);
                }
                visitor.free(pos, length);
            } else {
                record(pos, length, visitor);
            }
            pos += length;
        }
    }

    private void record(long pos, int length, Visitor visitor) throws IOException, CorruptCacheException {
        if (length < CacheFileFormat.RECORD_HEADER) {
            throw new CorruptCacheException("impossible record length " + length + " at offset " + pos);
        }
        ByteBuffer block = bytes(pos, length);
        String problem = CacheFileFormat.bodyProblem(block);
        if (problem == null) {
            problem = CacheFileFormat.endProblem(block);
        }
        if (problem != null) {
            throw new CorruptCacheException(problem + " in the record at offset " + pos);
        }
        int at = block.position();
        visitor.record(pos, length, block.getInt(at + 8), block.getLong(at + 16), block.getLong(at + 24),
                block.getLong(at + CacheFileFormat.END_FIELD));
    }

    /** {@code length} bytes at {@code pos}, as a buffer positioned at them, read through a 1 MB window. */
    private ByteBuffer bytes(long pos, int length) throws IOException, CorruptCacheException {
        if (pos < windowStart || pos + length > windowStart + window.limit()) {
            int n = (int) Math.min(Math.max(WINDOW, length), fileSize - pos);
            window = ByteBuffer.allocate(n);
            try {
                channel.readFully(window, pos);
            } catch (EOFException e) {
                throw new CorruptCacheException("truncated: " + e.getMessage());
            }
            window.flip();
            windowStart = pos;
        }
        ByteBuffer view = window.duplicate();
        view.position((int) (pos - windowStart));
        view.limit((int) (pos - windowStart) + length);
        return view;
    }
}
