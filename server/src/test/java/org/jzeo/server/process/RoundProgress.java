package org.jzeo.server.process;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Counts one round's acknowledged commits and ended clients, so the test can wait for either without sleeping. */
final class RoundProgress {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int acked;
    private int ended;

    void acked() {
        lock.lock();
        try {
            acked++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void clientEnded() {
        lock.lock();
        try {
            ended++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int ackedSoFar() {
        lock.lock();
        try {
            return acked;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code target} commits were acknowledged; returns false at once if a client ended first (it
     * failed: nothing stops a client but the kill) and throws if the timeout passes.
     */
    boolean awaitAcked(int target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (acked < target) {
                if (ended > 0) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + acked + " of " + target + " commits were acknowledged within "
                            + timeout);
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
