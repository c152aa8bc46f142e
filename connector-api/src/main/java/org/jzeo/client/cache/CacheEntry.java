package org.jzeo.client.cache;

/**
 * One cached revision in memory: where its block is and its validity. {@code end} is 0 while the revision is
 * current. Mutated only under {@link DiskCache}'s write lock.
 */
final class CacheEntry {
    final RevisionKey key;
    final long offset;
    final int blockLength;
    final int dataLength;
    long end;

    CacheEntry(RevisionKey key, long end, long offset, int blockLength, int dataLength) {
        this.key = key;
        this.end = end;
        this.offset = offset;
        this.blockLength = blockLength;
        this.dataLength = dataLength;
    }

    long oid() {
        return key.oid();
    }

    long start() {
        return key.start();
    }

    boolean isCurrent() {
        return end == 0;
    }
}
