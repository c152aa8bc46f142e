package org.jzeo.server.copy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;

/**
 * Copies the transactions of one storage into another, zodbconvert's job: each transaction with its tid, status and
 * metadata, each record through {@link StorageTransaction#restore} (a back pointer stays a back pointer), each blob
 * through {@link StorageTransaction#restoreBlob}. One transaction is in memory at a time: the source is iterated,
 * each transaction restored and finished before the next is read, so storages larger than the heap copy.
 *
 * <p>Where to start is decided apart ({@link #startAfter}), so that a dry run decides it the same way.
 */
public final class StorageCopier {
    private final Storage source;
    private final CopyListener listener;

    public StorageCopier(Storage source, CopyListener listener) {
        this.source = Objects.requireNonNull(source, "source");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * The tid after which copying starts into a destination whose last transaction is {@code destinationLast}:
     * null (from the beginning) for an empty destination; with {@code incremental}, the destination's last
     * transaction, which the source must hold too (else the two histories diverged and appending would mix them).
     *
     * @throws CopyException the destination is not empty and not {@code incremental}, or it diverged from the source
     */
    public Tid startAfter(Tid destinationLast, boolean incremental, String destinationName) {
        if (destinationLast.equals(Tid.ZERO)) {
            return null;
        }
        if (!incremental) {
            throw new CopyException("the destination '" + destinationName + "' is not empty (its last transaction"
                    + " is " + describe(destinationLast) + "): use --clear to replace its content, or --incremental"
                    + " to add the source's newer transactions");
        }
        try (StorageIterator it = source.iterator(destinationLast, destinationLast)) {
            if (!it.hasNext() || !it.next().tid().equals(destinationLast)) {
                throw new CopyException("--incremental: the destination's last transaction " + describe(destinationLast)
                        + " is not in the source '" + source.name() + "' (source's last " + describe(
                        source.lastTransaction()) + "): the destination was not copied from this source, or one of"
                        + " them changed since; use --clear to copy everything again");
            }
        }
        return destinationLast;
    }

    /** Copies every transaction of the source after {@code after} (null: all) into {@code destination}. */
    public CopyProgress copy(Tid after, Storage destination) {
        Objects.requireNonNull(destination, "destination");
        if (destination.isReadOnly()) {
            throw new CopyException("the destination '" + destination.name() + "' is read-only");
        }
        return run(after, destination.name(), t -> copyTransaction(t, destination));
    }

    /**
     * Reads what {@link #copy} would copy and writes nothing: the same counts, and the same failure when the source
     * has blobs that a destination without a blob directory cannot take.
     */
    public CopyProgress dryRun(Tid after, boolean destinationKeepsBlobs) {
        return run(after, null, t -> blobBytes(t, destinationKeepsBlobs));
    }

    /** What one transaction's copy did beyond its records: blobs and their bytes. */
    private record BlobCount(long blobs, long bytes) {
    }

    @FunctionalInterface
    private interface TransactionStep {
        BlobCount apply(TransactionRecord transaction) throws IOException;
    }

    /** Applies {@code step} to each transaction after {@code after}; {@code destination} is null in a dry run. */
    private CopyProgress run(Tid after, String destination, TransactionStep step) {
        long started = System.nanoTime();
        CopyProgress progress = CopyProgress.none();
        try (StorageIterator it = source.iterator(after, null)) {
            while (true) {
                TransactionRecord t;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    t = it.next();
                } catch (RuntimeException e) {
                    throw failed(null, destination, progress, e); // a damaged source, typically
                }
                if (after != null && !t.tid().isAfter(after)) {
                    continue; // the destination's last transaction, already there
                }
                BlobCount blobs;
                try {
                    blobs = step.apply(t);
                } catch (IOException | RuntimeException e) {
                    throw failed(t, destination, progress, e);
                }
                progress = progress.plus(t.records().size(), blobs.blobs(), recordBytes(t) + blobs.bytes(),
                        Duration.ofNanos(System.nanoTime() - started));
                listener.transactionCopied(progress);
            }
        }
        return progress;
    }

    /**
     * The failure of transaction {@code t} (null: of reading the next one), told with what it leaves behind: the
     * transactions copied before it.
     */
    private CopyException failed(TransactionRecord t, String destination, CopyProgress before, Exception e) {
        String what;
        if (e instanceof CopyException) {
            what = e.getMessage();
        } else if (t == null) {
            what = "reading the source '" + source.name() + "' failed after " + before.transactions()
                    + " transactions: " + message(e);
        } else {
            what = "transaction " + describe(t.tid()) + " of the source '" + source.name() + "' could not be "
                    + (destination == null ? "read" : "copied into '" + destination + "'") + ": " + message(e);
        }
        if (destination != null && before.transactions() > 0) {
            what += "; the " + before.transactions() + " transactions before it are in the destination"
                    + " (--incremental continues after them)";
        }
        return new CopyException(what, e);
    }

    private BlobCount copyTransaction(TransactionRecord t, Storage destination) throws IOException {
        try {
            return restore(t, destination, true);
        } catch (POSKeyException e) {
            if (!hasBackPointers(t)) {
                throw e;
            }
            // The revision a back pointer names is not in the destination (the source's copy of it was not
            // copied, e.g. its transaction is marked undone): store the data itself, as ZODB's restore does then.
            return restore(t, destination, false);
        }
    }

    private BlobCount restore(TransactionRecord t, Storage destination, boolean backPointers) throws IOException {
        TransactionMetadata metadata = new TransactionMetadata(t.user(), t.description(), t.extension(), t.tid(),
                t.status());
        StorageTransaction txn = destination.begin(metadata);
        List<Path> blobCopies = new ArrayList<>();
        long blobBytes = 0;
        boolean finished = false;
        try {
            for (DataRecord r : t.records()) {
                boolean pointer = backPointers && r.dataTxn() != null;
                byte[] data = pointer ? null : r.data();
                Tid prevTxn = pointer ? r.dataTxn() : null;
                Path blob = sourceBlob(r);
                if (blob == null) {
                    txn.restore(r.oid(), r.tid(), data, prevTxn);
                    continue;
                }
                requireBlobs(destination.supportsBlobs(), r);
                // The destination takes the file over at finish; the source's own file must stay untouched.
                Path copy = Files.createTempFile(destination.blobTemporaryDirectory(), "copy-", ".tmp");
                blobCopies.add(copy);
                Files.copy(blob, copy, StandardCopyOption.REPLACE_EXISTING);
                blobBytes += Files.size(copy);
                txn.restoreBlob(r.oid(), r.tid(), data, prevTxn, copy);
            }
            txn.vote();
            Tid committed = txn.finish();
            finished = true;
            if (!committed.equals(t.tid())) {
                throw new CopyException("transaction " + describe(t.tid()) + " was committed as " + committed
                        + " in the destination '" + destination.name() + "'");
            }
            return new BlobCount(blobCopies.size(), blobBytes);
        } finally {
            if (!finished) {
                txn.abort();
            }
            for (Path copy : blobCopies) {
                Files.deleteIfExists(copy);
            }
        }
    }

    private BlobCount blobBytes(TransactionRecord t, boolean destinationKeepsBlobs) throws IOException {
        long blobs = 0;
        long bytes = 0;
        for (DataRecord r : t.records()) {
            Path blob = sourceBlob(r);
            if (blob != null) {
                requireBlobs(destinationKeepsBlobs, r);
                blobs++;
                bytes += Files.size(blob);
            }
        }
        return new BlobCount(blobs, bytes);
    }

    private void requireBlobs(boolean destinationKeepsBlobs, DataRecord r) {
        if (!destinationKeepsBlobs) {
            throw new CopyException("transaction " + describe(r.tid()) + ": oid " + r.oid() + " has a blob in the"
                    + " source '" + source.name() + "', but the destination keeps no blobs: give it a blob-dir");
        }
    }

    /** The source's blob file of this revision, or null: as in ZODB, a revision has a blob when its file exists. */
    private Path sourceBlob(DataRecord r) {
        if (r.data() == null || !source.supportsBlobs()) {
            return null; // a deletion has no blob
        }
        try {
            return source.loadBlob(r.oid(), r.tid());
        } catch (POSKeyException e) {
            return null;
        }
    }

    private static boolean hasBackPointers(TransactionRecord t) {
        return t.records().stream().anyMatch(r -> r.dataTxn() != null);
    }

    private static long recordBytes(TransactionRecord t) {
        long bytes = 0;
        for (DataRecord r : t.records()) {
            bytes += r.data() == null ? 0 : r.data().length;
        }
        return bytes;
    }

    /** A tid with its time, as operators compare it with logs: "03e0f5a1b2c3d4e5 (2026-12-06T10:00:00Z)". */
    static String describe(Tid tid) {
        return tid.equals(Tid.ZERO) ? "none" : tid + " (" + tid.toInstant() + ")";
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
