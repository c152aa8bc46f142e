package org.jzeo.server.net;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Captures the server's log lines while a test runs. slf4j-simple writes every line to whatever
 * {@code System.err} is at that moment, so this puts a tee in its place (the original stream still gets
 * everything) and keeps the lines. Close it to put the original stream back. Tests in a module run one at a time
 * (surefire: one fork, sequential), so swapping the global stream is safe.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    private LogCapture() {
        this.original = System.err;
    }

    static LogCapture start() {
        LogCapture capture = new LogCapture();
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                capture.original.write(b);
                capture.append(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                capture.original.write(b, off, len);
                capture.append(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        return capture;
    }

    private synchronized void append(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                lines.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                notifyAll();
            } else {
                partial.write(b[i]);
            }
        }
    }

    /** The complete lines captured so far. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * Waits for a line matching {@code condition}; returns it, or null if none came within {@code timeout}.
     */
    synchronized String await(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < lines.size(); checked++) {
                if (condition.test(lines.get(checked))) {
                    return lines.get(checked);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
