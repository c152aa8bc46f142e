package org.jzeo.server.core;

import java.nio.file.Path;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.protocol.Requests.SendBlob;
import org.jzeo.protocol.Requests.StoreBlobChunk;
import org.jzeo.protocol.Requests.StoreBlobEnd;
import org.jzeo.protocol.Requests.StoreBlobShared;
import org.jzeo.protocol.Requests.StoreBlobStart;
import org.jzeo.storage.Operation;
import org.jzeo.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZEO 5's blob methods: receiving a blob into a temporary file of the storage's blob directory
 * (storeBlobStart/Chunk/End), a blob the client placed in a shared blob directory (storeBlobShared), and
 * streaming a committed blob to the client (sendBlob, see {@link BlobSender}).
 *
 * <p>The blob stores are buffered in the connection's transaction like {@code storea}, in the serial order; the
 * files they name are removed when the transaction ends, after the storage made its own links at finish.
 */
final class BlobMethods {
    /** ZEO's server logs a bad storeBlobShared file name at CRITICAL on this logger, with these words. */
    private static final Logger ATTACK_LOG = LoggerFactory.getLogger("ZEO.StorageServer");

    private BlobMethods() {
    }

    static void addTo(MethodTable table) {
        table.add(StoreBlobStart.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            StoreBlobStart.decode(a);
            CommitMethods.requireWritable(s);
            s.startBlobUpload(open(s));
            return null;
        });
        table.add(StoreBlobChunk.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            byte[] chunk = StoreBlobChunk.decode(a).chunk();
            BlobUpload upload = s.blobUpload();
            if (upload == null) {
                throw new StorageTransactionException("storeBlobChunk without storeBlobStart");
            }
            upload.append(chunk);
            return null;
        });
        table.add(StoreBlobEnd.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            StoreBlobEnd r = StoreBlobEnd.decode(a);
            ServerTransaction txn = CommitMethods.current(s, r.txn());
            BlobUpload upload = s.takeBlobUpload();
            if (upload == null) {
                throw new StorageTransactionException("storeBlobEnd without storeBlobStart");
            }
            try {
                Path file = upload.finish(r.oid());
                txn.add(new Operation.StoreBlob(r.oid(), r.serial(), r.data(), file));
            } catch (StorageException e) {
                txn.blobFailed(e);
            }
            s.storage().stats().stores.increment();
            return null;
        });
        table.add(StoreBlobShared.METHOD, MethodTable.Mode.BUFFER, (s, a) -> {
            StoreBlobShared r = StoreBlobShared.decode(a);
            ServerTransaction txn = CommitMethods.current(s, r.txn());
            if (!r.hasSafeFilename()) {
                ATTACK_LOG.error(LogMarkers.CRITICAL, "We're under attack! (bad filename to storeBlobShared, {}) from"
                        + " {}", r.filename(), s.describe());
                throw new IllegalArgumentException("bad file name for storeBlobShared: " + r.filename());
            }
            Path folder = s.storage().storage().blobFolder(r.oid());
            txn.add(new Operation.StoreBlob(r.oid(), r.serial(), r.data(), folder.resolve(r.filename())));
            s.storage().stats().stores.increment();
            return null;
        });
        table.add(SendBlob.METHOD, MethodTable.Mode.READ, (s, a) -> {
            SendBlob r = SendBlob.decode(a);
            Path file = s.storage().storage().loadBlob(r.oid(), r.serial());
            BlobSender.start(s, s.server().readPool(), r.oid(), r.serial(), s.currentCall(), file);
            return ZeoSession.REPLIED;
        });
    }

    /** A new upload into the storage's temporary blob folder; one that drops its chunks if there is none. */
    private static BlobUpload open(ZeoSession session) {
        Storage storage = session.storage().storage();
        if (!storage.supportsBlobs()) {
            return BlobUpload.refused(Storage.noBlobs(storage));
        }
        return BlobUpload.start(storage.blobTemporaryDirectory(), session.server().blobMaxSize());
    }
}
