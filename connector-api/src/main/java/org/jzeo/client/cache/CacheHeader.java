package org.jzeo.client.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The first bytes of a cache file:
 *
 * <pre>
 * "JZC1" | u32 version | u64 max bytes | u64 last tid | u32 state (0 clean, 1 dirty)
 * | u8 boot id length | 40 bytes boot id (ASCII, zero padded) | CRC32C of everything before it
 * </pre>
 *
 * "Dirty" means a process had the file open and may not have closed it; {@code bootId} says which boot of the
 * machine that was, so an unclean file can be trusted after a process crash (the OS still wrote every write)
 * but not after a machine crash (writes were never fsynced in order).
 */
record CacheHeader(long maxBytes, long lastTid, boolean dirty, String bootId) {
    static final int MAGIC = 0x4A5A4331;
    static final int VERSION = 1;
    static final int BOOT_ID_BYTES = 40;
    static final int LENGTH = 4 + 4 + 8 + 8 + 4 + 1 + BOOT_ID_BYTES + 4;

    ByteBuffer encode() {
        byte[] id = (bootId == null ? "" : bootId).getBytes(StandardCharsets.US_ASCII);
        if (id.length > BOOT_ID_BYTES) {
            throw new IllegalArgumentException("boot id too long: " + bootId);
        }
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(MAGIC).putInt(VERSION).putLong(maxBytes).putLong(lastTid).putInt(dirty ? 1 : 0);
        b.put((byte) id.length).put(id);
        b.position(LENGTH - 4);
        b.putInt(CacheFileFormat.crc(b.array(), 0, LENGTH - 4));
        return b.flip();
    }

    static CacheHeader decode(ByteBuffer b) throws CorruptCacheException {
        if (b.remaining() < LENGTH) {
            throw new CorruptCacheException("truncated header");
        }
        if (b.getInt(0) != MAGIC) {
            throw new CorruptCacheException(String.format("bad magic %08x (not a jzeo cache file)", b.getInt(0)));
        }
        if (CacheFileFormat.crc(b.array(), 0, LENGTH - 4) != b.getInt(LENGTH - 4)) {
            throw new CorruptCacheException("header CRC mismatch");
        }
        int version = b.getInt(4);
        if (version != VERSION) {
            throw new CorruptCacheException("unsupported format version " + version);
        }
        int state = b.getInt(24);
        int idLength = b.get(28) & 0xff;
        if (state > 1 || idLength > BOOT_ID_BYTES) {
            throw new CorruptCacheException("impossible header fields");
        }
        String id = new String(b.array(), 29, idLength, StandardCharsets.US_ASCII);
        return new CacheHeader(b.getLong(8), b.getLong(16), state == 1, id.isEmpty() ? null : id);
    }
}
