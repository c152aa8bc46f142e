package org.jzeo.server.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.jzeo.server.storage.DirectorySync;
import org.jzeo.server.storage.LockWaitSource;
import org.jzeo.server.storage.OidAllocator;
import org.jzeo.server.storage.PackProgress;
import org.jzeo.server.storage.PackProgressSource;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.blob.BlobDirectory;
import org.jzeo.server.storage.blob.BlobLinks;
import org.jzeo.server.storage.commit.CommitSequencer;
import org.jzeo.server.storage.commit.CommitTarget;
import org.jzeo.server.storage.commit.ObjectLocks;
import org.jzeo.server.storage.commit.PreparedRecord;
import org.jzeo.server.storage.commit.PreparedTransaction;
import org.jzeo.server.storage.commit.RecordSource;
import org.jzeo.server.storage.commit.StagedTransaction;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZODB's FileStorage: a {@link Storage} on one Data.fs file, byte-compatible with Python's.
 *
 * <p>Guarantees: a transaction is durable when {@code finish} returns (written as 'c', synced, finished, synced
 * again: see {@link #sync}; fsync can be turned off for tests);
 * readers never see a transaction before it is durable, and see all of it at once; at open, an incomplete last
 * transaction is cut away (and saved in {@code Data.fs.tr<N>}) while any damage in the committed part stops
 * the open with an error naming the offset; only one process at a time opens the file for writing.
 *
 * <p>Reads are positional and run in parallel. Commits go through the {@link CommitSequencer}, the single
 * writer. Pack replaces the file under a write lock that readers take for reading ({@link #read}).
 *
 * <p>With a blob directory ({@link FileStorageOptions#blobDir()}, laid out as Python's FileStorage lays it out:
 * {@link BlobDirectory}), a blob revision's bytes live in {@code <oid folder>/<tid>.blob}: the upload is forced at
 * vote, linked under its final name once the tid is known, and its folder synced before the Data.fs transaction is
 * made durable, so an acknowledged blob commit always has its file.
 */
public final class FileStorage implements Storage, CommitTarget<FileStorage.Appended>, PackProgressSource,
        LockWaitSource {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private final Path path;
    private final FileStorageOptions options;
    private final ReferenceFinder referenceFinder;
    private final DataFileLock lock;
    /** The blob directory, or null for a storage without blobs. */
    private final BlobDirectory blobs;
    private final ObjectLocks objectLocks;
    private final CommitSequencer<Appended> sequencer;
    /** Readers hold it shared; pack's swap of file and index holds it exclusively. */
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();

    private volatile DataFile file;
    private volatile OidIndex index;
    /** End of the last published transaction: what readers may see. */
    private volatile long publishedEnd;
    private volatile Tid lastTid;
    /** End and tid of the last appended transaction; only the sequencer's append step touches them. */
    private long appendEnd;
    private Tid lastAppendedTid;
    private OidAllocator oidAllocator;
    private volatile boolean packing;
    /** Published by the packer as it goes; null when no pack runs. */
    private volatile PackProgress packProgress;
    private volatile boolean closed;
    private boolean openedWithIndexFile;

    /** Where a transaction record's status byte is: after its tid and its length. */
    private static final int STATUS_OFFSET = 16;

    /** A transaction appended with status 'c', and the status it gets once its bytes are durable. */
    private record Unfinished(long position, byte status) {
    }

    /** Records read by loadBefore, by position in {@link #file}: cleared when a pack swaps the file. */
    private final RecordCache records;

    /** Appended transactions still marked 'c', in append order; the next sync finishes them. */
    private final List<Unfinished> unfinished = new ArrayList<>();
    /** Blob folders whose entries the unfinished transactions changed; the next sync syncs them first. */
    private final java.util.Set<Path> unsyncedBlobFolders = new java.util.LinkedHashSet<>();

    /** A transaction written to the file, waiting to be published. */
    public record Appended(Tid tid, long end, long[] oids, long[] positions) {
    }

    private FileStorage(Path path, FileStorageOptions options, ReferenceFinder referenceFinder, DataFileLock lock,
                        DataFile file, BlobDirectory blobs) {
        this.path = path;
        this.blobs = blobs;
        this.options = options;
        this.referenceFinder = referenceFinder;
        this.lock = lock;
        this.file = file;
        this.objectLocks = new ObjectLocks(options.lockWait());
        this.sequencer = new CommitSequencer<>(this, options.clock());
        this.records = new RecordCache(options.recordCacheBytes());
    }

    /**
     * Opens (creating it when writable and missing) the Data.fs at {@code path}. Its folder is created only when
     * {@link FileStorageOptions#createMissingFolders()} allows it.
     *
     * @throws StorageLockedException  another process has it open for writing
     * @throws StorageFormatException  it is not a Data.fs, or its committed part is damaged
     * @throws MissingFolderException  writable, its folder does not exist, and creating folders is not allowed
     */
    public static FileStorage open(Path path, FileStorageOptions options, ReferenceFinder referenceFinder) {
        Path absolute = path.toAbsolutePath();
        DataFileLock lock = null;
        FileChannel channel = null;
        try {
            if (!options.readOnly()) {
                Path folder = absolute.getParent();
                if (!Files.isDirectory(folder)) {
                    if (!options.createMissingFolders()) {
                        throw new MissingFolderException(folder, absolute);
                    }
                    DirectorySync.createDirectories(folder);
                }
                lock = DataFileLock.acquire(absolute.resolveSibling(absolute.getFileName() + ".lock"));
                channel = FileChannel.open(absolute, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE);
            } else {
                if (!Files.exists(absolute)) {
                    throw new StorageException(absolute + " does not exist (and a read-only storage cannot create it)");
                }
                channel = FileChannel.open(absolute, StandardOpenOption.READ);
            }
            DataFile dataFile = new DataFile(absolute, channel);
            checkMagic(dataFile, options.readOnly());
            BlobDirectory blobs = options.blobDir() == null ? null
                    : BlobDirectory.open(options.blobDir(), options.readOnly(), options.fsync());
            FileStorage storage = new FileStorage(absolute, options, referenceFinder, lock, dataFile, blobs);
            storage.loadIndex();
            return storage;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            if (lock != null) {
                lock.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("opening " + absolute + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    private static void checkMagic(DataFile dataFile, boolean readOnly) throws IOException {
        long size = dataFile.size();
        if (size == 0 && !readOnly) {
            dataFile.channel().write(ByteBuffer.wrap(FileFormat.MAGIC), 0);
            dataFile.channel().force(true);
            // The file's directory entry is new too: without this a power loss could take the whole file away.
            DirectorySync.sync(dataFile.path().getParent());
            LOG.info("{}: created a new FileStorage", dataFile.path());
            return;
        }
        if (size < FileFormat.MAGIC_LENGTH) {
            throw dataFile.corrupt(0, "file of " + size + " bytes is too short for the FileStorage magic");
        }
        byte[] magic = new byte[FileFormat.MAGIC_LENGTH];
        dataFile.read(0, FileFormat.MAGIC_LENGTH).get(magic);
        if (Arrays.equals(magic, FileFormat.MAGIC)) {
            return;
        }
        if (Arrays.equals(magic, FileFormat.MAGIC_PY2)) {
            if (!readOnly) {
                throw dataFile.corrupt(0, "FS21 (Python 2) files can only be opened read-only; convert with"
                        + " zodbupdate --convert-py3 first");
            }
            return;
        }
        throw dataFile.corrupt(0, "not a FileStorage file (magic " + Arrays.toString(magic) + ")");
    }

    private void loadIndex() throws IOException {
        long started = System.nanoTime();
        OidIndex loaded = new OidIndex();
        Path indexPath = IndexFile.pathFor(path);
        IndexFile.Header header = IndexFile.load(indexPath, loaded);
        long scanFrom = FileFormat.MAGIC_LENGTH;
        Tid scanAfter = Tid.ZERO;
        if (header != null && IndexFile.matches(header, file, loaded)) {
            scanFrom = header.end();
            scanAfter = header.lastTid();
        } else {
            if (header != null || Files.exists(indexPath)) {
                LOG.warn("{}: index file {} does not match the data file; rebuilding the index", path, indexPath);
            }
            loaded = new OidIndex();
        }
        FileScanner.Result result = new FileScanner(file, loaded, !options.readOnly()).scan(scanFrom, scanAfter);
        index = loaded;
        openedWithIndexFile = scanFrom > FileFormat.MAGIC_LENGTH;
        publishedEnd = result.end();
        appendEnd = result.end();
        lastTid = result.lastTid();
        lastAppendedTid = result.lastTid();
        oidAllocator = new OidAllocator(loaded.isEmpty() ? 0 : loaded.maxOid());
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("{}: opened{} in {} ms: {} objects, {} bytes, last transaction {}{}", path,
                options.readOnly() ? " read-only" : "", millis, loaded.size(), result.end(), lastTid,
                scanFrom > FileFormat.MAGIC_LENGTH ? " (index file used, scanned " + result.transactions()
                        + " newer transactions)" : " (index rebuilt by a full scan)");
        if (lastTid.isAfter(Tid.fromInstant(options.clock().instant()))) {
            LOG.warn("{}: the last transaction {} is in the future; new tids will follow it", path, lastTid);
        }
    }

    // ----- reads -------------------------------------------------------------------------------------------

    /** Runs a read with the current file and index; pack cannot swap them meanwhile. */
    private <T> T read(Function<DataFile, T> op) {
        swapLock.readLock().lock();
        try {
            checkOpen();
            return op.apply(file);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    private long currentPosition(Oid oid) {
        long pos = index.get(oid.value());
        if (pos == OidIndex.ABSENT) {
            throw new POSKeyException(oid);
        }
        return pos;
    }

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public boolean isReadOnly() {
        return options.readOnly();
    }

    public Path path() {
        return path;
    }

    @Override
    public Tid lastTransaction() {
        return lastTid;
    }

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        // publish() updates the index before lastTid: everything up to `visible` is indexed, and a revision
        // above it is not committed as far as readers are concerned yet, so it is skipped like a later one.
        Tid visible = lastTid;
        return read(f -> {
            long pos = currentPosition(oid);
            DataFile.Loaded first = records.get(pos, f::load);
            DataHeader h = first.header();
            byte[] data = first.data();
            Tid end = null;
            while (!h.tid().isBefore(before) || h.tid().isAfter(visible)) {
                if (!h.tid().isAfter(visible)) {
                    end = h.tid();
                }
                if (h.prev() == 0) {
                    return null;
                }
                if (h.prev() >= h.pos()) {
                    throw f.corrupt(h.pos() + 16, "prev pointer " + h.prev() + " does not point backwards");
                }
                h = f.readDataHeader(h.prev());
                data = null;
            }
            if (data == null) {
                data = f.data(h);
            }
            if (data == null) {
                throw new POSKeyException(oid, "oid " + oid + " has no data in revision " + h.tid()
                        + " (deleted or creation undone)");
            }
            return new LoadResult(data, h.tid(), end);
        });
    }

    /** From memory when the current revision is cached and answers: it is visible and older than {@code before}. */
    @Override
    public boolean loadsFromMemory(Oid oid, Tid before) {
        long pos = index.get(oid.value());
        if (pos == OidIndex.ABSENT) {
            return true; // a POSKeyError, without reading anything
        }
        DataFile.Loaded cached = records.peek(pos);
        return cached != null && cached.header().tid().isBefore(before) && !cached.header().tid().isAfter(lastTid);
    }

    @Override
    public byte[] loadSerial(Oid oid, Tid serial) {
        return read(f -> {
            DataHeader h = f.findRevision(currentPosition(oid), serial);
            byte[] data = h == null ? null : f.data(h);
            if (data == null) {
                throw new POSKeyException(oid, "oid " + oid + " has no revision " + serial);
            }
            return data;
        });
    }

    @Override
    public boolean supportsBlobs() {
        return blobs != null;
    }

    /** The file of exactly revision {@code serial}; as in ZODB, a revision has a blob when its file exists. */
    @Override
    public Path loadBlob(Oid oid, Tid serial) {
        checkOpen();
        Path file = blobDirectory().file(oid, serial);
        if (!Files.isRegularFile(file)) {
            throw new POSKeyException(oid, "oid " + oid + " has no blob file for revision " + serial + " (" + file
                    + ")");
        }
        return file;
    }

    @Override
    public Path blobTemporaryDirectory() {
        return blobDirectory().temporaryDirectory();
    }

    @Override
    public Path blobFolder(Oid oid) {
        return blobDirectory().oidFolder(oid);
    }

    private BlobDirectory blobDirectory() {
        if (blobs == null) {
            throw Storage.noBlobs(this);
        }
        return blobs;
    }

    /** The blob directory, or null (for pack). */
    BlobDirectory blobs() {
        return blobs;
    }

    @Override
    public List<HistoryEntry> history(Oid oid, int size) {
        return read(f -> {
            List<HistoryEntry> entries = new ArrayList<>();
            long pos = currentPosition(oid);
            while (pos != 0 && entries.size() < Math.max(size, 1)) {
                DataHeader h = f.readDataHeader(pos);
                TransactionHeader txn = f.readTransactionHeader(h.tloc());
                entries.add(new HistoryEntry(h.tid(), h.tid().toEpochSeconds(), txn.user(), txn.description(),
                        h.plen(), ExtensionCodec.decode(txn)));
                pos = h.prev();
            }
            return entries;
        });
    }

    @Override
    public List<Oid> newOids(int count) {
        if (options.readOnly()) {
            throw new ReadOnlyException(name() + " is read-only");
        }
        return oidAllocator.allocate(count);
    }

    @Override
    public StorageIterator iterator(Tid start, Tid stop) {
        DataFile f = read(x -> x);
        return new FileTransactionIterator(f, publishedEnd, start, stop);
    }

    @Override
    public CurrentRecord recordIterNext(Oid next) {
        return read(f -> {
            OidIndex ix = index;
            OidIndex.Entry entry = ix.ceiling(next == null ? 0 : next.value());
            DataFile.Loaded loaded = null;
            while (entry != null && (loaded = f.load(entry.position())).data() == null) {
                entry = after(ix, entry);
            }
            if (entry == null) {
                return null;
            }
            // The next oid handed out must be loadable too, so skip objects without data here as well.
            OidIndex.Entry following = after(ix, entry);
            while (following != null && f.load(following.position()).data() == null) {
                following = after(ix, following);
            }
            return new CurrentRecord(Oid.of(entry.oid()), loaded.header().tid(), loaded.data(),
                    following == null ? null : Oid.of(following.oid()));
        });
    }

    private static OidIndex.Entry after(OidIndex ix, OidIndex.Entry entry) {
        return entry.oid() == -1L ? null : ix.ceiling(entry.oid() + 1);
    }

    @Override
    public boolean supportsUndo() {
        return true;
    }

    @Override
    public List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter) {
        if (packing) {
            throw new UndoException("Undo is currently disabled for database maintenance.<p>", null);
        }
        return read(f -> new UndoPlanner(f, index, publishedEnd).undoInfo(first, last, filter));
    }

    @Override
    public List<Invalidation> lastInvalidations(int count) {
        return read(f -> {
            long end = publishedEnd;
            long pos = new TransactionWalker(f, end).positionBack(count);
            List<Invalidation> result = new ArrayList<>();
            UndoPlanner planner = new UndoPlanner(f, index, end);
            while (pos < end) {
                TransactionHeader h = f.readTransactionHeader(pos);
                if (h.status() != FileFormat.STATUS_UNDONE) {
                    result.add(new Invalidation(h.tid(), planner.oidsOf(h)));
                }
                pos = h.end();
            }
            return result;
        });
    }

    @Override
    public void setCommitListener(org.jzeo.storage.CommitListener listener) {
        sequencer.setListener(listener);
    }

    @Override
    public long size() {
        return publishedEnd;
    }

    @Override
    public long length() {
        return index.size();
    }

    /** Object-lock acquisitions that had to wait for another transaction since the storage was opened. */
    @Override
    public long lockWaits() {
        return objectLocks.waitCount();
    }

    // ----- commit ------------------------------------------------------------------------------------------

    @Override
    public StorageTransaction begin(TransactionMetadata metadata) {
        checkOpen();
        if (options.readOnly()) {
            throw new ReadOnlyException(name() + " is read-only");
        }
        return new StagedTransaction<>(metadata, this, sequencer, objectLocks, false);
    }

    @Override
    public Tid currentSerial(Oid oid) {
        return read(f -> {
            long pos = index.get(oid.value());
            return pos == OidIndex.ABSENT ? null : f.readDataHeader(pos).tid();
        });
    }

    @Override
    public List<Oid> undoableOids(Tid tid) {
        if (packing) {
            throw new UndoException("Undo is currently disabled for database maintenance.<p>", null);
        }
        return read(f -> {
            UndoPlanner planner = new UndoPlanner(f, index, publishedEnd);
            return planner.oidsOf(planner.undoable(tid));
        });
    }

    @Override
    public List<PreparedRecord> planUndo(Tid tid, java.util.Map<Oid, PreparedRecord> pending) {
        List<PreparedRecord> planned = read(f -> {
            UndoPlanner planner = new UndoPlanner(f, index, publishedEnd);
            return planner.plan(planner.undoable(tid), pending);
        });
        return blobs == null ? planned : planned.stream().map(this::withRestoredBlob).toList();
    }

    /**
     * An undo record that restores a revision with a blob gets that blob: undo writes a back pointer, yet the new
     * revision needs its own file, as ZODB's undo copies it (here it is linked at finish).
     */
    private PreparedRecord withRestoredBlob(PreparedRecord record) {
        if (record.source() instanceof RecordSource.SameAs same) {
            Path restored = blobs.file(record.oid(), same.dataTxn());
            if (Files.isRegularFile(restored)) {
                return record.withBlob(restored);
            }
        }
        return record;
    }

    @Override
    public boolean keepsBlobs() {
        return blobs != null;
    }

    @Override
    public void blobsVoted(PreparedTransaction txn) throws IOException {
        for (PreparedRecord r : txn.records()) {
            if (r.blob() != null) {
                blobDirectory().makeDurable(r.blob());
            }
        }
    }

    @Override
    public RecordSource restoreSource(Oid oid, Tid prevTxn) {
        return read(f -> {
            TransactionHeader txn = new TransactionWalker(f, publishedEnd).find(prevTxn);
            DataHeader record = txn == null ? null : f.findInTransaction(txn, oid);
            if (record == null) {
                throw new POSKeyException(oid, "no record of oid " + oid + " in transaction " + prevTxn);
            }
            return new RecordSource.SameAs(prevTxn, record.pos());
        });
    }

    @Override
    public Appended append(PreparedTransaction txn, Tid tid) throws IOException {
        checkOpen();
        long tpos = appendEnd;
        OidIndex ix = index;
        TransactionEncoder.Encoded encoded = TransactionEncoder.encode(txn, tid, tpos, ix::get, this::backPointer);
        BlobLinks links = linkBlobs(txn, tid);
        ByteBuffer bytes = encoded.bytes();
        byte status = bytes.get(STATUS_OFFSET);
        bytes.put(STATUS_OFFSET, FileFormat.STATUS_CHECKPOINT);
        FileChannel channel = file.channel();
        try {
            long at = tpos;
            while (bytes.hasRemaining()) {
                at += channel.write(bytes, at);
            }
        } catch (IOException e) {
            try {
                channel.truncate(tpos);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (links != null) {
                links.removeAll();
            }
            throw e;
        }
        synchronized (unfinished) {
            unfinished.add(new Unfinished(tpos, status));
            if (links != null) {
                unsyncedBlobFolders.addAll(links.foldersToSync());
            }
        }
        appendEnd = encoded.end();
        lastAppendedTid = tid;
        return new Appended(tid, encoded.end(), encoded.oids(), encoded.positions());
    }

    /**
     * Gives each blob revision of {@code txn} its committed file, now that its tid is known; null when it has none.
     * On failure the files made are removed again and Data.fs is not touched. The files become durable with the
     * transaction ({@link #sync}); a later failure of that sync leaves them, since the transaction may be durable.
     */
    private BlobLinks linkBlobs(PreparedTransaction txn, Tid tid) throws IOException {
        BlobLinks links = null;
        try {
            for (PreparedRecord r : txn.records()) {
                if (r.blob() != null) {
                    if (links == null) {
                        links = blobDirectory().newLinks();
                    }
                    links.add(r.oid(), tid, r.blob());
                }
            }
            return links;
        } catch (IOException | RuntimeException e) {
            if (links != null) {
                links.removeAll();
            }
            throw e;
        }
    }

    /**
     * The position of the revision a back pointer refers to. Normally the one found at vote; if a pack swapped
     * the file since, the same revision (same oid and tid) is looked up again in the new file.
     */
    private long backPointer(Oid oid, RecordSource.SameAs source) {
        DataFile f = file;
        if (source.position() > 0) {
            try {
                DataHeader h = f.readDataHeader(source.position());
                if (h.oid().equals(oid) && h.tid().equals(source.dataTxn())) {
                    return source.position();
                }
            } catch (RuntimeException e) {
                LOG.debug("back pointer {} no longer valid after pack", source.position(), e);
            }
        }
        long current = index.get(oid.value());
        DataHeader h = current == OidIndex.ABSENT ? null : f.findRevision(current, source.dataTxn());
        if (h == null) {
            throw new StorageException("revision " + source.dataTxn() + " of oid " + oid
                    + ", which this transaction's undo or restore refers to, was removed by a pack");
        }
        return h.pos();
    }

    /**
     * Two syncs, as the status byte needs: the transactions, still marked 'c', reach the disk whole; only then
     * their real status is written and synced. A power loss can tear unsynced writes anywhere (a transaction's
     * header and length on disk, pages in between not), so a transaction that reads as finished must be one
     * whose bytes were all durable before; one still 'c' at open was never acknowledged and is cut away.
     * Appends of the next transactions go on meanwhile; they are finished by the next sync.
     */
    @Override
    public void sync() throws IOException {
        List<Unfinished> batch;
        List<Path> blobFolders;
        synchronized (unfinished) {
            batch = new ArrayList<>(unfinished);
            unfinished.clear();
            blobFolders = new ArrayList<>(unsyncedBlobFolders);
            unsyncedBlobFolders.clear();
        }
        FileChannel channel = file.channel();
        if (options.fsync()) {
            // The blob files' names before the transactions that refer to them: their contents were forced at vote.
            for (Path folder : blobFolders) {
                DirectorySync.sync(folder);
            }
            channel.force(false);
        }
        for (Unfinished u : batch) {
            channel.write(ByteBuffer.wrap(new byte[] {u.status()}), u.position() + STATUS_OFFSET);
        }
        if (options.fsync()) {
            channel.force(false);
        }
    }

    @Override
    public void publish(Appended appended) {
        index.putAll(appended.oids(), appended.positions(), appended.oids().length);
        for (long oid : appended.oids()) {
            oidAllocator.observe(oid);
        }
        publishedEnd = appended.end();
        lastTid = appended.tid();
    }

    @Override
    public Tid lastAppendedTid() {
        return lastAppendedTid;
    }

    // ----- pack --------------------------------------------------------------------------------------------

    @Override
    public void pack(Tid packTime, boolean gc) {
        checkOpen();
        if (options.readOnly()) {
            throw new ReadOnlyException(name() + " is read-only");
        }
        synchronized (this) {
            if (packing) {
                throw new StorageException("Already packing");
            }
            packing = true;
        }
        try {
            new FileStoragePacker(this, packTime, gc).pack();
        } finally {
            packProgress = null;
            packing = false;
        }
    }

    /** Whether the last open read the saved index file instead of scanning the whole Data.fs. */
    boolean openedWithIndexFile() {
        return openedWithIndexFile;
    }

    @Override
    public Optional<PackProgress> packProgress() {
        return Optional.ofNullable(packProgress);
    }

    void publishPackProgress(PackProgress progress) {
        packProgress = progress;
    }

    /** What the packer may see and do; kept narrow so pack cannot reach the commit internals. */
    DataFile currentFile() {
        return file;
    }

    OidIndex index() {
        return index;
    }

    long publishedEnd() {
        return publishedEnd;
    }

    ReferenceFinder referenceFinder() {
        return referenceFinder;
    }

    FileStorageOptions options() {
        return options;
    }

    /** Runs {@code action} with commits stopped and the tail published (for pack's final copy and swap). */
    <T> T withCommitsStopped(java.util.function.Supplier<T> action) {
        return sequencer.runWithAppendsStopped(action);
    }

    /**
     * Replaces the data file and index by the packed ones. Called with commits stopped; takes the swap lock so
     * no reader is between an index lookup and the positional read that follows it.
     */
    void swapIn(DataFile packed, OidIndex packedIndex, long end) {
        swapLock.writeLock().lock();
        try {
            closeQuietly(file.channel());
            file = packed;
            records.clear();
            index = packedIndex;
            publishedEnd = end;
            appendEnd = end;
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    // ----- lifecycle ---------------------------------------------------------------------------------------

    /** Writes the index snapshot now (it is also written at close). */
    public void saveIndex() {
        if (options.readOnly()) {
            return;
        }
        withCommitsStopped(() -> {
            try {
                IndexFile.save(IndexFile.pathFor(path), index, publishedEnd, lastTid);
            } catch (IOException e) {
                throw new UncheckedIOException("saving the index of " + path, e);
            }
            return null;
        });
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (!options.readOnly()) {
                try {
                    saveIndex();
                } catch (RuntimeException e) {
                    LOG.warn("{}: could not save the index at close; it will be rebuilt at the next open", path, e);
                }
            }
        } finally {
            closed = true;
            swapLock.writeLock().lock();
            try {
                closeQuietly(file.channel());
            } finally {
                swapLock.writeLock().unlock();
            }
            if (lock != null) {
                lock.close();
            }
            LOG.info("{}: closed at offset {}, last transaction {}", path, publishedEnd, lastTid);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("storage " + name() + " (" + path + ") is closed");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a channel", e);
            }
        }
    }
}
