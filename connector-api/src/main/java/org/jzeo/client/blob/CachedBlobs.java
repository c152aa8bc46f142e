package org.jzeo.client.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob cache of a client that is not sharing the server's blob directory: ZEO's zeocache layout, so a Python
 * and a Java client can use one cache. A missing revision is downloaded with {@code sendBlob} into
 * {@code <file>.dl}, chunk by chunk as the server's {@code receiveBlobChunk}s arrive (never whole in memory), and
 * renamed into place at {@code receiveBlobStop}. The oid folder's lock is held from before the request until the
 * file is in place, so one revision is downloaded once at a time, also by several threads or jzeo processes.
 *
 * <p>Hits set the file's access time; downloads and own commits count towards the size check that trims the
 * cache ({@link BlobCacheTrimmer}).
 */
final class CachedBlobs implements ClientBlobs {
    private static final Logger LOG = LoggerFactory.getLogger(CachedBlobs.class);
    private static final String DOWNLOAD_SUFFIX = ".dl";

    private final BlobDirectory directory;
    private final FolderLocks locks = new FolderLocks();
    private final BlobCacheTrimmer trimmer;
    private final DownloadWriter writer;
    private final AtomicLong downloads = new AtomicLong();

    CachedBlobs(BlobOptions options, String storageName) {
        this.directory = BlobDirectory.open(options.directory(), new ZeoCacheLayout());
        this.trimmer = new BlobCacheTrimmer(directory.root(), locks, options.checkBytes(), options.trimTarget(),
                "jzeo-blob-trim-" + storageName);
        this.writer = new DownloadWriter("jzeo-blob-download-" + storageName, trimmer::loaded);
        trimmer.startTrim(); // ZEO checks the size when it opens, too
    }

    @Override
    public boolean sendsContent() {
        return true;
    }

    @Override
    public Path load(Oid oid, Tid serial, Downloader downloader) {
        Path file = directory.fileOf(oid, serial);
        if (Files.exists(file)) {
            BlobFiles.touch(file);
            return file;
        }
        try (FolderLocks.Held held = locks.lock(directory.createFolderOf(oid))) {
            if (Files.exists(file)) { // downloaded by another thread or process while this one waited
                BlobFiles.touch(file);
                return file;
            }
            downloads.incrementAndGet();
            IOException failure;
            try {
                downloader.download(oid, serial);
            } finally {
                // Everything the server sent came before its reply: wait until it is written (and drop a download
                // the server left unfinished: an error, a lost connection).
                failure = writer.finish(target(oid, serial));
            }
            if (failure != null) {
                throw new StorageException("cannot write the blob of " + oid + " at " + serial + " into the blob"
                        + " cache " + directory.root() + ": " + failure, failure);
            }
            if (Files.exists(file)) {
                return file;
            }
        }
        throw new POSKeyException(oid, "no blob for " + oid + " at " + serial + ": the server sent none");
    }

    @Override
    public Path temporaryDirectory() {
        return directory.temporaryDirectory();
    }

    @Override
    public Path stage(Oid oid, Path callerFile) {
        Path staged = directory.temporaryDirectory().resolve(UUID.randomUUID() + ".staged");
        BlobFiles.linkOrCopy(callerFile, staged);
        return staged;
    }

    /** ZEO's {@code _update_blob_cache}: the committed file moves to the new revision's name, no download later. */
    @Override
    public void committed(Oid oid, Tid tid, Path staged) {
        Path file = directory.fileOf(oid, tid);
        try (FolderLocks.Held held = locks.lock(directory.createFolderOf(oid))) {
            long size = Files.size(staged);
            Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING);
            trimmer.loaded(size);
        } catch (IOException | UncheckedIOException e) {
            // The commit stands; the revision is downloaded when first read.
            LOG.warn("blob cache {}: cannot keep the committed blob of {} at {}: {}", directory.root(), oid, tid,
                    e.toString());
            BlobFiles.deleteQuietly(staged);
        }
    }

    @Override
    public void discard(Path staged) {
        BlobFiles.deleteQuietly(staged);
    }

    // ---------------------------------------------------------------- the I/O thread

    @Override
    public void receiveStart(Oid oid, Tid serial) {
        writer.start(target(oid, serial));
    }

    @Override
    public void receiveChunk(Oid oid, Tid serial, byte[] chunk, Reading reading) {
        writer.chunk(target(oid, serial), chunk, reading);
    }

    @Override
    public void receiveStop(Oid oid, Tid serial) {
        writer.stop(target(oid, serial));
    }

    @Override
    public void connectionLost() {
        writer.connectionLost();
    }

    /** Where the download of one revision is written ({@code <file>.dl}) and where it goes when complete. */
    private DownloadWriter.Target target(Oid oid, Tid serial) {
        Path file = directory.fileOf(oid, serial);
        return new DownloadWriter.Target(oid, serial, file.resolveSibling(file.getFileName() + DOWNLOAD_SUFFIX),
                file);
    }

    @Override
    public long downloads() {
        return downloads.get();
    }

    /** For tests and monitoring: the trims run so far. */
    long trims() {
        return trimmer.trims();
    }

    BlobCacheTrimmer trimmer() {
        return trimmer;
    }

    @Override
    public void close() {
        writer.close();
        trimmer.close();
    }
}
