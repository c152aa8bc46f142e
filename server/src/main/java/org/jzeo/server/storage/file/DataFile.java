package org.jzeo.server.storage.file;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * Positional reads of Data.fs records. Safe for many threads at once: every read is a {@code pread} at an
 * absolute offset, nothing here moves a shared file position. Every length read from the file is checked
 * against the record that contains it before anything is allocated for it.
 */
public final class DataFile {
    /** One read covers the header and the data of most records. */
    private static final int READ_AHEAD = 512;
    private static final int MAX_BACK_CHAIN = 10_000;

    private final Path path;
    private final FileChannel channel;

    public DataFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    public Path path() {
        return path;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Reads exactly {@code length} bytes at {@code pos}. */
    public ByteBuffer read(long pos, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            readFully(b, pos);
        } catch (EOFException e) {
            throw corrupt(pos, "unexpected end of file reading " + length + " bytes");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + " at offset " + pos, e);
        }
        return b.flip();
    }

    private void readFully(ByteBuffer b, long pos) throws IOException {
        long at = pos;
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                throw new EOFException();
            }
            at += n;
        }
    }

    /** Reads up to {@code length} bytes at {@code pos}, fewer at the end of the file. */
    private ByteBuffer readUpTo(long pos, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            long at = pos;
            while (b.hasRemaining()) {
                int n = channel.read(b, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + " at offset " + pos, e);
        }
        return b.flip();
    }

    /** The transaction header at {@code pos}, with its variable fields. */
    public TransactionHeader readTransactionHeader(long pos) {
        ByteBuffer fixed = read(pos, FileFormat.TRANS_HDR_LEN);
        TransactionHeader.Fixed f = TransactionHeader.parseFixed(fixed);
        if (f.tlen() < f.headerLength()) {
            throw corrupt(pos, "transaction length " + f.tlen() + " is shorter than its header " + f.headerLength());
        }
        ByteBuffer var = read(pos + FileFormat.TRANS_HDR_LEN, f.ulen() + f.dlen() + f.elen());
        byte[] user = new byte[f.ulen()];
        byte[] description = new byte[f.dlen()];
        byte[] extension = new byte[f.elen()];
        var.get(user).get(description).get(extension);
        return new TransactionHeader(pos, f.tid(), f.tlen(), f.status(), user, description, extension);
    }

    /** The data record header at {@code pos}. */
    public DataHeader readDataHeader(long pos) {
        DataHeader h = DataHeader.parse(pos, read(pos, FileFormat.DATA_HDR_LEN));
        if (h.vlen() != 0) {
            throw corrupt(pos, "data record has a version (vlen " + h.vlen() + "); versions are not supported");
        }
        return h;
    }

    /** The back pointer of a record without inline data. */
    public long readBackPointer(DataHeader h) {
        return read(h.pos() + FileFormat.DATA_HDR_LEN, 8).getLong();
    }

    /** A record's header and its resolved data (null: no data), read with as few reads as possible. */
    public record Loaded(DataHeader header, byte[] data) {
    }

    /** Reads the record at {@code pos} and resolves its data through back pointers. */
    public Loaded load(long pos) {
        ByteBuffer b = readUpTo(pos, READ_AHEAD);
        if (b.remaining() < FileFormat.DATA_HDR_LEN) {
            throw corrupt(pos, "data record header runs past the end of the file");
        }
        DataHeader h = DataHeader.parse(pos, b);
        if (h.vlen() != 0) {
            throw corrupt(pos, "data record has a version (vlen " + h.vlen() + "); versions are not supported");
        }
        if (h.plen() > 0) {
            checkDataLength(h);
            if (b.remaining() >= h.plen()) {
                byte[] data = new byte[(int) h.plen()];
                b.get(data);
                return new Loaded(h, data);
            }
            return new Loaded(h, readInline(h));
        }
        long back = b.remaining() >= 8 ? b.getLong() : readBackPointer(h);
        return new Loaded(h, back == 0 ? null : dataAt(back, pos));
    }

    /** A record's data, following back pointers; null when the chain ends in "no data". */
    public byte[] data(DataHeader h) {
        if (h.plen() > 0) {
            return readInline(h);
        }
        long back = readBackPointer(h);
        return back == 0 ? null : dataAt(back, h.pos());
    }

    /** The position of the record that really holds {@code h}'s data (h itself, or the end of its back chain), 0 if none. */
    public long dataPosition(DataHeader h) {
        DataHeader cur = h;
        for (int hops = 0; hops < MAX_BACK_CHAIN; hops++) {
            if (cur.plen() > 0) {
                return cur.pos();
            }
            long back = readBackPointer(cur);
            if (back == 0) {
                return 0;
            }
            checkBack(back, cur.pos());
            cur = readDataHeader(back);
        }
        throw corrupt(h.pos(), "back pointer chain longer than " + MAX_BACK_CHAIN + " records");
    }

    private byte[] dataAt(long back, long from) {
        checkBack(back, from);
        long pos = dataPosition(readDataHeader(back));
        return pos == 0 ? null : readInline(readDataHeader(pos));
    }

    private void checkBack(long back, long from) {
        if (back < FileFormat.MAGIC_LENGTH || back >= from) {
            throw corrupt(from, "back pointer " + back + " does not point to an earlier record");
        }
    }

    private byte[] readInline(DataHeader h) {
        checkDataLength(h);
        ByteBuffer b = read(h.pos() + FileFormat.DATA_HDR_LEN, (int) h.plen());
        return b.array();
    }

    private void checkDataLength(DataHeader h) {
        if (h.plen() > Integer.MAX_VALUE - 64) {
            throw corrupt(h.pos(), "data length " + h.plen() + " is not plausible");
        }
    }

    /** The oid's data record whose tid is exactly {@code tid}, walking back from {@code pos}; null if none. */
    public DataHeader findRevision(long pos, Tid tid) {
        long p = pos;
        while (p != 0) {
            DataHeader h = readDataHeader(p);
            int c = h.tid().compareTo(tid);
            if (c == 0) {
                return h;
            }
            if (c < 0) {
                return null;
            }
            if (h.prev() >= p) {
                throw corrupt(p, "prev pointer " + h.prev() + " does not point backwards");
            }
            p = h.prev();
        }
        return null;
    }

    /** The record of {@code oid} inside {@code txn}, or null. */
    public DataHeader findInTransaction(TransactionHeader txn, Oid oid) {
        return findInTransaction(txn, oid, txn.dataStart());
    }

    /** Whether a later record of the same transaction writes {@code d}'s oid again. */
    public boolean findInTransactionAfter(TransactionHeader txn, DataHeader d) {
        return findInTransaction(txn, d.oid(), d.end()) != null;
    }

    private DataHeader findInTransaction(TransactionHeader txn, Oid oid, long from) {
        long p = from;
        while (p < txn.dataEnd()) {
            DataHeader h = readDataHeader(p);
            if (h.oid().equals(oid)) {
                return h;
            }
            p = h.end();
        }
        return null;
    }

    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException("size of " + path, e);
        }
    }

    StorageFormatException corrupt(long offset, String what) {
        return new StorageFormatException(path.toString(), offset, what);
    }
}
