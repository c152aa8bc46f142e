package org.jzeo.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and damages {@code .jzc} client cache files the way a disk or a careless operator would. Knows just
 * enough of the layout (CacheFileFormat): a 128-byte header, then blocks from offset 128, each starting with
 * a 4-byte magic ("JZRE" record, "JZFB" free) and a 4-byte length; a record has oid, start tid and end tid at
 * offsets 16, 24 and 32 of its block and its data from offset 48.
 */
final class CacheFiles {
    static final int DATA_START = 128;
    static final int RECORD_MAGIC = 0x4A5A5245;
    static final int FREE_MAGIC = 0x4A5A4642;

    record Block(long offset, int length, boolean isRecord, long oid, long start, long end) {
    }

    private CacheFiles() {
    }

    /** The blocks of an intact file, in file order. */
    static List<Block> blocks(Path file) throws IOException {
        List<Block> blocks = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = DATA_START;
            while (pos < size) {
                ByteBuffer b = read(ch, pos, 40);
                int magic = b.getInt(0);
                int length = b.getInt(4);
                if ((magic != RECORD_MAGIC && magic != FREE_MAGIC) || length <= 0) {
                    throw new IllegalStateException("no block at offset " + pos + " of " + file);
                }
                boolean record = magic == RECORD_MAGIC;
                blocks.add(new Block(pos, length, record, record ? b.getLong(16) : 0, record ? b.getLong(24) : 0,
                        record ? b.getLong(32) : 0));
                pos += length;
            }
        }
        return blocks;
    }

    static List<Block> records(Path file) throws IOException {
        return blocks(file).stream().filter(Block::isRecord).toList();
    }

    static ByteBuffer read(FileChannel ch, long pos, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }

    /** XORs the byte at {@code offset} with {@code mask}. */
    static void flip(Path file, long offset, int mask) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = read(ch, offset, 1);
            byte v = (byte) (b.get(0) ^ mask);
            ch.write(ByteBuffer.wrap(new byte[] {v}), offset);
        }
    }

    /** Writes {@code bytes} at {@code offset}. */
    static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
