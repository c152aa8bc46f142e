package org.jzeo.server.xa;

import static org.jzeo.server.xa.XaLogCodec.FILE_HEADER;
import static org.jzeo.server.xa.XaLogCodec.MAGIC;
import static org.jzeo.server.xa.XaLogCodec.MAX_BODY;
import static org.jzeo.server.xa.XaLogCodec.VERSION;
import static org.jzeo.server.xa.XaLogCodec.crc;
import static org.jzeo.server.xa.XaLogCodec.decode;
import static org.jzeo.server.xa.XaLogCodec.fileHeader;
import static org.jzeo.server.xa.XaLogCodec.frame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.CrashPoints;
import org.jzeo.server.storage.DirectorySync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA prepared log beside a Data.fs ({@code Data.fs.jzxa}): jzeo's own append-only file of
 * {@link XaLogRecord}s, each fsynced before the call that wrote it is answered. This class is the file (reading it,
 * its tail, appends, syncs and the swap); {@link XaLogCodec} turns records into the bytes described here.
 *
 * <p>Layout, big-endian. File header (8 bytes): magic {@code "JZXA"}, version (u8: 3; 1 and 2 are read and
 * rewritten as 3), three zero bytes. Then records (version 1 frames lack the durable end and its checksum covers
 * the length only):
 * <pre>
 *   u32 body length | i64 durable end | u32 CRC-32C of those 12 bytes | body | u32 CRC-32C of the body
 * </pre>
 * Body: type (u8: 1 prepared, 2 committed, 3 rolled back, 4 heuristic rollback, 5 forgotten; since version 3,
 * 6 prepared and 7 heuristic rollback with an owner), the xid (formatId i32, gtrid length u8 + bytes, bqual length
 * u8 + bytes), time (i64, ms since the epoch), for types 6 and 7 the owner (i32 length + UTF-8: the user who
 * prepared the branch) and then the fields of 1 or 4; then by type:
 * <ul>
 *   <li>prepared: last tid at prepare (i64), branch timeout seconds (i32), user (i32 length + bytes),
 *       description (i32 + bytes), extension as a pickled dict like Data.fs keeps it (i32 + bytes; 0 for none),
 *       explicit tid (u8 flag + i64), status (u8), operation count (i32), then per operation kind (u8: 1 store,
 *       2 read-current check, 3 delete), oid (i64), serial (i64) and for a store the data (i32 + bytes);</li>
 *   <li>committed: tid (i64), oid count (i32), oids (i64 each);</li>
 *   <li>heuristic rollback: reason (i32 length + UTF-8);</li>
 *   <li>rolled back, forgotten: nothing more.</li>
 * </ul>
 *
 * <p>Reading: a record cut short by the end of the file, the last record failing its body checksum, or a tail
 * of zero bytes is a torn write of a record never acknowledged: it is ignored and cut away when the log is
 * opened for writing. Any other damage (a bad checksum with records after it, a bad length checksum) stops the
 * open with a {@link PreparedLogCorruptException} naming the file and the offset.
 *
 * <p>Compaction rewrites the live records to {@code Data.fs.jzxa.tmp}, fsyncs it, renames it over the log and
 * fsyncs the directory, so a crash leaves the old log or the new one. Not thread-safe: the caller serialises.
 * A log without a path keeps nothing (a storage that is not on disk, e.g. a mapping storage).
 */
public final class PreparedLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedLog.class);
    private final Path path;
    private final LogFiles files;
    private volatile FileChannel channel;
    /** Set by {@link #close()}: every later append fails, it never recreates the file. */
    private volatile boolean closed;
    private volatile long end;
    private volatile boolean broken;
    /** Everything before this offset has been forced to disk; guarded by {@link #syncMonitor}. */
    private long syncedEnd;
    private final Object syncMonitor = new Object();
    /** Prepared branches named in a tail cut at open (see {@link #damagedPrepares()}). */
    private List<WireXid> damagedPrepares = List.of();
    /** Appends, syncs and rewrites hold it shared; close holds it alone, so it never cuts one of them in half. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    /** What {@link #read} found. */
    public record Contents(List<XaLogRecord> records, long goodEnd, long size, int version,
                           List<WireXid> damagedPrepares) {
        public boolean torn() {
            return goodEnd < size;
        }
    }

    /**
     * The file operations the log's swap depends on, replaceable in tests to make each of them fail. Every other
     * write goes through the channels these open.
     */
    interface LogFiles {
        LogFiles REAL = new LogFiles() { };

        default FileChannel openForAppend(Path file) throws IOException {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        default void replace(Path source, Path target) throws IOException {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private PreparedLog(Path path, LogFiles files) {
        this.path = path;
        this.files = files;
    }

    public static Path pathFor(Path dataFile) {
        return dataFile.resolveSibling(dataFile.getFileName() + ".jzxa");
    }

    /** A log that keeps nothing on disk. */
    public static PreparedLog inMemory() {
        return new PreparedLog(null, LogFiles.REAL);
    }

    /**
     * Opens the log at {@code path} for appending (it is created at the first append if missing), cutting away a
     * torn tail, and returns it with the records it holds.
     *
     * @throws PreparedLogCorruptException damage before the last record
     */
    public static PreparedLog open(Path path, List<XaLogRecord> into) throws IOException {
        return open(path, into, LogFiles.REAL);
    }

    static PreparedLog open(Path path, List<XaLogRecord> into, LogFiles files) throws IOException {
        PreparedLog log = new PreparedLog(path, files);
        if (Files.exists(path)) {
            Contents contents = read(path);
            into.addAll(contents.records());
            if (contents.goodEnd() < FILE_HEADER) {
                LOG.warn("{}: removing an empty XA log left by an interrupted creation", path);
                Files.delete(path);
                return log;
            }
            if (contents.torn()) {
                log.damagedPrepares = contents.damagedPrepares();
                Path kept = keepDamagedTail(path, contents);
                LOG.warn("{}: cut {} bytes at offset {} that do not read back whole: a prepare or outcome interrupted"
                        + " by a crash before it was acknowledged or, if the last one before the crash had been"
                        + " acknowledged, disk damage to it; the bytes are kept in {}{}", path,
                        contents.size() - contents.goodEnd(), contents.goodEnd(), kept,
                        contents.damagedPrepares().isEmpty() ? ""
                                : "; they prepared XA branch(es) " + contents.damagedPrepares());
                try (FileChannel ch = files.openForAppend(path)) {
                    ch.truncate(contents.goodEnd());
                    // Not needed for safety: the next append's sync makes the cut durable, and a power loss
                    // before it brings back bytes the next open cuts again. It spares that second cut.
                    ch.force(true); // fsync-mutation: redundant: see above
                }
            }
            if (contents.version() != VERSION) {
                LOG.info("{}: rewriting the XA log in format version {}", path, VERSION);
                log.end = contents.goodEnd();
                log.writeAtomically(contents.records());
                return log;
            }
            log.channel = files.openForAppend(path);
            log.end = contents.goodEnd();
            log.syncedEnd = contents.goodEnd();
        }
        return log;
    }

    /** Saves the bytes an open cuts away, forced and under a durable name, before the cut. */
    private static Path keepDamagedTail(Path path, Contents contents) throws IOException {
        byte[] all = Files.readAllBytes(path);
        Path kept = path.resolveSibling(path.getFileName() + ".damaged-" + contents.goodEnd());
        try (FileChannel ch = FileChannel.open(kept, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(all, (int) contents.goodEnd(), (int) (contents.size() - contents.goodEnd())));
            ch.force(true);
        }
        DirectorySync.sync(path.toAbsolutePath().getParent());
        return kept;
    }

    /** Reads every intact record of the log at {@code path}. */
    public static Contents read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < FILE_HEADER) {
            // Only a creation interrupted before the rename could leave this, and we create by renaming.
            if (allZero(bytes, 0)) {
                return new Contents(List.of(), 0, bytes.length, VERSION, List.of());
            }
            throw new PreparedLogCorruptException(path, 0, "file of " + bytes.length + " bytes is too short for"
                    + " the header");
        }
        byte[] magic = new byte[4];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new PreparedLogCorruptException(path, 0, "not a jzeo XA log (bad magic)");
        }
        int version = buf.get() & 0xff;
        if (version != VERSION && version != XaLogCodec.VERSION_2 && version != XaLogCodec.VERSION_1) {
            throw new PreparedLogCorruptException(path, 4, "unknown version " + version);
        }
        List<XaLogRecord> records = new ArrayList<>();
        long pos = FILE_HEADER;
        boolean v2 = version != XaLogCodec.VERSION_1; // frames with a durable end: versions 2 and 3
        int header = v2 ? XaLogCodec.FRAME_HEADER : 8;
        while (pos < bytes.length) {
            long remaining = bytes.length - pos;
            if (remaining < header) {
                break;
            }
            buf.position((int) pos);
            int length = buf.getInt();
            if (v2) {
                buf.getLong();
            }
            int headerCrc = buf.getInt();
            String damage = null;
            if (crc(bytes, (int) pos, header - 4) != headerCrc) {
                if (allZero(bytes, (int) pos)) {
                    break;
                }
                damage = "bad record length checksum";
            } else if (length < 0 || length > MAX_BODY) {
                damage = "impossible record length " + length;
            } else if (pos + header + length + 4 > bytes.length) {
                break;
            } else if (crc(bytes, (int) pos + header, length)
                    != ByteBuffer.wrap(bytes, (int) (pos + header + length), 4).getInt()) {
                if (!v2 && pos + header + length + 4 == bytes.length) {
                    break;
                }
                damage = "bad record checksum";
            } else {
                try {
                    records.add(decode(ByteBuffer.wrap(bytes, (int) pos + header, length).slice()));
                } catch (RuntimeException e) {
                    damage = "undecodable record: " + e;
                }
            }
            if (damage != null) {
                // Damage that a later frame's writer knew to be durable is damage to forced data, never a torn
                // write: the server cannot tell which branches are prepared. Otherwise this is where an
                // interrupted, unacknowledged write begins.
                if (!v2 || aLaterFrameSaysDurable(bytes, pos)) {
                    throw new PreparedLogCorruptException(path, pos, damage);
                }
                break;
            }
            pos = pos + header + length + 4;
        }
        return new Contents(records, pos, bytes.length, version,
                v2 && pos < bytes.length ? preparesFrom(bytes, pos) : List.of());
    }

    /**
     * The xids of the prepared records in a cut tail: the damaged first one as far as its first fields read, and
     * any intact one after it. Such a prepare was never acknowledged, unless the disk damaged the log.
     */
    private static List<WireXid> preparesFrom(byte[] bytes, long from) {
        List<WireXid> xids = new ArrayList<>();
        WireXid first = XaLogCodec.preparedXidOrNull(bytes, (int) from + XaLogCodec.FRAME_HEADER);
        if (first != null) {
            xids.add(first);
        }
        int header = XaLogCodec.FRAME_HEADER;
        for (int q = (int) from + 1; q + header + 4 <= bytes.length; q++) {
            ByteBuffer b = ByteBuffer.wrap(bytes, q, header);
            int length = b.getInt();
            b.getLong();
            if (b.getInt() != crc(bytes, q, header - 4) || length < 0 || q + header + length + 4 > bytes.length
                    || ByteBuffer.wrap(bytes, q + header + length, 4).getInt() != crc(bytes, q + header, length)) {
                continue;
            }
            WireXid xid = XaLogCodec.preparedXidOrNull(bytes, q + header);
            if (xid != null && !xids.contains(xid)) {
                xids.add(xid);
            }
            q += header + length + 3;
        }
        return xids;
    }

    /** Whether an intact version 2 frame after {@code pos} was written when the bytes at {@code pos} were durable. */
    private static boolean aLaterFrameSaysDurable(byte[] bytes, long pos) {
        int header = XaLogCodec.FRAME_HEADER;
        for (int q = (int) pos + 1; q + header + 4 <= bytes.length; q++) {
            ByteBuffer b = ByteBuffer.wrap(bytes, q, header);
            int length = b.getInt();
            long durableBefore = b.getLong();
            if (b.getInt() != crc(bytes, q, header - 4) || length < 0 || q + header + length + 4 > bytes.length) {
                continue;
            }
            int bodyCrc = ByteBuffer.wrap(bytes, q + header + length, 4).getInt();
            if (bodyCrc == crc(bytes, q + header, length) && durableBefore > pos) {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public Path path() {
        return path;
    }

    /**
     * The xids of prepared records in the damaged tail this open cut away (as far as they could be read): their
     * prepare was never acknowledged, or the disk damaged an acknowledged one.
     */
    public List<WireXid> damagedPrepares() {
        return damagedPrepares;
    }

    /** The log's size in bytes (0 when it does not exist or keeps nothing). */
    public long size() {
        return end;
    }

    /** Appends {@code record} and fsyncs; when this returns, the record survives a crash. */
    public void append(XaLogRecord record) throws IOException {
        append(record, true);
    }

    /**
     * Appends {@code record} without an fsync of its own: it reaches the disk with the next fsync of the log (or
     * the OS's writeback). For records a crash may lose because they can be rebuilt: a commit's outcome is
     * found again in Data.fs by the transaction's xid.
     */
    public void appendLazily(XaLogRecord record) throws IOException {
        append(record, false);
    }

    /**
     * Appends {@code record} without an fsync and returns the offset {@link #syncTo} must reach for it to be
     * durable. Appends are serialised by the caller; the sync may run outside that lock, so that one fsync covers
     * the records of several callers (group commit). The caller must not let the log be compacted between the
     * two calls.
     */
    public long appendForSync(XaLogRecord record) throws IOException {
        append(record, false);
        return end;
    }

    /** Makes every record up to {@code offset} durable, with one fsync for all callers waiting together. */
    public void syncTo(long offset) throws IOException {
        if (path == null) {
            return;
        }
        lifecycle.readLock().lock();
        try {
            syncLocked(offset);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void syncLocked(long offset) throws IOException {
        synchronized (syncMonitor) {
            if (syncedEnd >= offset) {
                return; // another caller's fsync covered it
            }
            requireOpen();
            long target = end;
            try {
                channel.force(true);
            } catch (IOException e) {
                broken = true;
                throw e;
            }
            syncedEnd = target;
        }
    }

    private void append(XaLogRecord record, boolean durable) throws IOException {
        if (path == null) {
            return;
        }
        lifecycle.readLock().lock();
        try {
            appendLocked(record, durable);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void appendLocked(XaLogRecord record, boolean durable) throws IOException {
        requireOpen();
        if (broken) {
            throw new IOException(path + ": an earlier write failed; restart the server to reopen the XA log");
        }
        if (channel == null) {
            create();
        }
        long durableBefore;
        synchronized (syncMonitor) {
            durableBefore = syncedEnd;
        }
        byte[] framed = frame(record, durableBefore);
        try {
            ByteBuffer buf = ByteBuffer.wrap(framed);
            long at = end;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
            if (durable) {
                channel.force(true);
                synchronized (syncMonitor) {
                    syncedEnd = Math.max(syncedEnd, at);
                }
            }
            end = at;
        } catch (IOException e) {
            // The force only spares work: should the truncation not survive a power loss, the partial record is a
            // torn tail that the next open cuts, and a later append's sync makes the truncation durable.
            try {
                channel.truncate(end);
                channel.force(true); // fsync-mutation: redundant: see the catch above
            } catch (IOException again) {
                broken = true;
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException(path + ": the XA log is closed (the server is shutting down); nothing more can be"
                    + " prepared, committed or rolled back through it");
        }
    }

    /**
     * The first append to a log that had no file: makes an empty one. Never over an existing file: a log with
     * records is only ever replaced by {@link #rewrite}, which keeps every live record.
     */
    private void create() throws IOException {
        if (Files.exists(path)) {
            throw new IOException(path + ": refusing to replace an existing XA log by an empty one");
        }
        writeAtomically(List.of());
    }

    /** Replaces the whole log by {@code live} (compaction). */
    public void rewrite(List<XaLogRecord> live) throws IOException {
        if (path == null) {
            return;
        }
        lifecycle.readLock().lock();
        try {
            requireOpen();
            writeAtomically(live);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void writeAtomically(List<XaLogRecord> records) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(fileHeader());
        for (XaLogRecord r : records) {
            // The whole file is forced before it replaces the log: each frame may say all before it is durable.
            out.write(frame(r, out.size()));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(out.toByteArray());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        // The old file stays open and in use until the new one is in place and open: a failure before the swap
        // leaves the old log as it was, and appends go on there.
        CrashPoints.reach(CrashPoints.XA_COMPACTION_WRITTEN);
        try {
            files.replace(tmp, path);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        CrashPoints.reach(CrashPoints.XA_COMPACTION_RENAMED);
        try {
            DirectorySync.sync(path.toAbsolutePath().getParent());
        } catch (IOException | RuntimeException e) {
            // The new file is in place but its name may not survive a power loss: appends to it could be lost
            // with it, and the old channel names the replaced file. Refuse every append.
            broken = true;
            throw e;
        }
        FileChannel replacement;
        try {
            replacement = files.openForAppend(path);
        } catch (IOException | RuntimeException e) {
            // The file on disk is the new one, complete and forced, but this process can no longer append to it:
            // the old channel names the replaced file, so an append there would be lost. Refuse every append.
            broken = true;
            throw e;
        }
        FileChannel old = channel;
        channel = replacement;
        end = out.size();
        broken = false;
        synchronized (syncMonitor) {
            syncedEnd = end; // the new file was forced whole
        }
        if (old != null) {
            try {
                old.close();
            } catch (IOException e) {
                LOG.debug("closing the replaced {}", path, e);
            }
        }
    }

    @Override
    public void close() {
        // Waits for appends, syncs and rewrites in flight: each either completes (and was acknowledged durable) or
        // has not begun, and every later one fails for being after the close.
        lifecycle.writeLock().lock();
        try {
            closed = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("closing {}", path, e);
                }
                channel = null;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
