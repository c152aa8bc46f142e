package org.jzeo.server.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;

/**
 * Builds and reads object records in jzeo's own record format, so storage tests can make objects that refer to
 * each other without pickles: byte 0 = 0xFF, bytes 1-2 = "JZ", byte 3 = version 1, a 4-byte big-endian count N,
 * N 8-byte oids (the references), then the payload (UTF-8 text here).
 */
public final class TestRecords {
    private static final byte[] MAGIC = {(byte) 0xFF, 'J', 'Z', 1};
    private static final int HEADER_LENGTH = MAGIC.length + 4;

    private TestRecords() {
    }

    /** A record whose state is {@code payload} and which refers to {@code references}. */
    public static byte[] record(String payload, Oid... references) {
        byte[] text = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + 8 * references.length + text.length);
        buffer.put(MAGIC).putInt(references.length);
        for (Oid ref : references) {
            buffer.putLong(ref.value());
        }
        return buffer.put(text).array();
    }

    /** The payload of a record built by {@link #record}. */
    public static String payload(byte[] record) {
        int start = HEADER_LENGTH + 8 * count(record);
        return new String(record, start, record.length - start, StandardCharsets.UTF_8);
    }

    /** The references of a record in this format; none for bytes in any other format. */
    public static List<Oid> references(byte[] record) {
        if (!isJzeoRecord(record)) {
            return List.of();
        }
        int count = count(record);
        ByteBuffer buffer = ByteBuffer.wrap(record, HEADER_LENGTH, 8 * count);
        List<Oid> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            oids.add(Oid.of(buffer.getLong()));
        }
        return oids;
    }

    /** A reference finder for records in this format; it refuses truncated records as a real one must. */
    public static ReferenceFinder finder() {
        return (oid, data) -> references(data);
    }

    private static boolean isJzeoRecord(byte[] record) {
        return record.length >= MAGIC.length && Arrays.equals(record, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    private static int count(byte[] record) {
        if (!isJzeoRecord(record) || record.length < HEADER_LENGTH) {
            throw new StorageException("not a jzeo record: " + record.length + " bytes");
        }
        int count = ByteBuffer.wrap(record, MAGIC.length, 4).getInt();
        if (count < 0 || (long) HEADER_LENGTH + 8L * count > record.length) {
            throw new StorageException("truncated jzeo record: " + count + " references announced in "
                    + record.length + " bytes");
        }
        return count;
    }
}
