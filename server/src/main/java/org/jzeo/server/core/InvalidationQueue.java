package org.jzeo.server.core;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/**
 * The last {@code invalidation-queue-size} commits of one storage, for verifying a reconnecting client's cache
 * (zeo-protocol §9). {@link #getInvalidations} answers exactly as ZEO's {@code getInvalidations}: the oids
 * changed after the client's last tid when the queue reaches back that far, else (within
 * {@code invalidation-age}) by iterating the storage, else null ("drop your cache"). Thread-safe.
 */
public final class InvalidationQueue {
    private final Storage storage;
    private final int capacity;
    private final Duration maxAge;
    private final InstantSource clock;
    /** Newest last. */
    private final Deque<Invalidation> entries = new ArrayDeque<>();

    /**
     * @param maxAge {@code invalidation-age}, or null when not configured
     */
    public InvalidationQueue(Storage storage, int capacity, Duration maxAge, InstantSource clock) {
        this.storage = storage;
        this.capacity = capacity;
        this.maxAge = maxAge;
        this.clock = clock;
        if (capacity > 0) {
            for (Invalidation inv : storage.lastInvalidations(capacity)) {
                entries.addLast(inv);
            }
        }
    }

    /** Records a commit; called in tid order. */
    public synchronized void add(Tid tid, List<Oid> oids) {
        if (capacity <= 0) {
            return;
        }
        entries.addLast(new Invalidation(tid, List.copyOf(oids)));
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /**
     * The oids changed after {@code since} and the newest tid they reach, or null when that cannot be told and
     * the client must drop its cache.
     */
    public Invalidation getInvalidations(Tid since) {
        synchronized (this) {
            if (!entries.isEmpty() && !entries.peekFirst().tid().isAfter(since)) {
                Set<Oid> oids = new LinkedHashSet<>();
                Iterator<Invalidation> newestFirst = entries.descendingIterator();
                Tid newest = entries.peekLast().tid();
                while (newestFirst.hasNext()) {
                    Invalidation inv = newestFirst.next();
                    if (!inv.tid().isAfter(since)) {
                        break;
                    }
                    oids.addAll(inv.oids());
                }
                return new Invalidation(newest, new ArrayList<>(oids));
            }
        }
        if (maxAge != null && withinAge(since)) {
            return fromStorage(since);
        }
        return null;
    }

    private boolean withinAge(Tid since) {
        double ageSeconds = clock.instant().toEpochMilli() / 1000.0 - since.toEpochSeconds();
        return ageSeconds < maxAge.toMillis() / 1000.0;
    }

    private Invalidation fromStorage(Tid since) {
        Set<Oid> oids = new LinkedHashSet<>();
        Tid last = null;
        try (StorageIterator it = storage.iterator(since.next(), null)) {
            while (it.hasNext()) {
                TransactionRecord txn = it.next();
                txn.records().forEach(r -> oids.add(r.oid()));
                last = txn.tid();
            }
        }
        if (last == null) {
            // Nothing after `since`: the client is up to date as of the storage's last transaction.
            return new Invalidation(storage.lastTransaction(), List.of());
        }
        return new Invalidation(last, new ArrayList<>(oids));
    }

    /** Newest tid in the queue, or null when empty. */
    public synchronized Tid newestTid() {
        return entries.isEmpty() ? null : entries.peekLast().tid();
    }

    public synchronized int size() {
        return entries.size();
    }
}
