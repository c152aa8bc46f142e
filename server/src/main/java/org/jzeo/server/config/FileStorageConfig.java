package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A FileStorage ({@code Data.fs}) to serve, from {@code <filestorage NAME>}, with ZODB's option names and defaults.
 *
 * @param name        the storage name clients register with
 * @param path        the data file (ZODB {@code path}, required); relative to the server's working directory
 * @param readOnly    open without writing (ZODB {@code read-only}, false); pack is still allowed
 * @param create      start from an empty file, discarding any existing data (ZODB {@code create}, false)
 * @param quota       largest size the data file may grow to, in bytes (ZODB {@code quota}); empty: no limit
 * @param packGc      pack removes objects no longer reachable from the root (ZODB {@code pack-gc}, true)
 * @param packKeepOld keep the file as it was before a pack as {@code Data.fs.old} (ZODB {@code pack-keep-old}, true)
 * @param createFolders create the file's folder when it is missing (jzeo's, not an option of the section): only for
 *                    {@code create true} and for the server's built-in default; otherwise a missing folder is
 *                    taken for a mistyped path and refused, rather than served as a new, empty database
 * @param recordCacheSize bytes of recently read records kept in memory (jzeo's {@code record-cache-size}, 64MB);
 *                    0 turns the cache off
 * @param blobDir     the blob directory (ZODB {@code blob-dir}), relative to the server's working directory like
 *                    {@code path}; null: the storage keeps no blobs
 */
public record FileStorageConfig(String name, Path path, boolean readOnly, boolean create, OptionalLong quota,
                                boolean packGc, boolean packKeepOld, boolean createFolders, long recordCacheSize,
                                Path blobDir)
        implements StorageConfig {

    /** {@code record-cache-size}'s default. */
    public static final long DEFAULT_RECORD_CACHE_SIZE = 64L << 20;

    public FileStorageConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(quota, "quota");
        if (quota.isPresent() && quota.getAsLong() < 0) {
            throw new IllegalArgumentException("quota " + quota.getAsLong());
        }
        if (recordCacheSize < 0) {
            throw new IllegalArgumentException("record-cache-size " + recordCacheSize);
        }
    }

    /** As above, without blobs. */
    public FileStorageConfig(String name, Path path, boolean readOnly, boolean create, OptionalLong quota,
                             boolean packGc, boolean packKeepOld, boolean createFolders, long recordCacheSize) {
        this(name, path, readOnly, create, quota, packGc, packKeepOld, createFolders, recordCacheSize, null);
    }

    /** As above, with the default record cache. */
    public FileStorageConfig(String name, Path path, boolean readOnly, boolean create, OptionalLong quota,
                             boolean packGc, boolean packKeepOld, boolean createFolders) {
        this(name, path, readOnly, create, quota, packGc, packKeepOld, createFolders, DEFAULT_RECORD_CACHE_SIZE);
    }

    /** A {@code <filestorage>} section: its folder is created only by {@code create true}. */
    public FileStorageConfig(String name, Path path, boolean readOnly, boolean create, OptionalLong quota,
                             boolean packGc, boolean packKeepOld) {
        this(name, path, readOnly, create, quota, packGc, packKeepOld, create);
    }

    /** This storage with blobs in {@code folder} (null: without blobs). */
    public FileStorageConfig withBlobDir(Path folder) {
        return new FileStorageConfig(name, path, readOnly, create, quota, packGc, packKeepOld, createFolders,
                recordCacheSize, folder);
    }

    /** {@code path} served as {@code name} with every other option at ZODB's default. */
    public static FileStorageConfig of(String name, Path path) {
        return new FileStorageConfig(name, path, false, false, OptionalLong.empty(), true, true);
    }

    /**
     * The storage a server serves when no configuration names one: like {@link #of}, but its folder is created
     * when missing, so that a first {@code jzeo serve} in an empty folder just works.
     */
    public static FileStorageConfig builtInDefault(String name, Path path) {
        return new FileStorageConfig(name, path, false, false, OptionalLong.empty(), true, true, true);
    }
}
