package org.jzeo.server.storage.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.Await;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommitSequencerTest {
    private static final Instant TEN_O_CLOCK = Instant.parse("2024-05-01T10:00:00Z");

    private final ManualClock clock = new ManualClock(TEN_O_CLOCK);
    private final FakeTarget target = new FakeTarget();
    private final CommitSequencer<Tid> sequencer = new CommitSequencer<>(target, clock);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        target.openSyncGate();
        pool.shutdownNow();
    }

    @Test
    void aCommitGetsTheClocksTimestampAndIsPublishedWhenItReturns() {
        Tid tid = sequencer.commit(transaction(), null);

        assertThat(tid).isEqualTo(Tid.fromInstant(TEN_O_CLOCK));
        assertThat(target.published).as("published before commit returns").containsExactly(tid);
        assertThat(sequencer.syncCount()).isEqualTo(1);
    }

    @Test
    void tidsStrictlyIncreaseWhenTheClockStandsStillOrGoesBack() {
        Tid first = sequencer.commit(transaction(), null);
        Tid sameTime = sequencer.commit(transaction(), null);
        clock.set(TEN_O_CLOCK.minusSeconds(3600));
        Tid clockBack = sequencer.commit(transaction(), null);
        clock.set(TEN_O_CLOCK.plusSeconds(1));
        Tid clockAhead = sequencer.commit(transaction(), null);

        assertThat(sameTime).as("same clock reading: the next timestamp after the last").isEqualTo(first.next());
        assertThat(clockBack).as("clock went back an hour: still the next after the last")
                .isEqualTo(sameTime.next());
        assertThat(clockAhead).as("the clock is ahead again: its timestamp")
                .isEqualTo(Tid.fromInstant(TEN_O_CLOCK.plusSeconds(1)));
    }

    @Test
    void anExplicitTidIsUsedAsIsWhenItIncreasesAndRefusedOtherwise() {
        Tid last = sequencer.commit(transaction(), null);
        Tid explicit = Tid.fromInstant(TEN_O_CLOCK.minusSeconds(1).plusSeconds(3600));

        assertThat(sequencer.commit(transaction(explicit), null)).as("an explicit tid ignores the clock")
                .isEqualTo(explicit);
        assertThatThrownBy(() -> sequencer.commit(transaction(explicit), null)).as("an explicit tid equal to the last")
                .isInstanceOf(StorageTransactionException.class);
        assertThatThrownBy(() -> sequencer.commit(transaction(last), null)).as("an explicit tid below the last")
                .isInstanceOf(StorageTransactionException.class);
        assertThat(target.appended).as("refused transactions are not appended").containsExactly(last, explicit);
        assertThat(sequencer.commit(transaction(), null)).as("commits go on after a refusal").isEqualTo(explicit.next());
    }

    @Test
    void committersFinishingTogetherShareOneSyncAndArePublishedInAppendOrder() throws Exception {
        target.closeSyncGate();
        Future<Tid> leader = pool.submit(() -> sequencer.commit(transaction(), null));
        assertThat(target.syncEntered.await(10, TimeUnit.SECONDS)).as("the first committer is syncing").isTrue();

        List<Future<Tid>> followers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            followers.add(pool.submit(() -> sequencer.commit(transaction(), null)));
        }
        Await.until("all 5 transactions appended while the first sync runs", () -> target.appended.size() == 5);
        assertThat(target.published).as("nothing is visible before its sync").isEmpty();
        target.openSyncGate();

        List<Tid> returned = new ArrayList<>();
        returned.add(leader.get(10, TimeUnit.SECONDS));
        for (Future<Tid> f : followers) {
            returned.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(sequencer.syncCount()).as("syncs for 5 commits (group commit)").isLessThan(5);
        assertThat(sequencer.publishedCount()).isEqualTo(5);
        assertThat(target.published).as("published in append order").containsExactlyElementsOf(target.appended);
        assertThat(returned).containsExactlyInAnyOrderElementsOf(target.appended);
        for (int i = 1; i < target.appended.size(); i++) {
            assertThat(target.appended.get(i)).isGreaterThan(target.appended.get(i - 1));
        }
    }

    @Test
    void anInterruptedWaiterStillGetsItsTidAndKeepsTheInterrupt() throws Exception {
        target.closeSyncGate();
        Future<Tid> leader = pool.submit(() -> sequencer.commit(transaction(), null));
        assertThat(target.syncEntered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Thread> followerThread = new CompletableFuture<>();
        Future<Boolean> followerInterrupted = pool.submit(() -> {
            followerThread.complete(Thread.currentThread());
            sequencer.commit(transaction(), null);
            return Thread.currentThread().isInterrupted();
        });
        Await.until("the follower appended", () -> target.appended.size() == 2);
        followerThread.get(10, TimeUnit.SECONDS).interrupt();
        target.openSyncGate();

        assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(target.appended.get(0));
        assertThat(followerInterrupted.get(10, TimeUnit.SECONDS)).as("interrupt restored after the commit").isTrue();
        assertThat(target.published).containsExactlyElementsOf(target.appended);
    }

    @Test
    void aFailedSyncFailsItsBatchAndRefusesEveryLaterCommit() throws Exception {
        target.closeSyncGate();
        target.syncFailure = new IOException("disk on fire");
        Future<Tid> leader = pool.submit(() -> sequencer.commit(transaction(), null));
        assertThat(target.syncEntered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Tid> follower = pool.submit(() -> sequencer.commit(transaction(), null));
        Await.until("the second transaction appended", () -> target.appended.size() == 2);
        target.openSyncGate();

        assertThat(failureOf(leader)).isInstanceOf(StorageException.class).hasRootCauseMessage("disk on fire");
        assertThat(failureOf(follower)).as("a commit waiting for the failed sync fails too")
                .isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> sequencer.commit(transaction(), null)).isInstanceOf(StorageException.class);
        assertThat(target.appended).as("nothing appended after the failure").hasSize(2);
        assertThat(target.published).isEmpty();
    }

    @Test
    void aFailedPublishFailsTheCommitAndRefusesLaterOnesInsteadOfHanging() throws Exception {
        target.publishFailure = new IllegalStateException("index broken");

        Future<Tid> first = pool.submit(() -> sequencer.commit(transaction(), null));
        assertThat(failureOf(first)).isInstanceOf(StorageException.class).hasRootCauseMessage("index broken");

        Future<Tid> second = pool.submit(() -> sequencer.commit(transaction(), null));
        assertThat(failureOf(second)).as("the storage's state is unknown after a failed publish")
                .isInstanceOf(StorageException.class);
    }

    private static Throwable failureOf(Future<Tid> future) throws Exception {
        try {
            Tid tid = future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the commit to fail, but it committed " + tid);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static PreparedTransaction transaction() {
        return new PreparedTransaction(TransactionMetadata.empty(), List.of());
    }

    private static PreparedTransaction transaction(Tid explicit) {
        return new PreparedTransaction(new TransactionMetadata(null, null, null, explicit, ' '), List.of());
    }

    /** A clock the test sets by hand. */
    private static final class ManualClock implements InstantSource {
        private volatile Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Records appends, syncs and publications; its sync can be held on a gate or made to fail. */
    private static final class FakeTarget implements CommitTarget<Tid> {
        final List<Tid> appended = Collections.synchronizedList(new ArrayList<>());
        final List<Tid> published = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch syncEntered = new CountDownLatch(1);
        final AtomicInteger syncs = new AtomicInteger();
        volatile CountDownLatch syncGate = new CountDownLatch(0);
        volatile IOException syncFailure;
        volatile RuntimeException publishFailure;
        private volatile Tid last = Tid.ZERO;

        void closeSyncGate() {
            syncGate = new CountDownLatch(1);
        }

        void openSyncGate() {
            syncGate.countDown();
        }

        @Override
        public Tid currentSerial(Oid oid) {
            return null;
        }

        @Override
        public List<Oid> undoableOids(Tid tid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PreparedRecord> planUndo(Tid tid, Map<Oid, PreparedRecord> pending) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RecordSource restoreSource(Oid oid, Tid prevTxn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tid append(PreparedTransaction txn, Tid tid) {
            appended.add(tid);
            last = tid;
            return tid;
        }

        @Override
        public void sync() throws IOException {
            syncEntered.countDown();
            try {
                if (!syncGate.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the sync gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            syncs.incrementAndGet();
            if (syncFailure != null) {
                throw syncFailure;
            }
        }

        @Override
        public void publish(Tid appendedTid) {
            if (publishFailure != null) {
                throw publishFailure;
            }
            published.add(appendedTid);
        }

        @Override
        public Tid lastAppendedTid() {
            return last;
        }
    }
}
