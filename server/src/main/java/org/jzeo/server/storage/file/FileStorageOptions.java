package org.jzeo.server.storage.file;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * How a FileStorage is opened. Defaults are those of ZEO's {@code <filestorage>} section plus jzeo's own.
 *
 * @param name        the storage name clients register with
 * @param readOnly    open without writing, locking or repairing anything
 * @param fsync       fsync at every commit; turning it off loses durability and is for tests only
 * @param lockWait    how long vote waits for another transaction's object lock before a ConflictException
 * @param packKeepOld keep the previous file as {@code Data.fs.old} after a pack
 * @param clock       the source of "now" for new tids
 * @param createMissingFolders create the data file's folder (and those above it) when missing; off by default,
 *                    because a mistyped path must fail rather than look like an empty database
 * @param recordCacheBytes the bound of the cache of recently read records ({@link RecordCache}); 0: none
 * @param blobDir     the blob directory (ZODB's {@code blob-dir}), or null for a storage without blobs
 */
public record FileStorageOptions(String name, boolean readOnly, boolean fsync, Duration lockWait,
                                 boolean packKeepOld, InstantSource clock, boolean createMissingFolders,
                                 long recordCacheBytes, Path blobDir) {
    /** The default bound of the record cache: 64 MiB. */
    public static final long DEFAULT_RECORD_CACHE_BYTES = 64L << 20;

    public static FileStorageOptions defaults() {
        return new FileStorageOptions("1", false, true, Duration.ofSeconds(10), true, InstantSource.system(), false,
                DEFAULT_RECORD_CACHE_BYTES, null);
    }

    public FileStorageOptions withName(String value) {
        return new FileStorageOptions(value, readOnly, fsync, lockWait, packKeepOld, clock, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withReadOnly(boolean value) {
        return new FileStorageOptions(name, value, fsync, lockWait, packKeepOld, clock, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withFsync(boolean value) {
        return new FileStorageOptions(name, readOnly, value, lockWait, packKeepOld, clock, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withLockWait(Duration value) {
        return new FileStorageOptions(name, readOnly, fsync, value, packKeepOld, clock, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withPackKeepOld(boolean value) {
        return new FileStorageOptions(name, readOnly, fsync, lockWait, value, clock, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withClock(InstantSource value) {
        return new FileStorageOptions(name, readOnly, fsync, lockWait, packKeepOld, value, createMissingFolders,
                recordCacheBytes, blobDir);
    }

    public FileStorageOptions withCreateMissingFolders(boolean value) {
        return new FileStorageOptions(name, readOnly, fsync, lockWait, packKeepOld, clock, value, recordCacheBytes,
                blobDir);
    }

    public FileStorageOptions withRecordCacheBytes(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("record cache size " + value);
        }
        return new FileStorageOptions(name, readOnly, fsync, lockWait, packKeepOld, clock, createMissingFolders,
                value, blobDir);
    }

    public FileStorageOptions withBlobDir(Path value) {
        return new FileStorageOptions(name, readOnly, fsync, lockWait, packKeepOld, clock, createMissingFolders,
                recordCacheBytes, value);
    }
}
