package org.jzeo.server.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.CrashPoints;
import org.jzeo.server.storage.DirectorySync;
import org.jzeo.server.storage.PackProgress;
import org.jzeo.server.storage.PackProgress.Phase;
import org.jzeo.server.storage.blob.BlobDirectory;
import org.jzeo.server.storage.blob.PackedBlobRemoval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs a FileStorage (spec §9): keeps, of everything up to the pack time, only the revisions current at that
 * time (with gc, only those reachable from the root), marks them packed ('p'), copies every later transaction
 * unchanged, then swaps the new file in.
 *
 * <p>Commits go on during the pack: the packer copies what was committed meanwhile, and stops commits only for
 * the last few transactions and the swap. The swap never leaves a moment without a {@code Data.fs}: the old
 * file is hard-linked to {@code Data.fs.old} and the packed file renamed over {@code Data.fs} in one atomic
 * step, so a crash at any point leaves either the old or the new file in place, both complete.
 *
 * <p>With gc, a record whose references cannot be read stops the pack: dropping a reachable object is the one
 * mistake a pack cannot undo.
 *
 * <p>With a blob directory, the blob files of the revisions the pack removed are removed (or moved to {@code
 * <blob-dir>.old}) only after the swap is durable: a crash before leaves them for the old file, a crash during
 * leaves garbage, never a kept revision without its file.
 *
 * <p>As it goes it publishes its {@link PackProgress} through the storage, for the admin tools, and logs every
 * tenth of each phase.
 */
final class FileStoragePacker {
    private static final Logger LOG = LoggerFactory.getLogger(FileStoragePacker.class);
    /** Copy the tail outside the commit stop until less than this is left. */
    private static final long TAIL_COPY_THRESHOLD = 1 << 20;

    private final FileStorage storage;
    private final DataFile in;
    private final Tid packTime;
    private final boolean gc;
    private final Path packPath;

    /** oid → position of its revision current at the pack time (deleted objects are absent). */
    private final Map<Long, Long> currentAtPack = new HashMap<>();
    /** Positions of the revisions before the pack position that are kept. */
    private final Set<Long> keep = new HashSet<>();
    private final Set<Long> reachableOids = new HashSet<>();
    /** Old record position → new record position, for re-targeting back pointers. */
    private final Map<Long, Long> moved = new HashMap<>();
    private final OidIndex newIndex = new OidIndex();
    /** A revision, by oid and tid (blob files are named by them). */
    private record Revision(long oid, long tid) {
    }

    /** With blobs: the revisions before the pack position that the new file drops, and those it keeps. */
    private final java.util.Collection<Revision> removedRevisions = new ArrayList<>();
    private final java.util.Collection<Revision> keptRevisions = new HashSet<>();
    private long packPos;
    private final Instant started = Instant.now();
    private Phase loggedPhase;
    private long loggedPercent;

    FileStoragePacker(FileStorage storage, Tid packTime, boolean gc) {
        this.storage = storage;
        this.in = storage.currentFile();
        this.packTime = packTime;
        this.gc = gc;
        Path dataPath = storage.path();
        this.packPath = dataPath.resolveSibling(dataPath.getFileName() + ".pack");
    }

    void pack() {
        if (packTime.equals(Tid.ZERO)) {
            throw new StorageException("cannot pack at time zero");
        }
        long started = System.nanoTime();
        long eof = storage.publishedEnd();
        if (eof <= FileFormat.MAGIC_LENGTH) {
            LOG.info("{}: pack: the storage is empty, nothing to do", storage.path());
            return;
        }
        LOG.info("{}: pack started: pack time {} ({}), gc {}", storage.path(), packTime, packTime.toInstant(),
                gc ? "on" : "off");
        if (!analyse(eof)) {
            LOG.info("{}: pack: already packed at {}, nothing to do", storage.path(), packTime);
            return;
        }
        try {
            Files.deleteIfExists(packPath);
            try (FileChannel out = FileChannel.open(packPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                PackWriter writer = new PackWriter(out);
                writer.write(ByteBuffer.wrap(FileFormat.MAGIC));
                copyKept(writer);
                if (writer.position() == packPos) {
                    LOG.info("{}: pack: nothing to remove before {}, nothing to do", storage.path(), packTime);
                    out.close();
                    Files.deleteIfExists(packPath);
                    return;
                }
                long copiedTo = copyTail(writer, packPos, eof, Phase.COPYING_NEW);
                // Catch up with commits made meanwhile without stopping them, then stop them for the rest.
                long end = storage.publishedEnd();
                while (end - copiedTo > TAIL_COPY_THRESHOLD) {
                    copiedTo = copyTail(writer, copiedTo, end, Phase.COPYING_NEW);
                    end = storage.publishedEnd();
                }
                final long resumeAt = copiedTo;
                storage.withCommitsStopped(() -> {
                    try {
                        long finalEnd = copyTail(writer, resumeAt, storage.publishedEnd(), Phase.SWAPPING);
                        swap(out, writer.position(), finalEnd);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                });
            }
        } catch (IOException e) {
            cleanUpAfterFailure();
            throw new UncheckedIOException("pack of " + storage.path() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanUpAfterFailure();
            throw e;
        }
        if (storage.blobs() != null) {
            removeBlobFiles(storage.blobs());
        }
        LOG.info("{}: pack finished in {} ms: {} objects kept, file now {} bytes", storage.path(),
                (System.nanoTime() - started) / 1_000_000, newIndex.size(), storage.size());
    }

    // ----- phase 1: what to keep -------------------------------------------------------------------------

    /** Returns false when there is nothing to do (already packed at or after the pack time). */
    private boolean analyse(long eof) {
        long pos = FileFormat.MAGIC_LENGTH;
        boolean allPacked = true;
        Tid last = Tid.ZERO;
        while (pos < eof) {
            TransactionHeader h = in.readTransactionHeader(pos);
            if (h.tid().isAfter(packTime)) {
                break;
            }
            checkTransaction(h, last);
            last = h.tid();
            allPacked &= h.status() == FileFormat.STATUS_PACKED;
            if (h.status() != FileFormat.STATUS_UNDONE) {
                forEachRecord(h, d -> {
                    if (d.hasInlineData() || in.readBackPointer(d) != 0) {
                        currentAtPack.put(d.oid().value(), d.pos());
                    } else {
                        currentAtPack.remove(d.oid().value());
                    }
                });
            }
            pos = h.end();
            progress(Phase.ANALYSING, pos, eof);
        }
        packPos = pos;
        if (allPacked && (pos >= eof || in.readTransactionHeader(pos).status() == FileFormat.STATUS_PACKED)) {
            return false;
        }
        if (gc) {
            markReachableAtPackTime();
            markReachableFromFuture(eof);
        } else {
            keep.addAll(currentAtPack.values());
        }
        return true;
    }

    private void checkTransaction(TransactionHeader h, Tid last) {
        if (!h.tid().isAfter(last)) {
            throw in.corrupt(h.pos(), "pack: time-stamp reduction (tid " + h.tid() + " after " + last + ")");
        }
        if (h.status() == FileFormat.STATUS_CHECKPOINT) {
            throw in.corrupt(h.pos(), "pack: unfinished ('c') transaction before the end of the file");
        }
    }

    private void markReachableAtPackTime() {
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(0L);
        while (!todo.isEmpty()) {
            long oid = todo.pop();
            if (!reachableOids.add(oid)) {
                continue;
            }
            progress(Phase.FINDING_REACHABLE, reachableOids.size(), currentAtPack.size());
            Long pos = currentAtPack.get(oid);
            if (pos == null) {
                if (oid == 0L && currentAtPack.isEmpty()) {
                    continue;
                }
                throw new StorageException("pack: oid " + Oid.of(oid) + " is referenced but has no current"
                        + " revision at the pack time (deleted or missing); pack stopped, nothing changed");
            }
            keep.add(pos);
            addReferences(pos, todo);
        }
    }

    private void markReachableFromFuture(long eof) {
        List<Long> extraRoots = new ArrayList<>();
        long pos = packPos;
        while (pos < eof) {
            TransactionHeader h = in.readTransactionHeader(pos);
            forEachRecord(h, d -> {
                if (!d.hasInlineData()) {
                    long back = in.readBackPointer(d);
                    if (back != 0 && back < packPos && keep.add(back)) {
                        reachableOids.add(d.oid().value());
                        extraRoots.add(back);
                    }
                }
            });
            pos = h.end();
        }
        Deque<Long> todo = new ArrayDeque<>();
        for (long root : extraRoots) {
            addReferences(root, todo);
        }
        while (!todo.isEmpty()) {
            long oid = todo.pop();
            if (!reachableOids.add(oid)) {
                continue;
            }
            progress(Phase.FINDING_REACHABLE, reachableOids.size(), currentAtPack.size());
            Long p = currentAtPack.get(oid);
            if (p != null) {
                keep.add(p);
                addReferences(p, todo);
            }
        }
    }

    private void addReferences(long pos, Deque<Long> todo) {
        DataHeader d = in.readDataHeader(pos);
        byte[] data = in.data(d);
        if (data == null) {
            return;
        }
        List<Oid> refs;
        try {
            refs = storage.referenceFinder().references(d.oid(), data);
        } catch (RuntimeException e) {
            throw new StorageException("pack stopped, nothing changed: cannot read the references of oid "
                    + d.oid() + " in its record at offset " + pos + ": " + e.getMessage(), e);
        }
        for (Oid ref : refs) {
            if (!reachableOids.contains(ref.value())) {
                todo.push(ref.value());
            }
        }
    }

    // ----- phase 2: copy ---------------------------------------------------------------------------------

    private void copyKept(PackWriter out) throws IOException {
        long pos = FileFormat.MAGIC_LENGTH;
        while (pos < packPos) {
            TransactionHeader h = in.readTransactionHeader(pos);
            List<DataHeader> keptRecords = new ArrayList<>();
            boolean blobs = storage.blobs() != null;
            forEachRecord(h, d -> {
                boolean kept = keep.contains(d.pos());
                if (kept) {
                    keptRecords.add(d);
                }
                if (blobs) {
                    (kept ? keptRevisions : removedRevisions).add(new Revision(d.oid().value(), h.tid().value()));
                }
            });
            if (!keptRecords.isEmpty()) {
                writeTransaction(out, h, FileFormat.STATUS_PACKED, keptRecords, true);
            }
            pos = h.end();
            progress(Phase.COPYING, pos, packPos);
        }
    }

    /**
     * Copies whole transactions from {@code from} to {@code to}; returns {@code to}. Progress counts the bytes
     * after the pack position, of which there are more as commits go on.
     */
    private long copyTail(PackWriter out, long from, long to, Phase phase) throws IOException {
        DataFile source = storage.currentFile();
        long pos = from;
        progress(phase, pos - packPos, to - packPos);
        while (pos < to) {
            TransactionHeader h = source.readTransactionHeader(pos);
            List<DataHeader> records = new ArrayList<>();
            forEachRecord(source, h, records::add);
            writeTransaction(out, h, h.status(), records, false);
            pos = h.end();
            progress(phase, pos - packPos, to - packPos);
        }
        return pos;
    }

    /** What follows a record's header in the new file: inline data, a back pointer, or nothing. */
    private record Body(byte[] data, long backPointer) {
        static final Body NONE = new Body(null, 0);

        long plen() {
            return data == null ? 0 : data.length;
        }

        int length() {
            return data == null ? 8 : data.length;
        }
    }

    /**
     * Writes one transaction. Packed records ({@code packed}) get prev 0 and inline data; tail records keep their
     * back pointers when the target was copied, with prev chained through the new file.
     */
    private void writeTransaction(PackWriter out, TransactionHeader h, byte status, List<DataHeader> records,
                                  boolean packed) throws IOException {
        DataFile source = storage.currentFile();
        long tpos = out.position();
        List<Body> bodies = new ArrayList<>();
        long tlen = h.headerLength();
        for (DataHeader d : records) {
            Body body = body(source, d, packed);
            bodies.add(body);
            tlen += FileFormat.DATA_HDR_LEN + body.length();
        }
        ByteBuffer header = ByteBuffer.allocate(h.headerLength());
        TransactionHeader.write(header, h.tid(), tlen, status, h.user(), h.description(), h.extension());
        out.write(header.flip());
        long[] oids = new long[records.size()];
        long[] positions = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            DataHeader d = records.get(i);
            Body body = bodies.get(i);
            long pos = out.position();
            long prev = 0;
            if (!packed) {
                long current = newIndex.get(d.oid().value());
                prev = current == OidIndex.ABSENT ? 0 : current;
            }
            ByteBuffer rec = ByteBuffer.allocate(FileFormat.DATA_HDR_LEN + body.length());
            DataHeader.write(rec, d.oid(), h.tid(), prev, tpos, body.plen());
            if (body.data() != null) {
                rec.put(body.data());
            } else {
                rec.putLong(body.backPointer());
            }
            out.write(rec.flip());
            moved.put(d.pos(), pos);
            oids[i] = d.oid().value();
            positions[i] = pos;
        }
        ByteBuffer trailer = ByteBuffer.allocate(FileFormat.TRAILER_LEN).putLong(tlen);
        out.write(trailer.flip());
        newIndex.putAll(oids, positions, oids.length);
    }

    /**
     * A record's body in the new file: data inlined for packed records and for tail records whose back pointer
     * target was not copied, a back pointer re-targeted into the new file otherwise; none for no data.
     */
    private Body body(DataFile source, DataHeader d, boolean packed) {
        if (!d.hasInlineData() && !packed) {
            long back = source.readBackPointer(d);
            if (back == 0) {
                return Body.NONE;
            }
            Long target = moved.get(back);
            if (target != null) {
                return new Body(null, target);
            }
        }
        byte[] data = source.data(d);
        return data == null ? Body.NONE : new Body(data, 0);
    }

    // ----- phase 3: swap ---------------------------------------------------------------------------------

    private void swap(FileChannel packed, long newEnd, long oldEnd) {
        Path data = storage.path();
        Path old = data.resolveSibling(data.getFileName() + ".old");
        try {
            packed.force(true);
            Files.deleteIfExists(old);
            Files.createLink(old, data);
            CrashPoints.reach(CrashPoints.PACK_LINKED);
            Files.move(packPath, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            CrashPoints.reach(CrashPoints.PACK_RENAMED);
            // Before any commit goes to the new file: until the rename is durable, a power loss brings the old
            // file back under the name, without those commits.
            DirectorySync.sync(data.getParent());
            CrashPoints.reach(CrashPoints.PACK_SYNCED);
            FileChannel channel = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE);
            storage.swapIn(new DataFile(data, channel), newIndex, newEnd);
            Files.deleteIfExists(IndexFile.pathFor(data));
            if (!storage.options().packKeepOld()) {
                Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("pack: swapping in " + packPath + " failed", e);
        }
        LOG.info("{}: pack swapped in the packed file ({} bytes, was {})", data, newEnd, oldEnd);
    }

    /**
     * Removes the files of the removed revisions, after the swap. An oid the new file no longer has at all loses
     * every file up to the pack time (orphans of crashed commits too); folders left empty go with commits stopped.
     * A failure here leaves garbage, never harm, so it is logged and the pack stands.
     */
    private void removeBlobFiles(BlobDirectory blobs) {
        PackedBlobRemoval removal = new PackedBlobRemoval(blobs, storage.options().packKeepOld());
        try {
            removal.start();
            Set<Long> touched = new java.util.LinkedHashSet<>();
            for (Revision r : removedRevisions) {
                // The same revision can also be kept (ZEO wrote duplicate records for blobs): its file stays.
                if (keptRevisions.contains(r)) {
                    continue;
                }
                Oid oid = Oid.of(r.oid());
                if (newIndex.get(r.oid()) == OidIndex.ABSENT) {
                    if (touched.add(r.oid())) {
                        removal.removeRevisionsUpTo(oid, packTime);
                    }
                } else {
                    touched.add(r.oid());
                    removal.removeRevision(oid, Tid.of(r.tid()));
                }
            }
            storage.withCommitsStopped(() -> {
                try {
                    for (long oid : touched) {
                        removal.removeEmptyFolders(Oid.of(oid));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
            removal.keepOldCopies();
            LOG.info("{}: pack {} {} blob files of removed revisions", storage.path(),
                    storage.options().packKeepOld() ? "moved to " + removal.oldDirectory() : "deleted",
                    removal.removedCount());
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: pack could not remove every blob file of the removed revisions; the pack stands and what is"
                    + " left in {} is garbage", storage.path(), blobs.root(), e);
        }
    }

    private void cleanUpAfterFailure() {
        try {
            Files.deleteIfExists(packPath);
        } catch (IOException e) {
            LOG.warn("could not remove {} after a failed pack", packPath, e);
        }
    }

    // ----- helpers ---------------------------------------------------------------------------------------

    private interface RecordVisitor {
        void visit(DataHeader d);
    }

    private void forEachRecord(TransactionHeader h, RecordVisitor visitor) {
        forEachRecord(in, h, visitor);
    }

    private static void forEachRecord(DataFile file, TransactionHeader h, RecordVisitor visitor) {
        long p = h.dataStart();
        while (p < h.dataEnd()) {
            DataHeader d = file.readDataHeader(p);
            visitor.visit(d);
            p = d.end();
        }
    }

    /** Publishes where the pack is (a volatile write of a small record) and logs each tenth of a phase. */
    private void progress(Phase phase, long done, long total) {
        storage.publishPackProgress(new PackProgress(phase, done, total, started));
        long percent = total <= 0 ? 100 : Math.min(100, done * 100 / total);
        if (phase != loggedPhase || percent / 10 != loggedPercent / 10) {
            loggedPhase = phase;
            loggedPercent = percent;
            LOG.info("{}: pack {}: {}% of {} {}", storage.path(), phase.label(), percent, total, phase.unit());
        }
    }

    /** Sequential writes to the pack file, tracking the position. */
    private static final class PackWriter {
        private final FileChannel channel;
        private long position;

        PackWriter(FileChannel channel) {
            this.channel = channel;
        }

        void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                position += channel.write(b, position);
            }
        }

        long position() {
            return position;
        }
    }
}
