package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;

class InvalidationQueueTest {
    private final MemoryStorage storage = new MemoryStorage("1");
    private final List<Tid> tids = new ArrayList<>();

    private Tid commit(long... oids) {
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        for (long oid : oids) {
            Tid serial;
            try {
                serial = storage.getTid(Oid.of(oid));
            } catch (org.jzeo.api.POSKeyException e) {
                serial = Tid.ZERO;
            }
            txn.store(Oid.of(oid), serial, JzeoRecord.encode(List.of(), new byte[] {1}));
        }
        txn.vote();
        Tid tid = txn.finish();
        tids.add(tid);
        return tid;
    }

    @Test
    void isFilledFromTheStorageAtStartAndAnswersHitsAndEmptyLists() {
        commit(1);
        commit(2, 3);
        commit(3);
        commit(4);
        InvalidationQueue queue = new InvalidationQueue(storage, 3, null, InstantSource.system());
        assertThat(queue.size()).isEqualTo(3);
        Invalidation hit = queue.getInvalidations(tids.get(1));
        assertThat(hit.tid()).isEqualTo(tids.get(3));
        assertThat(hit.oids()).containsExactlyInAnyOrder(Oid.of(3), Oid.of(4));
        Invalidation upToDate = queue.getInvalidations(tids.get(3));
        assertThat(upToDate.tid()).isEqualTo(tids.get(3));
        assertThat(upToDate.oids()).isEmpty();
        assertThat(queue.getInvalidations(tids.get(0))).as("older than the oldest entry: drop the cache").isNull();
    }

    @Test
    void keepsOnlyTheNewestEntries() {
        InvalidationQueue queue = new InvalidationQueue(storage, 2, null, InstantSource.system());
        for (int i = 1; i <= 4; i++) {
            queue.add(commit(i), List.of(Oid.of(i)));
        }
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.getInvalidations(tids.get(2)).oids()).containsExactly(Oid.of(4));
        assertThat(queue.getInvalidations(tids.get(1))).as("as ZEO: the oldest entry must not be newer than the"
                + " client's tid").isNull();
    }

    @Test
    void invalidationAgeFallsBackToIteratingTheStorage() {
        for (int i = 1; i <= 5; i++) {
            commit(i);
        }
        Instant now = tids.get(4).toInstant().plusSeconds(10);
        InvalidationQueue young = new InvalidationQueue(storage, 1, Duration.ofSeconds(3600), () -> now);
        Invalidation fromLog = young.getInvalidations(tids.get(1));
        assertThat(fromLog.tid()).isEqualTo(tids.get(4));
        assertThat(fromLog.oids()).containsExactly(Oid.of(3), Oid.of(4), Oid.of(5));
        InvalidationQueue old = new InvalidationQueue(storage, 1, Duration.ofSeconds(1), () -> now);
        assertThat(old.getInvalidations(tids.get(1))).as("older than invalidation-age").isNull();
    }
}
