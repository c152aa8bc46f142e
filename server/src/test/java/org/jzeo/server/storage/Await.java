package org.jzeo.server.storage;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests by polling it, failing with a description when it never comes true. */
public final class Await {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    public static void until(String expectation, BooleanSupplier condition) {
        until(expectation, condition, DEFAULT_TIMEOUT);
    }

    public static void until(String expectation, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected " + expectation + " within " + timeout.toMillis() + " ms");
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    /** Until {@code thread} is parked in a wait (untimed or timed), e.g. for a lock. */
    public static void untilBlocked(Thread thread) {
        until(thread.getName() + " to be blocked waiting", () -> {
            Thread.State state = thread.getState();
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        });
    }
}
