package org.jzeo.client.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client cache in one pre-sized, size-bounded file ({@link CacheFileFormat}), with semantics of client-cache
 * spec §4 and an {@link EvictionPolicy} (S3-FIFO) choosing what leaves.
 *
 * <p><b>Trust.</b> Opening scans and checks the whole file; any failed check moves it to {@code <file>.bad} and
 * starts empty, with a WARN naming the file and the reason ({@link #openReport()}). A hit re-checks the record's
 * CRC before serving it. Nothing that failed a check is ever served.
 *
 * <p><b>Crash safety without per-operation fsync.</b> Every change is a positional write after which the file
 * still scans correctly: a record goes into free space as one write of its prefix, its body and the prefix of the
 * free remainder (a killed process leaves the old bytes or the new ones; a torn block fails its CRC at open);
 * eviction rewrites one prefix; invalidate rewrites the 12-byte end tid field before returning
 * (so before the caller's later {@link #setLastTid}). A killed process thus leaves a valid file with correct data
 * since the OS keeps the writes. A machine crash does not preserve their order: the header is marked dirty (with
 * the boot id, fsynced) at open and clean (after a force) at close, and a dirty file from another boot is
 * discarded. A new file's directory is synced, so a cleanly closed cache is found again after a power loss.
 * {@code DiskCachePowerLossTest} checks all this on a simulated disk.
 *
 * <p><b>Concurrency.</b> One read/write lock: hits take the read lock (hash lookup, one positional read, CRC), every
 * mutation the write lock. An I/O error while writing disables the cache (every load misses) and moves the file to
 * {@code .bad}, because memory and file may then disagree.
 */
public final class DiskCache implements ClientCache {
    /** ZEO's default client cache size. */
    public static final long DEFAULT_SIZE = 20L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DiskCache.class);

    private final Path file;
    private final boolean temporary;
    private final long maxBytes;
    private final String bootId;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final OpenReport openReport;
    private final EvictionPolicy policy;
    private final RevisionIndex index = new RevisionIndex();
    private final FreeSpace free = new FreeSpace();
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private CacheChannel channel;
    private long lastTid;
    private boolean failed;
    private volatile boolean closed;

    private DiskCache(Path file, boolean temporary, long maxBytes, String bootId, FileChannel lockChannel,
            FileLock lock) throws IOException {
        this.file = file;
        this.temporary = temporary;
        this.maxBytes = maxBytes;
        this.bootId = bootId;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.policy = EvictionPolicy.s3Fifo(maxBytes - CacheFileFormat.DATA_START);
        try {
            this.openReport = temporary ? create() : openExisting();
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    /**
     * A cache kept in {@code file} across restarts, of {@code maxBytes} bytes (rounded down to 16). Takes an
     * exclusive lock on {@code <file>.lock}; IllegalStateException if another process or instance holds it.
     */
    public static DiskCache persistent(Path file, long maxBytes) {
        return persistent(file, maxBytes, BootId::read);
    }

    static DiskCache persistent(Path file, long maxBytes, Supplier<String> bootIds) {
        long size = checkedSize(maxBytes);
        Path lockFile = sibling(file, ".lock");
        FileChannel lockChannel = null;
        try {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("client cache " + file + " is in use by another process or cache"
                        + " instance (lock " + lockFile + " is held)");
            }
            return new DiskCache(file, false, size, bootIds.get(), lockChannel, lock);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot open client cache " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /** A cache in a new temporary file, deleted at close (and at JVM exit if not closed). */
    public static DiskCache temporary(long maxBytes) {
        long size = checkedSize(maxBytes);
        try {
            Path file = Files.createTempFile("jzeo-cache-", ".jzc");
            file.toFile().deleteOnExit();
            return new DiskCache(file, true, size, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary client cache: " + e.getMessage(), e);
        }
    }

    private static long checkedSize(long maxBytes) {
        if (maxBytes < CacheFileFormat.MIN_CACHE_BYTES) {
            throw new IllegalArgumentException("a client cache needs at least " + CacheFileFormat.MIN_CACHE_BYTES
                    + " bytes, got " + maxBytes);
        }
        return maxBytes & -CacheFileFormat.ALIGN;
    }

    // ---- opening ---------------------------------------------------------------------------------------------

    private OpenReport openExisting() throws IOException {
        if (!Files.exists(file)) {
            return create();
        }
        channel = new CacheChannel(file);
        String problem;
        try {
            CacheHeader header = CacheScanner.header(channel);
            if (header.maxBytes() != maxBytes) {
                throw new CorruptCacheException("its size is " + header.maxBytes() + " bytes, " + maxBytes
                        + " are configured");
            }
            if (header.dirty() && (bootId == null || !bootId.equals(header.bootId()))) {
                throw new CorruptCacheException("it was not closed cleanly and the machine has rebooted since"
                        + " (boot id " + header.bootId() + ", now " + bootId + ")");
            }
            List<CacheEntry> duplicates = new ArrayList<>();
            CacheScanner.blocks(channel, maxBytes, new CacheScanner.Visitor() {
                @Override
                public void record(long offset, int blockLength, int dataLength, long oid, long start, long end) {
                    CacheEntry e = new CacheEntry(new RevisionKey(oid, start), end, offset, blockLength, dataLength);
                    adopt(e, duplicates);
                }

                @Override
                public void free(long offset, int blockLength) {
                    free.release(offset, blockLength);
                }
            });
            lastTid = header.lastTid();
            for (CacheEntry e : duplicates) {
                freeBlock(e);
            }
            writeHeader(true);
            // Not needed for any promise, and kept as a margin: every header written while open says dirty, so a
            // clean header found after a power loss is a close's, written after a force; what was written since
            // then is self-checking (CRCs) and only adds truth as of that close's last tid (revisions that were
            // committed, true end tids, freed blocks). DiskCachePowerLossTest passes without this force.
            channel.force(); // fsync-mutation: redundant: every header written while open says dirty
            LOG.info("client cache {}: reusing {} revisions, last tid {}", file, index.size(), Tid.of(lastTid));
            return new OpenReport(OpenReport.Outcome.REUSED, null);
        } catch (CorruptCacheException e) {
            problem = e.getMessage();
        }
        LOG.warn("client cache {} discarded: {}; moved to {} and starting empty", file, problem,
                sibling(file, ".bad"));
        channel.close();
        channel = null;
        Files.move(file, sibling(file, ".bad"), StandardCopyOption.REPLACE_EXISTING);
        index.clear();
        policy.clear();
        free.clear();
        lastTid = 0;
        create();
        return new OpenReport(OpenReport.Outcome.DISCARDED, problem);
    }

    /**
     * Takes a scanned record into the index. A second copy of a revision, or the older of two current revisions
     * of an oid (neither is written by this class, but a file is not trusted that far), goes to {@code unused}
     * for the caller to free.
     */
    private void adopt(CacheEntry e, List<CacheEntry> unused) {
        if (index.get(e.oid(), e.start()) != null) {
            unused.add(e);
            return;
        }
        if (e.isCurrent()) {
            CacheEntry other = index.current(e.oid());
            if (other != null) {
                if (Long.compareUnsigned(other.start(), e.start()) > 0) {
                    unused.add(e);
                    return;
                }
                forget(other);
                unused.add(other);
            }
        }
        index.add(e);
        policy.add(e.key, e.blockLength, victim -> {
            throw new IllegalStateException("the records of " + file + " exceed its size");
        });
    }

    private OpenReport create() throws IOException {
        if (channel == null) {
            Files.deleteIfExists(file);
            Files.createFile(file);
            channel = new CacheChannel(file);
        }
        channel.truncate(0);
        // Pre-size, as ZEO does, so the file has its final length from the start.
        channel.writeFully(ByteBuffer.allocate(1), maxBytes - 1);
        formatData();
        writeHeader(!temporary);
        if (!temporary) {
            // Not needed for any promise, and kept as a margin: until a close forces everything and only then
            // marks the file clean, a power loss leaves a file that is dirty or unreadable, hence discarded.
            channel.force(); // fsync-mutation: redundant: a new file stays dirty until a close forces it
            syncDirectory();
        }
        return new OpenReport(OpenReport.Outcome.CREATED, null);
    }

    /**
     * Makes the new file's name durable, and with it the move of a discarded file to {@code .bad}: otherwise a
     * power loss, even long after a clean close, could leave no file, or the discarded one, in its place (a cold
     * cache, never wrong data, since the discarded file is discarded again). A platform that cannot sync a
     * directory (Windows cannot open one) risks only that, so a failure is logged, not thrown.
     */
    private void syncDirectory() {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("client cache {}: cannot sync its directory: {}", file, e.toString());
        }
    }

    /** Marks the whole data area free, in blocks of at most {@link CacheFileFormat#MAX_BLOCK}. */
    private void formatData() throws IOException {
        free.clear();
        for (long off = CacheFileFormat.DATA_START; off < maxBytes; off += CacheFileFormat.MAX_BLOCK) {
            int len = (int) Math.min(CacheFileFormat.MAX_BLOCK, maxBytes - off);
            channel.writeFully(CacheFileFormat.freePrefix(len), off);
            free.release(off, len);
        }
    }

    private void writeHeader(boolean dirty) throws IOException {
        channel.writeFully(new CacheHeader(maxBytes, lastTid, dirty, bootId).encode(), 0);
    }

    // ---- reads -----------------------------------------------------------------------------------------------

    @Override
    public boolean mayContain(Oid oid, Tid before) {
        Lock r = rw.readLock();
        r.lock();
        try {
            return !closed && !failed && index.find(oid.value(), before.value()) != null;
        } finally {
            r.unlock();
        }
    }

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        Objects.requireNonNull(oid, "oid");
        Objects.requireNonNull(before, "before");
        CacheEntry bad;
        Lock r = rw.readLock();
        r.lock();
        try {
            checkOpen();
            CacheEntry e = failed ? null : index.find(oid.value(), before.value());
            if (e == null) {
                misses.increment();
                return null;
            }
            byte[] data = readChecked(e);
            if (data != null) {
                policy.hit(e.key);
                hits.increment();
                return new LoadResult(data, Tid.of(e.start()), e.isCurrent() ? null : Tid.of(e.end));
            }
            misses.increment();
            bad = e;
        } finally {
            r.unlock();
        }
        discardBadEntry(bad);
        return null;
    }

    /** The data of {@code e}, or null after logging when its block fails a check or cannot be read. */
    private byte[] readChecked(CacheEntry e) {
        ByteBuffer block = ByteBuffer.allocate(CacheFileFormat.RECORD_HEADER + e.dataLength);
        try {
            channel.readFully(block, e.offset);
        } catch (IOException ex) {
            LOG.warn("client cache {}: cannot read the record of oid {} at offset {}: {}", file, Oid.of(e.oid()),
                    e.offset, ex.toString());
            return null;
        }
        block.flip();
        String problem = CacheFileFormat.bodyProblem(block);
        if (problem == null && (block.getLong(16) != e.oid() || block.getLong(24) != e.start()
                || block.getInt(4) != e.blockLength)) {
            problem = "the block holds another record";
        }
        if (problem != null) {
            LOG.warn("client cache {}: not serving oid {} start {} at offset {}: {}", file, Oid.of(e.oid()),
                    Tid.of(e.start()), e.offset, problem);
            return null;
        }
        byte[] data = new byte[e.dataLength];
        block.get(CacheFileFormat.RECORD_HEADER, data);
        return data;
    }

    private void discardBadEntry(CacheEntry e) {
        mutate("dropping a bad record", () -> {
            if (index.get(e.oid(), e.start()) == e) {
                forget(e);
                freeBlock(e);
            }
        });
    }

    // ---- mutations -------------------------------------------------------------------------------------------

    @Override
    public void store(Oid oid, Tid start, Tid end, byte[] data) {
        Objects.requireNonNull(oid, "oid");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(data, "data");
        if (end != null && !end.isAfter(start)) {
            throw new IllegalArgumentException("end tid " + end + " is not after start tid " + start);
        }
        if (!CacheFileFormat.cacheable(data.length, maxBytes)) {
            return;
        }
        mutate("storing", () -> storeLocked(oid.value(), start.value(), end == null ? 0 : end.value(), data));
    }

    private void storeLocked(long oid, long start, long end, byte[] data) throws IOException {
        if (index.get(oid, start) != null) {
            return;
        }
        if (end == 0) {
            CacheEntry current = index.current(oid);
            if (current != null) {
                if (Long.compareUnsigned(current.start(), start) > 0) {
                    LOG.debug("client cache: keeping current {} of oid {} over older {}", Tid.of(current.start()),
                            Oid.of(oid), Tid.of(start));
                    return;
                }
                LOG.debug("client cache: current {} of oid {} replaces {}", Tid.of(start), Oid.of(oid),
                        Tid.of(current.start()));
                forget(current);
                freeBlock(current);
            }
            if (Long.compareUnsigned(index.newestEnd(oid), start) > 0) {
                LOG.debug("client cache: not storing {} of oid {} as current: a newer revision is known",
                        Tid.of(start), Oid.of(oid));
                return;
            }
        }
        int size = (int) CacheFileFormat.blockSize(data.length);
        RevisionKey key = new RevisionKey(oid, start);
        List<RevisionKey> victims = new ArrayList<>();
        policy.add(key, size, victims::add);
        boolean evictedItself = false;
        for (RevisionKey victim : victims) {
            if (victim.equals(key)) {
                evictedItself = true;
            } else {
                evict(victim);
            }
        }
        if (evictedItself) {
            return;
        }
        FreeSpace.Extent extent = free.allocate(size);
        while (extent == null) {
            // Enough bytes are free but not in one piece: evict more.
            RevisionKey victim = policy.evictOne();
            if (victim == null || victim.equals(key)) {
                policy.remove(key);
                return;
            }
            evict(victim);
            extent = free.allocate(size);
        }
        writeRecord(extent, size, oid, start, end, data);
        index.add(new CacheEntry(key, end, extent.offset(), size, data.length));
        stores.increment();
    }

    /**
     * Writes the whole block, prefix included, with one positional write: a process killed around it leaves
     * either the old bytes or the new ones (one write system call), and a torn block from a machine crash fails
     * its CRC at open. One write instead of three made a commit's cache updates three times cheaper.
     */
    private void writeRecord(FreeSpace.Extent extent, int size, long oid, long start, long end, byte[] data)
            throws IOException {
        int remainder = extent.length() - size;
        byte[] block = CacheFileFormat.recordBlock(oid, start, end, data, size, remainder);
        channel.writeFully(ByteBuffer.wrap(block), extent.offset());
    }

    @Override
    public void invalidate(Oid oid, Tid tid) {
        Objects.requireNonNull(oid, "oid");
        Objects.requireNonNull(tid, "tid");
        mutate("invalidating", () -> {
            CacheEntry current = index.current(oid.value());
            if (current == null) {
                return;
            }
            if (Long.compareUnsigned(tid.value(), current.start()) <= 0) {
                LOG.warn("client cache {}: ignoring invalidation of oid {} by {}, not after its current revision {}",
                        file, oid, tid, Tid.of(current.start()));
                return;
            }
            channel.writeFully(CacheFileFormat.endField(current.oid(), current.start(), tid.value()),
                    current.offset + CacheFileFormat.END_FIELD);
            index.endCurrent(current, tid.value());
            invalidations.increment();
        });
    }

    @Override
    public void drop(Oid oid) {
        Objects.requireNonNull(oid, "oid");
        mutate("dropping", () -> {
            for (CacheEntry e : index.entries(oid.value())) {
                forget(e);
                freeBlock(e);
            }
        });
    }

    @Override
    public void clear() {
        mutate("clearing", () -> {
            index.clear();
            policy.clear();
            formatData();
        });
    }

    @Override
    public Tid lastTid() {
        Lock r = rw.readLock();
        r.lock();
        try {
            return Tid.of(lastTid);
        } finally {
            r.unlock();
        }
    }

    @Override
    public void setLastTid(Tid tid) {
        Objects.requireNonNull(tid, "tid");
        if (tid.equals(Tid.ZERO)) {
            return;
        }
        Lock w = rw.writeLock();
        w.lock();
        try {
            checkOpen();
            int order = Long.compareUnsigned(tid.value(), lastTid);
            if (order < 0) {
                throw new IllegalArgumentException("last tid cannot go back from " + Tid.of(lastTid) + " to " + tid);
            }
            if (order == 0) {
                return;
            }
            lastTid = tid.value();
            if (!failed) {
                try {
                    writeHeader(!temporary);
                } catch (IOException e) {
                    fail("setting the last tid", e);
                }
            }
        } finally {
            w.unlock();
        }
    }

    /** Removes {@code e} from memory (index and policy); the caller frees its block. */
    private void forget(CacheEntry e) {
        index.remove(e);
        policy.remove(e.key);
    }

    /** The policy chose {@code key}: remove it from the index and free its block. */
    private void evict(RevisionKey key) throws IOException {
        CacheEntry e = index.get(key.oid(), key.start());
        if (e == null) {
            throw new IllegalStateException("the policy evicted an unknown entry " + key);
        }
        index.remove(e);
        freeBlock(e);
        evictions.increment();
    }

    private void freeBlock(CacheEntry e) throws IOException {
        channel.writeFully(CacheFileFormat.freePrefix(e.blockLength), e.offset);
        free.release(e.offset, e.blockLength);
    }

    @FunctionalInterface
    private interface Mutation {
        void run() throws IOException;
    }

    private void mutate(String what, Mutation m) {
        Lock w = rw.writeLock();
        w.lock();
        try {
            checkOpen();
            if (failed) {
                return;
            }
            m.run();
        } catch (IOException e) {
            fail(what, e);
        } finally {
            w.unlock();
        }
    }

    /** Memory and file may disagree now: stop using both, and keep the file from being trusted again. */
    private void fail(String what, IOException e) {
        failed = true;
        index.clear();
        policy.clear();
        free.clear();
        Path bad = sibling(file, ".bad");
        LOG.warn("client cache {}: I/O error while {}: {}; the cache is disabled until reopened and the file moved"
                + " to {}", file, what, e.toString(), bad);
        try {
            channel.close();
            if (temporary) {
                Files.deleteIfExists(file);
            } else {
                Files.move(file, bad, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException ex) {
            LOG.warn("client cache {}: could not move the file aside: {}", file, ex.toString());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("client cache " + file + " is closed");
        }
    }

    // ---- information and closing -----------------------------------------------------------------------------

    @Override
    public int entryCount() {
        Lock r = rw.readLock();
        r.lock();
        try {
            return index.size();
        } finally {
            r.unlock();
        }
    }

    @Override
    public CacheStats stats() {
        Lock r = rw.readLock();
        r.lock();
        try {
            return new CacheStats(hits.sum(), misses.sum(), stores.sum(), invalidations.sum(), evictions.sum(),
                    policy.usedBytes(), maxBytes);
        } finally {
            r.unlock();
        }
    }

    /** What opening found: a new file, a reused one, or a discarded one and why. */
    public OpenReport openReport() {
        return openReport;
    }

    /** The cache file (for a temporary cache, a file that disappears at close). */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        Lock w = rw.writeLock();
        w.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!failed) {
                closeFile();
            }
        } finally {
            w.unlock();
            if (lock != null) {
                try {
                    lock.release();
                } catch (IOException e) {
                    LOG.debug("releasing the lock of {}: {}", file, e.toString());
                }
            }
            closeQuietly(lockChannel);
        }
    }

    private void closeFile() {
        try {
            if (temporary) {
                channel.close();
                Files.deleteIfExists(file);
                return;
            }
            channel.force();
            writeHeader(false);
            channel.force();
            channel.close();
        } catch (IOException e) {
            LOG.warn("client cache {}: closing failed ({}); the file will be checked at the next open", file,
                    e.toString());
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a lock file: {}", e.toString());
            }
        }
    }
}
