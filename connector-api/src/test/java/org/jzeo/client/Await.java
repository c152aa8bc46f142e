package org.jzeo.client;

import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline, never a fixed sleep. */
final class Await {
    private Await() {
    }

    static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }
}
