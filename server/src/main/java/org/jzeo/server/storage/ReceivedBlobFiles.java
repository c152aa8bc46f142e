package org.jzeo.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jzeo.storage.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The received blob files of a transaction, which stay the server's after the storage committed its own links to
 * them (see {@link org.jzeo.storage.StorageTransaction#storeBlob}): removed when the transaction or the XA branch
 * holding them ends.
 */
public final class ReceivedBlobFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ReceivedBlobFiles.class);

    private ReceivedBlobFiles() {
    }

    /** The prefix of the files the server receives blobs into (storeBlobStart), in the temporary blob folder. */
    public static final String UPLOAD_PREFIX = "upload-";

    /** Removes the files of the blob stores among {@code operations}. */
    public static void deleteAll(List<Operation> operations) {
        for (Path file : files(operations)) {
            delete(file);
        }
    }

    /** The files of the blob stores among {@code operations}. */
    public static Set<Path> files(List<Operation> operations) {
        Set<Path> files = new HashSet<>();
        for (Operation op : operations) {
            if (op instanceof Operation.StoreBlob b) {
                files.add(b.file());
            } else if (op instanceof Operation.RestoreBlob r) {
                files.add(r.file());
            }
        }
        return files;
    }

    /**
     * Removes the files left in {@code temporaryFolder} by uploads of transactions that a crash or a stop ended,
     * except {@code inUse} (those of prepared XA branches). Only the server's own upload files: clients sharing the
     * blob directory keep their own temporary files there.
     */
    public static void sweepUploads(Path temporaryFolder, Set<Path> inUse) {
        if (!Files.isDirectory(temporaryFolder)) {
            return;
        }
        int removed = 0;
        try (Stream<Path> files = Files.list(temporaryFolder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(UPLOAD_PREFIX) && !inUse.contains(file)) {
                    delete(file);
                    removed++;
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {} for unfinished blob uploads: {}", temporaryFolder, e.toString());
        }
        if (removed > 0) {
            LOG.info("removed {} unfinished blob upload(s) from {}", removed, temporaryFolder);
        }
    }

    /** Removes one received blob file (missing is fine). */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove the received blob file {}: {}", file, e.toString());
        }
    }
}
