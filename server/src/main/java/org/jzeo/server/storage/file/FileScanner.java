package org.jzeo.server.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.DirectorySync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks Data.fs forward from a transaction boundary, checks every transaction and data record, and fills the
 * index (spec §5, "Opening"). The rules, and where jzeo is stricter than Python to never lose or invent data:
 *
 * <ul>
 *   <li>An incomplete last transaction (cut short, or status 'c') is copied to {@code Data.fs.tr<N>} and cut
 *       away in writable mode, and ignored in read-only mode. A transaction still marked 'c' is cut away with
 *       everything after it: FileStorage finishes transactions (status 'c' to ' ') only after syncing them and
 *       all before them, so what follows an unfinished one was never acknowledged.</li>
 *   <li>Something that only looks incomplete but is followed by a valid transaction ending exactly at the end
 *       of the file is corruption in the middle, and fatal (Python would cut away the valid transactions).</li>
 *   <li>Every other structural inconsistency in the committed part is fatal: a {@link StorageFormatException}
 *       naming the offset. Tids that do not increase are fatal too (pack treats them as corruption anyway).</li>
 * </ul>
 */
public final class FileScanner {
    private static final Logger LOG = LoggerFactory.getLogger(FileScanner.class);

    /** What a scan found. {@code truncatedTo} is -1 when nothing was cut away. */
    public record Result(long end, Tid lastTid, long transactions, long truncatedTo, Path savedTail) {
    }

    private final DataFile file;
    private final OidIndex index;
    private final boolean writable;
    private long[] oidBuffer = new long[64];
    private long[] posBuffer = new long[64];

    public FileScanner(DataFile file, OidIndex index, boolean writable) {
        this.file = file;
        this.index = index;
        this.writable = writable;
    }

    /** Scans from {@code start} (a transaction boundary whose predecessor has tid {@code lastTid}) to the end. */
    public Result scan(long start, Tid lastTid) {
        long size = file.size();
        long pos = start;
        Tid last = lastTid;
        long count = 0;
        while (pos < size) {
            long remaining = size - pos;
            if (remaining < FileFormat.TRANS_HDR_LEN) {
                return cutTail(pos, size, last, count, "only " + remaining + " bytes after the last transaction");
            }
            TransactionHeader.Fixed h = TransactionHeader.parseFixed(file.read(pos, FileFormat.TRANS_HDR_LEN));
            boolean pastEnd = h.tlen() < 0 || pos + h.tlen() + FileFormat.TRAILER_LEN > size;
            boolean tooShort = h.tlen() < h.headerLength();
            boolean checkpoint = h.status() == FileFormat.STATUS_CHECKPOINT;
            if (checkpoint && !tooShort) {
                // Voted, never finished: FileStorage marks a transaction finished only after it and everything
                // before it were synced, so no transaction from here on was acknowledged (those behind it belong
                // to the same interrupted sync or were written while it ran).
                return cutTail(pos, size, last, count, "transaction " + h.tid()
                        + " was voted but never finished (status 'c')"
                        + (pastEnd || pos + h.tlen() + FileFormat.TRAILER_LEN == size ? ""
                        : "; everything after it was never finished either"));
            }
            if (pastEnd || tooShort) {
                if (completeTransactionEndsFile(pos, size, last)) {
                    throw file.corrupt(pos, "damaged transaction header (tlen " + h.tlen() + ", status "
                            + statusName(h.status()) + ") although complete transactions follow up to the end"
                            + " of the file");
                }
                if (tooShort && !pastEnd && h.tlen() >= FileFormat.TRANS_HDR_LEN
                        && file.read(pos + h.tlen(), FileFormat.TRAILER_LEN).getLong() == h.tlen()) {
                    // Its redundant length is in place, so it was written completely: the header is damaged.
                    throw file.corrupt(pos + 17, "transaction header lengths (user " + h.ulen() + ", description "
                            + h.dlen() + ", extension " + h.elen() + ") exceed the transaction length " + h.tlen());
                }
                return cutTail(pos, size, last, count, "the last transaction is incomplete");
            }
            if (!h.tid().isAfter(last)) {
                throw file.corrupt(pos, "time-stamp reduction: transaction tid " + h.tid()
                        + " is not after the previous tid " + last);
            }
            byte status = h.status();
            long trailer = file.read(pos + h.tlen(), FileFormat.TRAILER_LEN).getLong();
            if (status != FileFormat.STATUS_COMMITTED && status != FileFormat.STATUS_PACKED
                    && status != FileFormat.STATUS_UNDONE) {
                if (trailer != h.tlen() && !completeTransactionEndsFile(pos, size, last)) {
                    // An append torn at a sector boundary inside its header: the status ('c' when written) and
                    // what follows never reached the disk, though the file's new size did (zeros). Never finished,
                    // so never acknowledged: an incomplete tail, like one cut short.
                    return cutTail(pos, size, last, count, "the last transaction is incomplete (status "
                            + statusName(status) + ", no redundant length: torn while it was appended)");
                }
                throw file.corrupt(pos + 16, "unknown transaction status " + statusName(status));
            }
            if (trailer != h.tlen()) {
                throw file.corrupt(pos + h.tlen(), "redundant transaction length " + trailer
                        + " does not match the header's " + h.tlen());
            }
            if (status != FileFormat.STATUS_UNDONE) {
                indexRecords(pos, h);
            }
            last = h.tid();
            count++;
            pos = pos + h.tlen() + FileFormat.TRAILER_LEN;
        }
        return new Result(pos, last, count, -1, null);
    }

    private void indexRecords(long tpos, TransactionHeader.Fixed h) {
        long end = tpos + h.tlen();
        long p = tpos + h.headerLength();
        int n = 0;
        while (p < end) {
            if (p + FileFormat.DATA_HDR_LEN > end) {
                throw file.corrupt(p, "data record header runs past the end of its transaction at " + end);
            }
            DataHeader d = file.readDataHeader(p);
            if (d.tloc() != tpos) {
                throw file.corrupt(p + 24, "data record's transaction pointer " + d.tloc()
                        + " is not its transaction's position " + tpos);
            }
            if (!d.tid().equals(h.tid())) {
                throw file.corrupt(p + 8, "data record tid " + d.tid() + " differs from its transaction's " + h.tid());
            }
            if (d.plen() < 0 || d.end() > end) {
                throw file.corrupt(p + 34, "data record of length " + d.recordLength()
                        + " runs past the end of its transaction at " + end);
            }
            if (d.prev() < 0 || d.prev() >= p || (d.prev() != 0 && d.prev() < FileFormat.MAGIC_LENGTH)) {
                throw file.corrupt(p + 16, "prev pointer " + d.prev() + " does not point to an earlier record");
            }
            if (d.plen() == 0) {
                long back = file.readBackPointer(d);
                if (back < 0 || back >= p || (back != 0 && back < FileFormat.MAGIC_LENGTH)) {
                    throw file.corrupt(p + FileFormat.DATA_HDR_LEN, "back pointer " + back
                            + " does not point to an earlier record");
                }
                if (back != 0) {
                    requireEarlierRevision(d, back, p + FileFormat.DATA_HDR_LEN, "back pointer");
                }
            }
            long current = index.get(d.oid().value());
            long expectedPrev = current == OidIndex.ABSENT ? 0 : current;
            if (d.prev() != expectedPrev) {
                // Legal after a pack (kept revisions get prev 0), so only a pointer to something that is not an
                // earlier revision of the same object is damage.
                if (d.prev() != 0) {
                    requireEarlierRevision(d, d.prev(), p + 16, "prev pointer");
                }
                LOG.debug("{}: data record at {} for oid {} has prev {}; the index had {}", file.path(), p,
                        d.oid(), d.prev(), expectedPrev);
            }
            if (n == oidBuffer.length) {
                oidBuffer = java.util.Arrays.copyOf(oidBuffer, n * 2);
                posBuffer = java.util.Arrays.copyOf(posBuffer, n * 2);
            }
            oidBuffer[n] = d.oid().value();
            posBuffer[n] = p;
            n++;
            p = d.end();
        }
        if (p != end) {
            throw file.corrupt(p, "data records end at " + p + ", not at the transaction's end " + end);
        }
        index.putAll(oidBuffer, posBuffer, n);
    }

    private void requireEarlierRevision(DataHeader d, long target, long fieldOffset, String what) {
        DataHeader t;
        try {
            t = file.readDataHeader(target);
        } catch (StorageFormatException e) {
            throw file.corrupt(fieldOffset, what + " " + target + " does not point to a data record");
        }
        if (!t.oid().equals(d.oid()) || !t.tid().isBefore(d.tid())) {
            throw file.corrupt(fieldOffset, what + " " + target + " of oid " + d.oid()
                    + " does not point to an earlier revision of that object");
        }
    }

    /**
     * Whether the file's last 8 bytes close a complete, well-formed transaction that starts at or after
     * {@code pos}: its header is plausible and its data records tile it exactly. Then whatever made the
     * transaction at {@code pos} look incomplete is damage, not a torn write: a torn write leaves a prefix of one
     * transaction, whose last bytes do not close a well-formed transaction.
     */
    private boolean completeTransactionEndsFile(long pos, long size, Tid last) {
        if (size - pos < FileFormat.TRANS_HDR_LEN + FileFormat.TRAILER_LEN) {
            return false;
        }
        long tlen = file.read(size - FileFormat.TRAILER_LEN, FileFormat.TRAILER_LEN).getLong();
        long start = size - FileFormat.TRAILER_LEN - tlen;
        if (tlen < FileFormat.TRANS_HDR_LEN || start < pos) {
            return false;
        }
        try {
            TransactionHeader.Fixed h = TransactionHeader.parseFixed(file.read(start, FileFormat.TRANS_HDR_LEN));
            boolean knownStatus = h.status() == FileFormat.STATUS_COMMITTED
                    || h.status() == FileFormat.STATUS_PACKED || h.status() == FileFormat.STATUS_UNDONE;
            if (!knownStatus || h.headerLength() > tlen || !h.tid().isAfter(last)) {
                return false;
            }
            long end = start + tlen;
            long p = start + h.headerLength();
            while (p < end) {
                if (p + FileFormat.DATA_HDR_LEN > end) {
                    return false;
                }
                DataHeader d = file.readDataHeader(p);
                if (d.tloc() != start || !d.tid().equals(h.tid()) || d.plen() < 0 || d.end() > end) {
                    return false;
                }
                p = d.end();
            }
            return p == end;
        } catch (StorageFormatException e) {
            return false;
        }
    }

    private Result cutTail(long pos, long size, Tid last, long count, String why) {
        if (!writable) {
            LOG.warn("{}: ignoring {} bytes at offset {} (read-only): {}", file.path(), size - pos, pos, why);
            return new Result(pos, last, count, -1, null);
        }
        Path saved = saveTail(pos, size);
        try {
            // Not forced: should the cut not survive a power loss, the next open finds the same bytes and cuts
            // them again; the next commit's sync makes it durable anyway.
            file.channel().truncate(pos);
        } catch (IOException e) {
            throw new UncheckedIOException("truncating " + file.path() + " to " + pos, e);
        }
        LOG.warn("{}: {}; cut {} bytes at offset {} (saved in {})", file.path(), why, size - pos, pos, saved);
        return new Result(pos, last, count, pos, saved);
    }

    private Path saveTail(long pos, long size) {
        Path dir = file.path().toAbsolutePath().getParent();
        String base = file.path().getFileName().toString() + ".tr";
        for (int n = 0; ; n++) {
            Path candidate = dir.resolve(base + n);
            if (Files.exists(candidate)) {
                continue;
            }
            try (FileChannel out = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                long copied = 0;
                while (copied < size - pos) {
                    copied += file.channel().transferTo(pos + copied, size - pos - copied, out);
                }
                out.force(true);
                DirectorySync.sync(dir);
                return candidate;
            } catch (IOException e) {
                throw new UncheckedIOException("saving the damaged tail of " + file.path() + " to " + candidate, e);
            }
        }
    }

    private static String statusName(byte status) {
        return status >= 0x20 && status < 0x7f ? "'" + (char) status + "'" : String.format("0x%02x", status);
    }

}
