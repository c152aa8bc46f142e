package org.jzeo.server.storage.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.server.storage.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ObjectLocksTest {
    private static final Oid A = Oid.of(1);
    private static final Oid B = Oid.of(2);
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    private final Object first = "first owner";
    private final Object second = "second owner";
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    @Test
    void ownersOfDisjointObjectsDoNotWait() {
        ObjectLocks locks = new ObjectLocks(LONG_WAIT);
        locks.lockAll(first, oids(A));

        long started = System.nanoTime();
        locks.lockAll(second, oids(B));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to lock a free oid")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(locks.waitCount()).isZero();
        assertThat(locks.isLocked(A)).isTrue();
        assertThat(locks.isLocked(B)).isTrue();
    }

    @Test
    void anOwnerMayLockWhatItAlreadyHolds() {
        ObjectLocks locks = new ObjectLocks(LONG_WAIT);
        locks.lockAll(first, oids(A));

        locks.lockAll(first, oids(A, B));

        assertThat(locks.waitCount()).as("no wait on one's own lock").isZero();
        locks.unlockAll(first, oids(A, B));
        assertThat(locks.isLocked(A)).isFalse();
        assertThat(locks.isLocked(B)).isFalse();
    }

    @Test
    void aWaitThatOutlastsTheBoundIsAConflictNamingTheOid() {
        Duration bound = Duration.ofMillis(150);
        ObjectLocks locks = new ObjectLocks(bound);
        locks.lockAll(first, oids(A));

        long started = System.nanoTime();
        assertThatThrownBy(() -> locks.lockAll(second, oids(A))).isInstanceOfSatisfying(ConflictException.class,
                e -> {
                    assertThat(e.oid()).isEqualTo(A);
                    assertThat(e.committedSerial()).as("no serial is known for a lock timeout").isNull();
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited the whole bound")
                .isGreaterThanOrEqualTo(bound);
        assertThat(locks.waitCount()).isEqualTo(1);
        assertThat(locks.isLocked(A)).as("the holder keeps its lock").isTrue();
    }

    @Test
    void locksAreTakenInAscendingOrderAndATimeoutReleasesThoseAlreadyTaken() throws Exception {
        ObjectLocks locks = new ObjectLocks(Duration.ofMillis(300));
        locks.lockAll(first, oids(B));

        Future<?> waiter = pool.submit(() -> {
            locks.lockAll(second, oids(B, A));
            return null;
        });
        Await.until("the second owner to wait for B", () -> locks.waitCount() == 1);
        assertThat(locks.isLocked(A)).as("A, the lower oid, is taken before waiting for B").isTrue();

        assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConflictException.class);
        assertThat(locks.isLocked(A)).as("the timed-out owner gave A back").isFalse();
        assertThat(locks.isLocked(B)).as("the holder still holds B").isTrue();
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderReleasesIt() throws Exception {
        ObjectLocks locks = new ObjectLocks(LONG_WAIT);
        locks.lockAll(first, oids(A));
        Future<?> waiter = pool.submit(() -> {
            locks.lockAll(second, oids(A));
            return null;
        });
        Await.until("the second owner to wait for A", () -> locks.waitCount() == 1);
        assertThat(waiter.isDone()).as("the waiter is still waiting").isFalse();

        locks.unlockAll(first, oids(A));

        waiter.get(10, TimeUnit.SECONDS);
        locks.unlockAll(first, oids(A));
        assertThat(locks.isLocked(A)).as("the first owner cannot release the second owner's lock").isTrue();
        locks.unlockAll(second, oids(A));
        assertThat(locks.isLocked(A)).isFalse();
    }

    @Test
    void ownersLockingOverlappingSetsNeverDeadlock() throws Exception {
        ObjectLocks locks = new ObjectLocks(LONG_WAIT);
        List<Oid> shared = List.of(Oid.of(5), Oid.of(3), Oid.of(9), Oid.of(1));
        List<Oid> reversed = List.of(Oid.of(1), Oid.of(9), Oid.of(3), Oid.of(5));
        int rounds = 2000;
        Future<?> forward = pool.submit(() -> lockRepeatedly(locks, "forward", shared, rounds));
        Future<?> backward = pool.submit(() -> lockRepeatedly(locks, "backward", reversed, rounds));

        forward.get(30, TimeUnit.SECONDS);
        backward.get(30, TimeUnit.SECONDS);
        for (Oid oid : shared) {
            assertThat(locks.isLocked(oid)).as("%s released at the end", oid).isFalse();
        }
    }

    private static Void lockRepeatedly(ObjectLocks locks, String owner, List<Oid> order, int rounds) {
        for (int i = 0; i < rounds; i++) {
            // Whatever order the caller lists them in, the set sorts them: that is what prevents a deadlock.
            TreeSet<Oid> set = new TreeSet<>(order);
            locks.lockAll(owner, set);
            locks.unlockAll(owner, set);
        }
        return null;
    }

    private static TreeSet<Oid> oids(Oid... oids) {
        return new TreeSet<>(List.of(oids));
    }
}
