package org.jzeo.server.xa;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.pickle.PickleReader;
import org.jzeo.server.storage.pickle.PickleWriter;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;

/**
 * The bytes of the XA prepared log ({@link PreparedLog} has the layout): its file header, the framing of a record
 * and the body of each {@link XaLogRecord} type. Pure functions of bytes; the file and its tail are the log's.
 */
final class XaLogCodec {
    static final byte[] MAGIC = {'J', 'Z', 'X', 'A'};
    /**
     * Version 3 records may name the user who prepared a branch (the owned record types below); version 2 frames
     * carry the writer's durable end, as version 3 frames do. Older files are read and rewritten as version 3. The
     * version changed with the owned types so that an older jzeo refuses a log holding them ("unknown version")
     * rather than taking an owned record at the end of the log for a torn write and cutting a prepared branch away.
     */
    static final int VERSION = 3;
    static final int VERSION_2 = 2;
    static final int VERSION_1 = 1;
    static final int FILE_HEADER = 8;
    static final int MAX_BODY = 1 << 30;

    private static final int PREPARED = 1;
    private static final int COMMITTED = 2;
    private static final int ROLLED_BACK = 3;
    private static final int HEURISTIC = 4;
    private static final int FORGOTTEN = 5;
    /**
     * A prepared record or a heuristic rollback with its owner: after the time, the owner (i32 length + UTF-8),
     * then the fields of the type without owner. A record without owner keeps its version 2 type and bytes.
     */
    private static final int PREPARED_OWNED = 6;
    private static final int HEURISTIC_OWNED = 7;

    private static final int STORE = 1;
    private static final int CHECK_CURRENT = 2;
    private static final int DELETE = 3;
    /** A store with its blob: as STORE, then the blob file's absolute path (UTF-8), which the branch keeps. */
    private static final int STORE_BLOB = 4;

    private XaLogCodec() {
    }

    /** The header a log file starts with: magic, version, three zero bytes. */
    static byte[] fileHeader() {
        byte[] header = new byte[FILE_HEADER];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[MAGIC.length] = VERSION;
        return header;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** Length of a version 2 frame's header: body length, durable end, and their checksum. */
    static final int FRAME_HEADER = 4 + 8 + 4;

    /**
     * {@code record} as it is appended: framed with its length, {@code durableBefore} (every byte of the log
     * before that offset was forced before this frame was written) and checksums. The durable end tells a
     * reader whether damage before this frame can be a torn, never acknowledged write (it lies past what was
     * durable when this frame was written) or must be damage to forced data.
     */
    static byte[] frame(XaLogRecord record, long durableBefore) {
        byte[] body = encode(record);
        ByteBuffer buf = ByteBuffer.allocate(FRAME_HEADER + body.length + 4);
        buf.putInt(body.length);
        buf.putLong(durableBefore);
        buf.putInt(crc(buf.array(), 0, 12));
        buf.put(body);
        buf.putInt(crc(body, 0, body.length));
        return buf.array();
    }

    /** The body of {@code record}. */
    static byte[] encode(XaLogRecord record) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            int type = record instanceof XaLogRecord.Prepared ? PREPARED
                    : record instanceof XaLogRecord.Committed ? COMMITTED
                    : record instanceof XaLogRecord.RolledBack ? ROLLED_BACK
                    : record instanceof XaLogRecord.HeuristicRollback ? HEURISTIC : FORGOTTEN;
            String owner = ownerOf(record);
            if (owner != null) {
                type = type == PREPARED ? PREPARED_OWNED : HEURISTIC_OWNED;
            }
            out.writeByte(type);
            WireXid xid = record.xid();
            out.writeInt(xid.getFormatId());
            writeShort(out, xid.getGlobalTransactionId());
            writeShort(out, xid.getBranchQualifier());
            out.writeLong(record.timeMillis());
            if (owner != null) {
                writeBytes(out, owner.getBytes(StandardCharsets.UTF_8));
            }
            if (record instanceof XaLogRecord.Prepared p) {
                out.writeLong(p.lastTidAtPrepare().value());
                out.writeInt(p.timeoutSeconds());
                TransactionMetadata m = p.metadata();
                writeBytes(out, m.user());
                writeBytes(out, m.description());
                writeBytes(out, m.extension().isEmpty() ? new byte[0] : PickleWriter.pickleDict(m.extension()));
                out.writeByte(m.explicitTid() == null ? 0 : 1);
                out.writeLong(m.explicitTid() == null ? 0 : m.explicitTid().value());
                out.writeByte(m.status());
                out.writeInt(p.operations().size());
                for (Operation op : p.operations()) {
                    writeOperation(out, op);
                }
            } else if (record instanceof XaLogRecord.Committed c) {
                out.writeLong(c.tid().value());
                out.writeInt(c.oids().size());
                for (Oid oid : c.oids()) {
                    out.writeLong(oid.value());
                }
            } else if (record instanceof XaLogRecord.HeuristicRollback h) {
                writeBytes(out, (h.reason() == null ? "" : h.reason()).getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The owner a record keeps: only prepared records and heuristic rollbacks have one. */
    private static String ownerOf(XaLogRecord record) {
        if (record instanceof XaLogRecord.Prepared p) {
            return p.owner();
        }
        return record instanceof XaLogRecord.HeuristicRollback h ? h.owner() : null;
    }

    private static void writeOperation(DataOutputStream out, Operation op) throws IOException {
        if (op instanceof Operation.Store s) {
            writeOperation(out, STORE, s.oid(), s.serial());
            writeBytes(out, s.data());
        } else if (op instanceof Operation.StoreBlob b) {
            writeOperation(out, STORE_BLOB, b.oid(), b.serial());
            writeBytes(out, b.data());
            writeBytes(out, b.file().toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        } else if (op instanceof Operation.CheckCurrent c) {
            writeOperation(out, CHECK_CURRENT, c.oid(), c.serial());
        } else if (op instanceof Operation.Delete d) {
            writeOperation(out, DELETE, d.oid(), d.serial());
        } else {
            throw new IllegalArgumentException("an XA branch cannot hold " + op);
        }
    }

    private static void writeOperation(DataOutputStream out, int kind, Oid oid, Tid serial) throws IOException {
        out.writeByte(kind);
        out.writeLong(oid.value());
        out.writeLong(serial == null ? 0L : serial.value()); // nil: a new object, as zero
    }

    private static void writeShort(DataOutputStream out, byte[] b) throws IOException {
        out.writeByte(b.length);
        out.write(b);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * The record whose body is {@code in}'s remaining bytes.
     *
     * @throws IllegalArgumentException the body is not one record (too short, unknown type, bytes left over)
     */
    static XaLogRecord decode(ByteBuffer in) {
        try {
            int type = in.get() & 0xff;
            int format = in.getInt();
            WireXid xid = new WireXid(format, readShort(in), readShort(in));
            long time = in.getLong();
            XaLogRecord r = switch (type) {
                case PREPARED -> decodePrepared(in, xid, time, null);
                case PREPARED_OWNED -> decodePrepared(in, xid, time, readOwner(in));
                case COMMITTED -> {
                    Tid tid = Tid.of(in.getLong());
                    int count = in.getInt();
                    if (count < 0 || count > in.remaining() / 8) {
                        throw new IllegalArgumentException("oid count " + count);
                    }
                    List<Oid> oids = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        oids.add(Oid.of(in.getLong()));
                    }
                    yield new XaLogRecord.Committed(xid, time, tid, oids);
                }
                case ROLLED_BACK -> new XaLogRecord.RolledBack(xid, time);
                case HEURISTIC -> new XaLogRecord.HeuristicRollback(xid, time,
                        new String(readBytes(in), StandardCharsets.UTF_8));
                case HEURISTIC_OWNED -> {
                    String owner = readOwner(in);
                    yield new XaLogRecord.HeuristicRollback(xid, time,
                            new String(readBytes(in), StandardCharsets.UTF_8), owner);
                }
                case FORGOTTEN -> new XaLogRecord.Forgotten(xid, time);
                default -> throw new IllegalArgumentException("record type " + type);
            };
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the record");
            }
            return r;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record shorter than its fields");
        }
    }

    /**
     * The xid of a prepared record whose body starts at {@code from} in {@code bytes}, read from its first fields
     * only (the rest may be damaged), or null when those do not read as a prepared record's.
     */
    static WireXid preparedXidOrNull(byte[] bytes, int from) {
        if (from < 0 || from >= bytes.length) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, from, bytes.length - from);
            int type = in.get() & 0xff;
            if (type != PREPARED && type != PREPARED_OWNED) {
                return null;
            }
            int format = in.getInt();
            return new WireXid(format, readShort(in), readShort(in));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String readOwner(ByteBuffer in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static XaLogRecord.Prepared decodePrepared(ByteBuffer in, WireXid xid, long time, String owner) {
        Tid last = Tid.of(in.getLong());
        int timeout = in.getInt();
        byte[] user = readBytes(in);
        byte[] description = readBytes(in);
        byte[] ext = readBytes(in);
        Map<String, Object> extension = PickleReader.unpickleDict(ext);
        boolean hasTid = in.get() != 0;
        long explicit = in.getLong();
        char status = (char) (in.get() & 0xff);
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException("operation count " + count);
        }
        List<Operation> ops = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            int kind = in.get() & 0xff;
            Oid oid = Oid.of(in.getLong());
            Tid serial = Tid.of(in.getLong());
            ops.add(switch (kind) {
                case STORE -> new Operation.Store(oid, serial, readBytes(in));
                case STORE_BLOB -> new Operation.StoreBlob(oid, serial, readBytes(in),
                        java.nio.file.Path.of(new String(readBytes(in), StandardCharsets.UTF_8)));
                case CHECK_CURRENT -> new Operation.CheckCurrent(oid, serial);
                case DELETE -> new Operation.Delete(oid, serial);
                default -> throw new IllegalArgumentException("operation kind " + kind);
            });
        }
        TransactionMetadata meta = new TransactionMetadata(user, description, extension,
                hasTid ? Tid.of(explicit) : null, status);
        return new XaLogRecord.Prepared(xid, time, last, timeout, meta, ops, owner);
    }

    private static byte[] readShort(ByteBuffer in) {
        byte[] b = new byte[in.get() & 0xff];
        in.get(b);
        return b;
    }

    private static byte[] readBytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("length " + n + " with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
