package org.jzeo.example.bank;

import jakarta.transaction.RollbackException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.StorageException;

/**
 * When a failed transaction is worth running again: jzeo says so for conflicts and lost connections
 * ({@link StorageException#isRetryable()}), and a commit the transaction manager had to roll back (a resource voted
 * no at prepare, as jzeo does for a write-write conflict it sees only then) surfaces as a {@link RollbackException}.
 */
final class Retries {
    static final int MAX_ATTEMPTS = 50;

    private Retries() {
    }

    static boolean isRetryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StorageException storage) {
                return storage.isRetryable();
            }
            if (t instanceof RollbackException) {
                return true;
            }
        }
        return false;
    }

    /** A short random pause growing with the attempt, so that conflicting transfers stop meeting in lockstep. */
    static void backOff(int attempt) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(1, 5 * Math.min(attempt, 20) + 2));
    }
}
