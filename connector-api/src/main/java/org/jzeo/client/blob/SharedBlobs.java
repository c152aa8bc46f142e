package org.jzeo.client.blob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;

/**
 * shared-blob-dir mode: the client's blob directory is the server's (ZODB's bushy layout, as FileStorage writes
 * it, or the older lawn layout if the directory says so), so a blob is read where the server wrote it and a new one is put into its oid's folder for the server to
 * take ({@code storeBlobShared}); no blob content travels over the connection. A file missing there is missing
 * everywhere (ZEO's rule).
 */
final class SharedBlobs implements ClientBlobs {
    private final BlobDirectory directory;

    SharedBlobs(Path root) {
        this.directory = BlobDirectory.open(root, BlobDirectory.serverLayout(root));
    }

    @Override
    public boolean sendsContent() {
        return false;
    }

    @Override
    public Path load(Oid oid, Tid serial, Downloader downloader) {
        Path file = directory.fileOf(oid, serial);
        if (!Files.isRegularFile(file)) {
            throw new POSKeyException(oid, "no blob file for " + oid + " at " + serial + " in the shared blob"
                    + " directory: " + file + " is missing");
        }
        return file;
    }

    @Override
    public Path temporaryDirectory() {
        return directory.temporaryDirectory();
    }

    @Override
    public Path stage(Oid oid, Path callerFile) {
        Path staged = directory.createFolderOf(oid).resolve(UUID.randomUUID() + ".tmp");
        BlobFiles.linkOrCopy(callerFile, staged);
        return staged;
    }

    /** The server moved or linked the staged file into place at vote; what is left is a stray name. */
    @Override
    public void committed(Oid oid, Tid tid, Path staged) {
        BlobFiles.deleteQuietly(staged);
    }

    @Override
    public void discard(Path staged) {
        BlobFiles.deleteQuietly(staged);
    }

    @Override
    public void close() {
    }
}
