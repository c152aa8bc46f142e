package org.jzeo.objects;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Large binary content stored beside the object records (ZODB's {@code Blob}): a persistent object whose content
 * lives in the storage's blob directory and is streamed, never held whole in memory. Reference it from other
 * objects as any persistent object; its content is written with the transaction that changed it and read as of the
 * reading transaction's snapshot. Needs a storage with blobs (the client option {@code blob-dir}).
 *
 * <p>Writing: {@link #openOutputStream()} returns a stream to a temporary file; when the stream is closed that file
 * becomes the blob's new content for the current transaction, committed with it (also inside a JTA/XA transaction,
 * at the branch's end) or dropped by an abort. Reading: {@link #openInputStream()} streams the content as this
 * transaction sees it, including what it wrote.
 *
 * <p>Concurrent changes of one blob's content by two transactions conflict (two contents cannot be merged): the
 * second commit fails with a retryable {@link org.jzeo.api.ConflictException}.
 */
public final class Blob extends Persistent {
    /** Content written in this transaction and not yet handed to the storage; null: none. */
    private transient Path pending;

    public Blob() {
    }

    /** A blob holding {@code content} (for small contents; stream large ones with {@link #openOutputStream}). */
    public Blob(byte[] content) {
        try (OutputStream out = openOutputStream()) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the blob's content to a temporary file", e);
        }
    }

    /**
     * The content as the current transaction sees it, as a stream the caller closes. A new blob without content
     * reads as empty.
     *
     * @throws org.jzeo.api.StorageException the storage keeps no blobs, or the content cannot be read
     */
    public InputStream openInputStream() {
        Path mine = pending;
        if (mine != null) {
            try {
                return Files.newInputStream(mine);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the blob's new content " + mine, e);
            }
        }
        if (!isCommitted()) {
            return InputStream.nullInputStream();
        }
        return jzeoSession.storage().openBlob(jzeoOid);
    }

    /**
     * A stream replacing the content: written to a temporary file, which becomes the content when the stream is
     * closed and is stored at commit.
     */
    public OutputStream openOutputStream() {
        Path file;
        OutputStream out;
        try {
            file = Files.createTempFile("jzeo-blob-", ".tmp");
            out = Files.newOutputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for a blob's content", e);
        }
        return new FilterOutputStream(out) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                super.close();
                replacePending(file);
            }
        };
    }

    /** The content's size in bytes as the current transaction sees it. */
    public long size() {
        Path mine = pending;
        if (mine != null) {
            try {
                return Files.size(mine);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of the blob's new content " + mine, e);
            }
        }
        return isCommitted() ? jzeoSession.storage().blobSize(jzeoOid) : 0;
    }

    /**
     * True once the blob has committed content. Objects the session must refresh first are refreshed, as a read
     * through the connection would: after an XA commit the session learns only at the next transaction that a new
     * blob went through, and an application may hold the blob without reading anything else.
     */
    private boolean isCommitted() {
        if (jzeoSession != null) {
            jzeoSession.refreshStale();
        }
        return jzeoStored && jzeoSession != null;
    }

    private void replacePending(Path file) {
        Path previous = pending;
        pending = file;
        markChanged();
        if (previous != null) {
            deleteQuietly(previous);
        }
    }

    /** True when the content must be written with the object's state: new content, or a blob never stored. */
    boolean hasContentToWrite() {
        return pending != null || !jzeoStored;
    }

    /** The content to store now: the new content, or empty for a new blob that was given none. */
    InputStream contentToWrite() throws IOException {
        return pending != null ? Files.newInputStream(pending) : InputStream.nullInputStream();
    }

    /** The transaction ended (committed, or the storage took a copy of the content, or it was aborted). */
    void dropPending() {
        Path mine = pending;
        pending = null;
        if (mine != null) {
            deleteQuietly(mine);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover in the temporary folder
        }
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }

    @Override
    public String toString() {
        return "Blob[" + (jzeoOid == null ? "new" : jzeoOid) + (pending != null ? ", changed" : "") + "]";
    }
}
