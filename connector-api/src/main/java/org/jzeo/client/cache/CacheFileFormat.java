package org.jzeo.client.cache;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The layout of a {@link DiskCache} file (jzeo's own format, not ZEO's .zec). All integers big-endian.
 *
 * <pre>
 * file    = header (128 bytes reserved, see {@link CacheHeader}) then blocks up to exactly maxBytes
 * block   = 16-byte aligned, at most {@link #MAX_BLOCK} bytes, starting with a 16-byte prefix:
 *   free:   "JZFB" | u32 block length | CRC32C(bytes 0..8) | 4 zero bytes           (rest: garbage)
 *   record: "JZRE" | u32 block length | u32 data length | CRC32C(body)
 *           | oid 8 | start tid 8 | end tid 8 (0 = current) | CRC32C(oid|start|end) | 4 zero bytes
 *           | data | zero padding to the block length
 *   body CRC covers block length, data length, oid, start tid and data; the end tid (rewritten in place by
 *   invalidate) has its own CRC so that rewrite never touches the body's check.
 * </pre>
 *
 * Every block boundary is reachable by walking the lengths from the header, so a file is checked by one scan.
 * Writers keep the walk valid after each single write (see {@link DiskCache}).
 */
final class CacheFileFormat {
    static final int DATA_START = 128;
    static final int ALIGN = 16;
    static final int PREFIX = 16;
    static final int RECORD_HEADER = 48;
    static final int FREE_MAGIC = 0x4A5A4642;
    static final int RECORD_MAGIC = 0x4A5A5245;
    /** Largest block; larger free areas are kept as several blocks. */
    static final int MAX_BLOCK = 1 << 30;
    /** Offset of the end tid and its CRC inside a record block. */
    static final int END_FIELD = 32;
    static final long MIN_CACHE_BYTES = 64 * 1024;

    private CacheFileFormat() {
    }

    /** Bytes a record with {@code dataLength} bytes of data takes in the file. */
    static long blockSize(long dataLength) {
        return align(RECORD_HEADER + dataLength);
    }

    static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    /** Whether a record of this many data bytes is cached at all: at most half the cache and one block. */
    static boolean cacheable(long dataLength, long maxBytes) {
        long size = blockSize(dataLength);
        return size <= maxBytes / 2 && size <= MAX_BLOCK;
    }

    static ByteBuffer freePrefix(int blockLength) {
        ByteBuffer b = ByteBuffer.allocate(PREFIX);
        b.putInt(FREE_MAGIC).putInt(blockLength);
        b.putInt(crc(b.array(), 0, 8)).putInt(0);
        return b.flip();
    }

    /**
     * A record block, followed by the prefix of a free block of {@code remainder} bytes when that is not 0, so the
     * caller can write everything after the record's prefix in one call.
     */
    static byte[] recordBlock(long oid, long start, long end, byte[] data, int blockLength, int remainder) {
        byte[] out = new byte[blockLength + (remainder > 0 ? PREFIX : 0)];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(RECORD_MAGIC).putInt(blockLength).putInt(data.length).putInt(0);
        b.putLong(oid).putLong(start);
        b.put(endField(oid, start, end));
        b.putInt(0);
        b.put(data);
        CRC32C body = new CRC32C();
        body.update(out, 4, 8);
        body.update(out, PREFIX, 16);
        body.update(data);
        b.putInt(12, (int) body.getValue());
        if (remainder > 0) {
            b.position(blockLength);
            b.put(freePrefix(remainder));
        }
        return out;
    }

    /** The 12 bytes at {@link #END_FIELD}: the end tid and the CRC32C of oid|start|end. */
    static ByteBuffer endField(long oid, long start, long end) {
        ByteBuffer ids = ByteBuffer.allocate(24).putLong(oid).putLong(start).putLong(end);
        return ByteBuffer.allocate(12).putLong(end).putInt(crc(ids.array(), 0, 24)).flip();
    }

    /**
     * Checks a record block read from the file (at least {@link #RECORD_HEADER} + data bytes, from its start),
     * except the end tid. Returns null when it is intact, otherwise the reason.
     */
    static String bodyProblem(ByteBuffer block) {
        int base = block.position();
        if (block.getInt(base) != RECORD_MAGIC) {
            return "not a record";
        }
        int blockLength = block.getInt(base + 4);
        int dataLength = block.getInt(base + 8);
        if (dataLength < 0 || blockSize(dataLength) != blockLength || block.remaining() < RECORD_HEADER + dataLength) {
            return "impossible lengths (block " + blockLength + ", data " + dataLength + ")";
        }
        CRC32C body = new CRC32C();
        byte[] a = block.array();
        int at = block.arrayOffset() + base;
        body.update(a, at + 4, 8);
        body.update(a, at + PREFIX, 16);
        body.update(a, at + RECORD_HEADER, dataLength);
        if ((int) body.getValue() != block.getInt(base + 12)) {
            return "record CRC mismatch";
        }
        return null;
    }

    /** Null when the end tid of the record block starting at the buffer's position is intact, else the reason. */
    static String endProblem(ByteBuffer block) {
        int base = block.position();
        int stored = block.getInt(base + END_FIELD + 8);
        if (crc(block.array(), block.arrayOffset() + base + PREFIX, 24) != stored) {
            return "end tid CRC mismatch";
        }
        long start = block.getLong(base + 24);
        long end = block.getLong(base + END_FIELD);
        if (end != 0 && Long.compareUnsigned(end, start) <= 0) {
            return "end tid not after start tid";
        }
        return null;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }
}
