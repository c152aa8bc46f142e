package org.jzeo.server.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jzeo.server.core.ServedStorage;

/**
 * Waits for a pack call to return and, each interval it has not, shows how far the pack has got: server_status's
 * {@code pack-progress}, read on a second, read-only connection (the first is busy with the pack call). Progress
 * is a courtesy: if it cannot be read (a server without the entry, a failed connection), the wait goes on silently
 * and the pack's own outcome is all that counts.
 */
final class PackWatcher implements AutoCloseable {
    /** Opens and registers the connection that reads the progress. */
    @FunctionalInterface
    interface StatusConnection {
        AdminConnection open() throws IOException;
    }

    private final StatusConnection connect;
    private final Duration interval;
    private final ProgressPrinter printer;
    private final String prefix;
    private AdminConnection status;
    private boolean unavailable;

    /**
     * @param prefix what each progress line starts with, e.g. "jzeo pack: storage '1' on 127.0.0.1:8100: "
     */
    PackWatcher(StatusConnection connect, Duration interval, ProgressPrinter printer, String prefix) {
        this.connect = connect;
        this.interval = interval;
        this.printer = printer;
        this.prefix = prefix;
    }

    /** The pack call's result, once it has one; its failure is thrown as it was (IOException or unchecked). */
    Object await(CompletableFuture<Object> pack) throws IOException, InterruptedException {
        long started = System.nanoTime();
        try {
            while (true) {
                try {
                    return pack.get(interval.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    progress().ifPresent(p -> printer.progress(prefix + p.describe() + ", "
                            + (System.nanoTime() - started) / 1_000_000_000 + " s so far"));
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } finally {
            printer.clear();
        }
    }

    private Optional<PackProgressReport> progress() {
        if (unavailable) {
            return Optional.empty();
        }
        try {
            if (status == null) {
                status = connect.open();
            }
            Map<String, Object> figures = WireMaps.stringKeys(status.call("server_status"), "server_status");
            return PackProgressReport.from(figures.get(ServedStorage.PACK_PROGRESS));
        } catch (IOException | RuntimeException e) {
            unavailable = true; // not worth failing, nor retrying every second, for a progress line
            close();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (status != null) {
            status.close();
            status = null;
        }
    }
}
