package org.jzeo.e2e;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition with a deadline. Conditions the tests wait on (a client's last tid, a thread's state)
 * have no notification of their own, so they are checked every millisecond or so; the wait ends as soon as the
 * condition holds, never after a fixed pause.
 */
final class Await {
    /** Generous: the machine has 2 shared cores and other builds run beside these tests. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {
    }

    /** Waits until {@code condition} holds; AssertionError with {@code what} after {@code timeout}. */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 100_000; // 0.1 ms, growing to 5 ms
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 5_000_000);
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted while waiting until " + what);
            }
        }
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    /** Like {@link #until} with a message computed at the timeout (for example with the current state). */
    static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        try {
            until("", timeout, condition);
        } catch (AssertionError e) {
            throw new AssertionError("timed out after " + timeout + " waiting until " + what.get());
        }
    }
}
