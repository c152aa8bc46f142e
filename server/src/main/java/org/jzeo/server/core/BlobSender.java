package org.jzeo.server.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.Requests.BlobCallbacks;
import org.jzeo.protocol.WireErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one {@code sendBlob}: {@code receiveBlobStart}, the file in {@code receiveBlobChunk}s, {@code
 * receiveBlobStop}, then the reply, all in the connection's outgoing order (the client relies on the file being
 * complete when the reply arrives).
 *
 * <p>At most {@link #WINDOW} chunks are queued and not yet taken by the socket: the next chunk is read only when
 * one has left, so a blob of any size streams in bounded memory and a slow client holds up only its own download.
 * Chunks are read on the read pool, never on the event loop.
 */
final class BlobSender {
    private static final Logger LOG = LoggerFactory.getLogger(BlobSender.class);
    /** Chunks in flight at most (about 1 MB): enough to keep a fast link busy, little to hold for a slow one. */
    static final int WINDOW = 16;

    private final ZeoSession session;
    private final Executor reader;
    private final Oid oid;
    private final Tid serial;
    private final MessageId msgid;
    private final FileChannel file;
    private final AtomicInteger credit = new AtomicInteger(WINDOW);
    /** Requests to run {@link #pump()}; only the caller that raises it from 0 runs it (one pump at a time). */
    private final AtomicInteger pumpRequests = new AtomicInteger();
    private long position;
    private boolean done;

    private BlobSender(ZeoSession session, Executor reader, Oid oid, Tid serial, MessageId msgid, FileChannel file) {
        this.session = session;
        this.reader = reader;
        this.oid = oid;
        this.serial = serial;
        this.msgid = msgid;
        this.file = file;
    }

    /** Opens {@code blobFile} and starts sending it; the reply to {@code msgid} (null: none) comes at the end. */
    static void start(ZeoSession session, Executor reader, Oid oid, Tid serial, MessageId msgid, Path blobFile) {
        FileChannel file;
        try {
            file = FileChannel.open(blobFile, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StorageException("cannot read the blob file " + blobFile + " of oid " + oid + " revision "
                    + serial + ": " + e);
        }
        BlobSender sender = new BlobSender(session, reader, oid, serial, msgid, file);
        session.callback(BlobCallbacks.START, BlobCallbacks.startOrStop(oid, serial));
        sender.requestPump();
    }

    private void requestPump() {
        if (pumpRequests.getAndIncrement() == 0) {
            reader.execute(this::drainRequests);
        }
    }

    private void drainRequests() {
        int requests = 1;
        do {
            pump();
            requests = pumpRequests.addAndGet(-requests);
        } while (requests != 0);
    }

    /** Sends chunks while there is credit; ends the stream at the end of the file. */
    private void pump() {
        while (!done) {
            if (session.isClosed()) {
                close();
                return;
            }
            if (credit.get() <= 0) {
                return;
            }
            byte[] chunk;
            try {
                chunk = readChunk();
            } catch (IOException e) {
                LOG.warn("{}: sendBlob of oid {} revision {}: reading the blob file failed: {}", session.describe(),
                        oid, serial, e.toString());
                close();
                if (msgid != null) {
                    session.peer().error(msgid, WireErrors.toWire(new StorageException("reading the blob of oid "
                            + oid + " failed on the server: " + e)));
                }
                return;
            }
            if (chunk == null) {
                close();
                session.callback(BlobCallbacks.STOP, BlobCallbacks.startOrStop(oid, serial));
                if (msgid != null) {
                    session.peer().reply(msgid, null);
                }
                return;
            }
            credit.decrementAndGet();
            session.peer().callback(BlobCallbacks.CHUNK, BlobCallbacks.chunk(oid, serial, chunk), this::written);
        }
    }

    /** A chunk left for the socket (on the event loop): room for one more, read on the read pool. */
    private void written() {
        credit.incrementAndGet();
        requestPump();
    }

    /** The next chunk of the file, or null at its end. */
    private byte[] readChunk() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BlobCallbacks.CHUNK_SIZE);
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, position + buffer.position());
            if (n < 0) {
                break;
            }
        }
        if (buffer.position() == 0) {
            return null;
        }
        position += buffer.position();
        return buffer.position() == buffer.capacity() ? buffer.array() : Arrays.copyOf(buffer.array(),
                buffer.position());
    }

    private void close() {
        done = true;
        try {
            file.close();
        } catch (IOException e) {
            LOG.debug("closing a blob file: {}", e.toString());
        }
    }
}
