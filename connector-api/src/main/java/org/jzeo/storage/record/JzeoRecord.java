package org.jzeo.storage.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jzeo.api.Oid;

/**
 * jzeo's own object record format. Java clients store their objects in it so that the server can
 * find the references between objects (for pack's garbage collection) without the application's
 * classes and without understanding the payload.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * offset   size    field
 * 0        1       0xFF            magic; not a pickle opcode, so a record can never be mistaken
 *                                  for a ZODB pickle (whose first byte is always an opcode)
 * 1        2       'J' 'Z'         magic, ASCII
 * 3        1       version         format version, currently 1
 * 4        4       N               big-endian unsigned count of references
 * 8        N * 8   references      the oids this record references, 8 bytes each
 * 8 + 8N   rest    payload         the application's bytes, opaque to the server
 * </pre>
 *
 * <p>Every reference listed is a strong reference: pack keeps the referenced objects alive.
 * Duplicates and order are preserved exactly as given to {@link #encode}.
 *
 * <p>Instances are immutable: the accessors never expose internal arrays.
 */
public final class JzeoRecord {
    /** The first byte of every jzeo record. */
    public static final int MAGIC_BYTE = 0xFF;
    /** The format version this class writes and the only one it reads. */
    public static final int VERSION = 1;
    /** Bytes before the first reference: magic (3), version (1), count (4). */
    public static final int HEADER_LENGTH = 8;

    private static final int OID_LENGTH = 8;

    private final List<Oid> references;
    private final byte[] payload;

    private JzeoRecord(List<Oid> references, byte[] payload) {
        this.references = references;
        this.payload = payload;
    }

    /**
     * Builds a record's bytes.
     *
     * @throws NullPointerException if an argument or a reference is null
     */
    public static byte[] encode(List<Oid> references, byte[] payload) {
        Objects.requireNonNull(references, "references");
        Objects.requireNonNull(payload, "payload");
        long length = HEADER_LENGTH + (long) references.size() * OID_LENGTH + payload.length;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a jzeo record of " + length + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) length);
        out.put((byte) MAGIC_BYTE).put((byte) 'J').put((byte) 'Z').put((byte) VERSION);
        out.putInt(references.size());
        for (Oid oid : references) {
            out.putLong(Objects.requireNonNull(oid, "reference").value());
        }
        out.put(payload);
        return out.array();
    }

    /**
     * Whether {@code data} starts with the jzeo magic ({@code FF 'J' 'Z'}). It does not check the
     * rest: a record with the magic but a bad version or a truncated body is still "a jzeo record",
     * and {@link #decode} then rejects it loudly instead of letting it be taken for a pickle.
     */
    public static boolean isJzeoRecord(byte[] data) {
        return data != null
                && data.length >= 3
                && (data[0] & 0xFF) == MAGIC_BYTE
                && data[1] == 'J'
                && data[2] == 'Z';
    }

    /**
     * Parses a record.
     *
     * @throws IllegalArgumentException naming what is wrong: missing magic, unsupported version,
     *     or data too short for its header or for the references it declares
     */
    public static JzeoRecord decode(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (!isJzeoRecord(data)) {
            throw new IllegalArgumentException(
                    "not a jzeo record: expected magic FF 4A 5A ('\\xffJZ'), got " + hexPrefix(data));
        }
        if (data.length < 4) {
            throw new IllegalArgumentException("truncated jzeo record: no version byte after the magic");
        }
        int version = data[3] & 0xFF;
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "unsupported jzeo record version " + version + " (this reader supports " + VERSION + ")");
        }
        if (data.length < HEADER_LENGTH) {
            throw new IllegalArgumentException("truncated jzeo record: header needs " + HEADER_LENGTH
                    + " bytes, got " + data.length);
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        long count = Integer.toUnsignedLong(in.getInt(4));
        long available = (data.length - HEADER_LENGTH) / OID_LENGTH;
        if (count > available) {
            throw new IllegalArgumentException("truncated jzeo record: declares " + count
                    + " references (" + count * OID_LENGTH + " bytes) but only "
                    + (data.length - HEADER_LENGTH) + " bytes follow the header");
        }
        List<Oid> references = new ArrayList<>((int) count);
        in.position(HEADER_LENGTH);
        for (long i = 0; i < count; i++) {
            references.add(Oid.of(in.getLong()));
        }
        byte[] payload = Arrays.copyOfRange(data, in.position(), data.length);
        return new JzeoRecord(List.copyOf(references), payload);
    }

    /** The referenced oids, in stored order, duplicates included. Unmodifiable. */
    public List<Oid> references() {
        return references;
    }

    /** A copy of the application's payload. */
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JzeoRecord other
                && other.references.equals(references)
                && Arrays.equals(other.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * references.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "JzeoRecord[references=" + references + ", payload=" + payload.length + " bytes]";
    }

    private static String hexPrefix(byte[] data) {
        if (data.length == 0) {
            return "an empty array";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, data.length); i++) {
            sb.append(String.format("%02X ", data[i] & 0xFF));
        }
        return sb.toString().trim();
    }
}
