package org.jzeo.server.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.server.storage.ReceivedBlobFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob a client is sending ({@code storeBlobStart}, {@code storeBlobChunk}…, {@code storeBlobEnd}), written
 * to a temporary file as the chunks arrive, so that a blob is never held in memory.
 *
 * <p>A blob that cannot be received (no blob directory, larger than {@code blob-max-size}, a write error such as
 * a full disk) does not close the connection: the chunks that follow are dropped, the file is removed, and the
 * transaction's vote fails with an error that names the oid, so the client aborts and may retry.
 */
final class BlobUpload {
    private static final Logger LOG = LoggerFactory.getLogger(BlobUpload.class);

    /** Why the blob could not be received; turned into the vote's error once the oid is known. */
    private interface Failure {
        String describe(Oid oid);
    }

    private final Path file;
    private final long maxBytes;
    private FileChannel channel;
    private long size;
    private Failure failure;

    private BlobUpload(Path file, FileChannel channel, long maxBytes, Failure failure) {
        this.file = file;
        this.channel = channel;
        this.maxBytes = maxBytes;
        this.failure = failure;
    }

    /** Opens a new temporary file in {@code dir}; {@code maxBytes} 0 for no limit. */
    static BlobUpload start(Path dir, long maxBytes) {
        try {
            Path file = Files.createTempFile(dir, ReceivedBlobFiles.UPLOAD_PREFIX, ".tmp");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
            return new BlobUpload(file, channel, maxBytes, null);
        } catch (IOException e) {
            String reason = e.toString();
            return new BlobUpload(null, null, maxBytes,
                    oid -> "the blob of oid " + oid + " could not be received: cannot create a file in " + dir
                            + ": " + reason);
        }
    }

    /** An upload that cannot be received at all (the storage keeps no blobs): its chunks are dropped. */
    static BlobUpload refused(StorageException why) {
        String reason = why.getMessage();
        return new BlobUpload(null, null, 0, oid -> "the blob of oid " + oid + " was refused: " + reason);
    }

    void append(byte[] chunk) {
        if (failure != null) {
            return;
        }
        long newSize = size + chunk.length;
        if (maxBytes > 0 && newSize > maxBytes) {
            long limit = maxBytes;
            failure = oid -> "the blob of oid " + oid + " is larger than blob-max-size (" + limit + " bytes)";
            discard();
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            size = newSize;
        } catch (IOException e) {
            String reason = e.toString();
            Path where = file;
            failure = oid -> "the blob of oid " + oid + " could not be written to " + where + ": " + reason;
            discard();
        }
    }

    /** Closes the file and gives it to the transaction; throws the upload's failure, naming {@code oid}. */
    Path finish(Oid oid) {
        if (failure == null) {
            try {
                channel.close();
                channel = null;
                return file;
            } catch (IOException e) {
                String reason = e.toString();
                failure = o -> "the blob of oid " + o + " could not be written to " + file + ": " + reason;
            }
        }
        discard();
        throw new StorageException(failure.describe(oid));
    }

    /** Removes the temporary file (an upload abandoned by an abort or a disconnect). */
    void discard() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", file, e.toString());
            }
            channel = null;
        }
        if (file != null) {
            ReceivedBlobFiles.delete(file);
        }
    }
}
