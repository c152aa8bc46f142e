package org.jzeo.client.blob;

import java.nio.file.Path;

/**
 * The blob options of a client, with ZEO's names (in brackets).
 *
 * @param directory       where the client keeps blobs [{@code blob-dir}]; null: no blobs
 * @param shared          {@code directory} is the server's own blob directory, on a shared file system, so blobs
 *                        are read and written there and never travel over the connection [{@code shared-blob-dir},
 *                        false]
 * @param cacheSize       bound of the (non-shared) blob cache in bytes; null: unbounded [{@code blob-cache-size}]
 * @param cacheSizeCheck  percent of {@code cacheSize}: after that much was downloaded or committed the cache is
 *                        trimmed to {@code cacheSize} minus that much [{@code blob-cache-size-check}, 10]
 */
public record BlobOptions(Path directory, boolean shared, Long cacheSize, int cacheSizeCheck) {

    public static final int DEFAULT_CACHE_SIZE_CHECK = 10;
    public static final BlobOptions NONE = new BlobOptions(null, false, null, DEFAULT_CACHE_SIZE_CHECK);

    public BlobOptions {
        if (cacheSize != null && cacheSize < 0) {
            throw new IllegalArgumentException("blob-cache-size must not be negative");
        }
        // ZEO asserts the check is below 100 %: at 100 the trim target would be 0 and every check empties the cache.
        if (cacheSizeCheck <= 0 || cacheSizeCheck >= 100) {
            throw new IllegalArgumentException("blob-cache-size-check must be a percentage from 1 to 99, got "
                    + cacheSizeCheck);
        }
    }

    public boolean enabled() {
        return directory != null;
    }

    /** Bytes loaded into the cache between two size checks; 0 when the cache is unbounded. */
    public long checkBytes() {
        return cacheSize == null ? 0 : cacheSize * cacheSizeCheck / 100;
    }

    /** What a trim leaves at most: ZEO's {@code blob_cache_size - check}. */
    public long trimTarget() {
        return cacheSize == null ? Long.MAX_VALUE : Math.max(cacheSize - checkBytes(), 0);
    }

    public BlobOptions withDirectory(Path value) {
        return new BlobOptions(value, shared, cacheSize, cacheSizeCheck);
    }

    public BlobOptions withShared(boolean value) {
        return new BlobOptions(directory, value, cacheSize, cacheSizeCheck);
    }

    public BlobOptions withCacheSize(Long value) {
        return new BlobOptions(directory, shared, value, cacheSizeCheck);
    }

    public BlobOptions withCacheSizeCheck(int value) {
        return new BlobOptions(directory, shared, cacheSize, value);
    }
}
