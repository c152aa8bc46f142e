package org.jzeo.client.blob;

import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * Where a client storage keeps blob files: a cache of downloads ({@link CachedBlobs}), or the server's own blob
 * directory shared over the file system ({@link SharedBlobs}).
 */
public interface ClientBlobs extends AutoCloseable {

    /** Asks the server for one revision's blob; returns once the server answered (sync {@code sendBlob}). */
    @FunctionalInterface
    interface Downloader {
        void download(Oid oid, Tid serial);
    }

    /** The connection a download arrives on, paused while the disk catches up (Netty's auto-read). */
    interface Reading {
        void pause();

        void resume();
    }

    static ClientBlobs open(BlobOptions options, String storageName) {
        return options.shared() ? new SharedBlobs(options.directory()) : new CachedBlobs(options, storageName);
    }

    /** True when blobs travel over the connection (not shared over the file system). */
    boolean sendsContent();

    /**
     * The file of revision {@code serial} of {@code oid}, to be read and never changed.
     *
     * @throws org.jzeo.api.POSKeyException the server (or the shared directory) has no blob for that revision
     */
    Path load(Oid oid, Tid serial, Downloader downloader);

    /** {@link org.jzeo.storage.Storage#blobTemporaryDirectory()}. */
    Path temporaryDirectory();

    /**
     * A transaction's own hold of the caller's file (a link, or a copy across file systems), so the caller may
     * remove its file once the transaction ended while this one lives on until it is {@linkplain #committed
     * committed} or {@linkplain #discard discarded}. In shared mode it lies in the oid's folder with a {@code .tmp}
     * name, as {@code storeBlobShared} wants it.
     */
    Path stage(Oid oid, Path callerFile);

    /** After the commit of {@code tid}: the staged file becomes (or has become, shared) the revision's file. */
    void committed(Oid oid, Tid tid, Path staged);

    /** The transaction ended without a commit here. */
    void discard(Path staged);

    /** Called on the I/O thread for the server's {@code receiveBlob*} messages. */
    default void receiveStart(Oid oid, Tid serial) {
        throw new IllegalStateException("receiveBlobStart for " + oid + " in shared-blob-dir mode");
    }

    default void receiveChunk(Oid oid, Tid serial, byte[] chunk, Reading reading) {
        throw new IllegalStateException("receiveBlobChunk for " + oid + " in shared-blob-dir mode");
    }

    default void receiveStop(Oid oid, Tid serial) {
        throw new IllegalStateException("receiveBlobStop for " + oid + " in shared-blob-dir mode");
    }

    /** The connection was lost: downloads in progress are dropped. */
    default void connectionLost() {
    }

    /** How many blobs were downloaded. */
    default long downloads() {
        return 0;
    }

    @Override
    void close();
}
