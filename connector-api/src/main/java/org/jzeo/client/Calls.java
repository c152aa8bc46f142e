package org.jzeo.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.StorageException;

/** Waiting for replies: the server's exceptions come out as they are, everything else as a StorageException. */
final class Calls {
    private Calls() {
    }

    /** Waits without a limit (a vote may wait for locks); a lost connection ends the wait. */
    static <T> T await(CompletableFuture<T> reply) {
        try {
            return reply.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DisconnectedException("interrupted while waiting for the server", e);
        }
    }

    static <T> T await(CompletableFuture<T> reply, Duration timeout, String what) {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new DisconnectedException(what + ": no answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DisconnectedException("interrupted while waiting for " + what, e);
        }
    }

    static RuntimeException unwrap(Throwable cause) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new StorageException(String.valueOf(cause.getMessage()), cause);
    }
}
