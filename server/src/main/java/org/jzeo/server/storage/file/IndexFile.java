package org.jzeo.server.storage.file;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.DirectorySync;

/**
 * jzeo's own snapshot of the index, {@code Data.fs.jzindex} (never Python's {@code Data.fs.index}).
 *
 * <p>Layout, big-endian: magic {@code "JZIX"}, version byte 1, the Data.fs end it covers (8), the tid of the
 * last transaction before that end (8), the entry count (8), then per entry oid (8) and position (8) in
 * ascending oid order, then a CRC-32C (4) of everything before it. Written to a temporary name, fsynced and
 * renamed, so a crash leaves the old snapshot or the new one. A snapshot is only a hint: the caller checks it
 * against the data file ({@link #matches}) and rebuilds by scanning when in doubt.
 */
public final class IndexFile {
    private static final byte[] MAGIC = {'J', 'Z', 'I', 'X'};
    private static final int VERSION = 1;

    /** What a snapshot holds besides the entries. */
    public record Header(long end, Tid lastTid, long count) {
    }

    private IndexFile() {
    }

    public static Path pathFor(Path dataFile) {
        return dataFile.resolveSibling(dataFile.getFileName() + ".jzindex");
    }

    /** Writes {@code index} as covering Data.fs up to {@code end}, whose last transaction is {@code lastTid}. */
    public static void save(Path target, OidIndex index, long end, Tid lastTid) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
             DataOutputStream out = new DataOutputStream(checked)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(end);
            out.writeLong(lastTid.value());
            out.writeLong(index.size());
            IOException[] failure = new IOException[1];
            index.forEach((oid, pos) -> {
                if (failure[0] == null) {
                    try {
                        out.writeLong(oid);
                        out.writeLong(pos);
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            out.flush();
            new DataOutputStream(raw).writeInt((int) crc.getValue());
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // Otherwise a power loss after a clean close can take the new index away: a full scan at the next start.
        DirectorySync.sync(target.toAbsolutePath().getParent());
    }

    /**
     * Loads a snapshot into {@code index} (which must be empty) and returns its header, or null when the file is
     * missing, of another format, or fails its checksum; {@code index} is then left empty.
     */
    public static Header load(Path source, OidIndex index) throws IOException {
        if (!Files.isRegularFile(source)) {
            return null;
        }
        long length = Files.size(source);
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(source);
             BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
             CheckedInputStream checked = new CheckedInputStream(buffered, crc);
             DataInputStream in = new DataInputStream(checked)) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.readUnsignedByte() != VERSION) {
                return null;
            }
            long end = in.readLong();
            Tid lastTid = Tid.of(in.readLong());
            long count = in.readLong();
            if (count < 0 || length != 4 + 1 + 8 + 8 + 8 + count * 16 + 4) {
                return null;
            }
            long[] oids = new long[(int) Math.min(count, 4096)];
            long[] positions = new long[oids.length];
            long left = count;
            while (left > 0) {
                int n = (int) Math.min(left, oids.length);
                for (int i = 0; i < n; i++) {
                    oids[i] = in.readLong();
                    positions[i] = in.readLong();
                }
                index.putAll(oids, positions, n);
                left -= n;
            }
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(buffered).readInt();
            if (stored != expected) {
                return null;
            }
            return new Header(end, lastTid, count);
        } catch (EOFException e) {
            return null;
        }
    }

    /**
     * Whether a snapshot fits the data file: its end is a transaction boundary within the file, the transaction
     * ending there has the recorded tid, and every data record of that transaction is where the index says.
     */
    public static boolean matches(Header header, DataFile file, OidIndex index) {
        long size = file.size();
        if (header.end() < FileFormat.MAGIC_LENGTH || header.end() > size) {
            return false;
        }
        if (header.end() == FileFormat.MAGIC_LENGTH) {
            return header.lastTid().equals(Tid.ZERO) && header.count() == 0;
        }
        try {
            long tlen = file.read(header.end() - FileFormat.TRAILER_LEN, FileFormat.TRAILER_LEN).getLong();
            long tpos = header.end() - FileFormat.TRAILER_LEN - tlen;
            if (tlen < FileFormat.TRANS_HDR_LEN || tpos < FileFormat.MAGIC_LENGTH) {
                return false;
            }
            TransactionHeader txn = file.readTransactionHeader(tpos);
            if (txn.tlen() != tlen || !txn.tid().equals(header.lastTid())) {
                return false;
            }
            long p = txn.dataStart();
            while (p < txn.dataEnd()) {
                DataHeader d = file.readDataHeader(p);
                if (txn.status() != FileFormat.STATUS_UNDONE && index.get(d.oid().value()) != p) {
                    // Duplicate oids in one transaction: only the last record is indexed.
                    if (file.findInTransactionAfter(txn, d)) {
                        p = d.end();
                        continue;
                    }
                    return false;
                }
                p = d.end();
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
