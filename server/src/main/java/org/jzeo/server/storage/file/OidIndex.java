package org.jzeo.server.storage.file;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * The in-memory index: oid → file position of the oid's current data record, kept compact and ordered.
 *
 * <p>Layout, as in ZODB's fsIndex: oids are split into a 56-bit prefix and an 8-bit suffix. A sorted array of
 * prefixes points at buckets; a bucket holds up to 256 sorted suffixes with their positions. That costs about
 * 9 bytes per oid (tens of MB for millions of objects) and gives ordered iteration for {@code record_iternext}.
 *
 * <p>Concurrency: one writer at a time, any number of readers. {@link #putAll} applies a whole transaction's
 * entries under one write lock, so a reader sees all of a transaction's entries or none of them.
 */
public final class OidIndex {
    /** Returned by lookups for an absent oid (no record ever sits at position -1). */
    public static final long ABSENT = -1L;

    private static final int SUFFIX_BITS = 8;
    private static final int SUFFIX_MASK = (1 << SUFFIX_BITS) - 1;

    private final StampedLock lock = new StampedLock();
    private long[] prefixes = new long[16];
    private Bucket[] buckets = new Bucket[16];
    private int bucketCount;
    private long size;
    private long maxOid = -1L;
    private boolean hasAny;

    private static final class Bucket {
        byte[] suffixes = new byte[4];
        long[] positions = new long[4];
        int count;

        int find(int suffix) {
            int lo = 0;
            int hi = count - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int s = suffixes[mid] & 0xff;
                if (s < suffix) {
                    lo = mid + 1;
                } else if (s > suffix) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        /** Returns true when the suffix was new. */
        boolean put(int suffix, long position) {
            int i = find(suffix);
            if (i >= 0) {
                positions[i] = position;
                return false;
            }
            int at = -i - 1;
            if (count == suffixes.length) {
                int capacity = Math.min(256, count * 2);
                suffixes = Arrays.copyOf(suffixes, capacity);
                positions = Arrays.copyOf(positions, capacity);
            }
            System.arraycopy(suffixes, at, suffixes, at + 1, count - at);
            System.arraycopy(positions, at, positions, at + 1, count - at);
            suffixes[at] = (byte) suffix;
            positions[at] = position;
            count++;
            return true;
        }
    }

    /** Position of {@code oid}'s current record, or {@link #ABSENT}. */
    public long get(long oid) {
        long stamp = lock.readLock();
        try {
            int b = findBucket(oid >>> SUFFIX_BITS);
            if (b < 0) {
                return ABSENT;
            }
            Bucket bucket = buckets[b];
            int i = bucket.find((int) (oid & SUFFIX_MASK));
            return i < 0 ? ABSENT : bucket.positions[i];
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Sets one entry. */
    public void put(long oid, long position) {
        long stamp = lock.writeLock();
        try {
            putLocked(oid, position);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Sets {@code count} entries from parallel arrays as one atomic step for readers. */
    public void putAll(long[] oids, long[] positions, int count) {
        long stamp = lock.writeLock();
        try {
            for (int i = 0; i < count; i++) {
                putLocked(oids[i], positions[i]);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private void putLocked(long oid, long position) {
        long prefix = oid >>> SUFFIX_BITS;
        int b = findBucket(prefix);
        if (b < 0) {
            b = insertBucket(-b - 1, prefix);
        }
        if (buckets[b].put((int) (oid & SUFFIX_MASK), position)) {
            size++;
        }
        if (!hasAny || Long.compareUnsigned(oid, maxOid) > 0) {
            maxOid = oid;
            hasAny = true;
        }
    }

    private int findBucket(long prefix) {
        // Oids are handed out in increasing order, so the last bucket is the likeliest.
        if (bucketCount > 0 && prefixes[bucketCount - 1] == prefix) {
            return bucketCount - 1;
        }
        int lo = 0;
        int hi = bucketCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(prefixes[mid], prefix);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private int insertBucket(int at, long prefix) {
        if (bucketCount == prefixes.length) {
            prefixes = Arrays.copyOf(prefixes, bucketCount * 2);
            buckets = Arrays.copyOf(buckets, bucketCount * 2);
        }
        System.arraycopy(prefixes, at, prefixes, at + 1, bucketCount - at);
        System.arraycopy(buckets, at, buckets, at + 1, bucketCount - at);
        prefixes[at] = prefix;
        buckets[at] = new Bucket();
        bucketCount++;
        return at;
    }

    /** Number of oids in the index. */
    public long size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The largest oid in the index, or -1 (as an unsigned value: none) when empty; see {@link #isEmpty()}. */
    public long maxOid() {
        long stamp = lock.readLock();
        try {
            return maxOid;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Receives entries from {@link #forEach}. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(long oid, long position);
    }

    /** One index entry. */
    public record Entry(long oid, long position) {
    }

    /** The entry with the smallest oid {@code >= from} (unsigned), or null when there is none. */
    public Entry ceiling(long from) {
        long stamp = lock.readLock();
        try {
            int b = findBucket(from >>> SUFFIX_BITS);
            int startSuffix = (int) (from & SUFFIX_MASK);
            if (b < 0) {
                b = -b - 1;
                startSuffix = 0;
            }
            for (; b < bucketCount; b++) {
                Bucket bucket = buckets[b];
                int i = bucket.find(startSuffix);
                if (i < 0) {
                    i = -i - 1;
                }
                if (i < bucket.count) {
                    long oid = (prefixes[b] << SUFFIX_BITS) | (bucket.suffixes[i] & 0xff);
                    return new Entry(oid, bucket.positions[i]);
                }
                startSuffix = 0;
            }
            return null;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * The bytes the index's arrays take (array headers and object overhead included approximately): what the
     * "tens of MB for millions of objects" promise is about.
     */
    public long memoryBytes() {
        long stamp = lock.readLock();
        try {
            long bytes = 16L + prefixes.length * 8L + 16L + buckets.length * 8L;
            for (int b = 0; b < bucketCount; b++) {
                Bucket bucket = buckets[b];
                bytes += 32 + 16 + bucket.suffixes.length + 16 + bucket.positions.length * 8L;
            }
            return bytes;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Visits every entry in ascending oid order under the read lock (for saving the index). */
    public void forEach(EntryVisitor visitor) {
        long stamp = lock.readLock();
        try {
            for (int b = 0; b < bucketCount; b++) {
                Bucket bucket = buckets[b];
                for (int i = 0; i < bucket.count; i++) {
                    visitor.visit((prefixes[b] << SUFFIX_BITS) | (bucket.suffixes[i] & 0xff),
                            bucket.positions[i]);
                }
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }
}
