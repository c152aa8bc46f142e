package org.jzeo.server;

import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.MappingStorageConfig;
import org.jzeo.server.config.PostgresStorageConfig;
import org.jzeo.server.config.StorageConfig;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.blob.BlobDirectory;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.file.IndexFile;
import org.jzeo.server.storage.file.MissingFolderException;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.server.storage.pg.PostgresOptions;
import org.jzeo.server.storage.pg.PostgresStorage;
import org.jzeo.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the storage engine a storage section configures: what {@code jzeo serve} serves and {@code jzeo copy} copies. */
public final class StorageOpener {
    private static final Logger LOG = LoggerFactory.getLogger(StorageOpener.class);

    private StorageOpener() {
    }

    /**
     * Opens the storage {@code sc} describes; {@code lockWait} is how long a vote waits for another transaction's
     * object lock (the {@code <zeo>} section's {@code lock-wait}).
     */
    public static Storage open(StorageConfig sc, Duration lockWait, ReferenceFinder references) {
        if (sc instanceof MappingStorageConfig) {
            return new MemoryStorage(sc.name(), references, lockWait, InstantSource.system());
        }
        if (sc instanceof PostgresStorageConfig pg) {
            PostgresOptions options = new PostgresOptions(pg.name(), pg.dsn().jdbcUrl(), pg.dsn().properties(),
                    pg.readOnly(), pg.createSchema(), pg.poolSize(), pg.lockWait().orElse(lockWait),
                    pg.pollInterval());
            return PostgresStorage.open(options, references);
        }
        FileStorageConfig f = (FileStorageConfig) sc;
        if (f.quota().isPresent()) {
            LOG.warn("storage '{}': quota {} is not enforced by this version of jzeo", sc.name(),
                    f.quota().getAsLong());
        }
        if (f.create() && !f.readOnly()) {
            try {
                Files.deleteIfExists(f.path());
                // jzeo's index of the discarded file would only be found stale and rebuilt, with a warning.
                Files.deleteIfExists(IndexFile.pathFor(f.path()));
                if (f.blobDir() != null) {
                    // As ZODB's FileStorage does: the old blobs belong to the discarded data.
                    BlobDirectory.removeAll(f.blobDir());
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("create: cannot remove " + f.path() + " or its blob directory", e);
            }
        }
        FileStorageOptions options = FileStorageOptions.defaults().withName(sc.name()).withReadOnly(f.readOnly())
                .withLockWait(lockWait).withPackKeepOld(f.packKeepOld())
                .withCreateMissingFolders(f.createFolders()).withRecordCacheBytes(f.recordCacheSize())
                .withBlobDir(f.blobDir());
        try {
            return FileStorage.open(f.path(), options, references);
        } catch (MissingFolderException e) {
            throw new IllegalStateException("storage '" + sc.name() + "': the folder " + e.folder() + " of "
                    + e.dataFile().getFileName() + " does not exist; check the path, or create the folder to start"
                    + " a new, empty database there", e);
        }
    }
}
