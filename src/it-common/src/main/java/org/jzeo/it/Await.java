package org.jzeo.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition that another process brings about, checking it a few times a second. */
public final class Await {
    private static final long POLL_MILLIS = 200;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; AssertionError naming {@code what} and the last value seen if it does
     * not within {@code timeout}.
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
