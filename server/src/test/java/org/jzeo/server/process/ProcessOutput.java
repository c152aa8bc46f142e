package org.jzeo.server.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The lines a child process writes to one of its streams, read by a daemon thread as they come (each echoed to this
 * JVM's stdout with a prefix when {@code echo} accepts it) and kept, so that a test can wait for a line instead of
 * sleeping. Thread-safe.
 */
public final class ProcessOutput {
    private final Thread reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ProcessOutput(InputStream stream, String prefix, Predicate<String> echo, String threadName) {
        this.reader = new Thread(() -> read(stream, prefix, echo), threadName);
        this.reader.setDaemon(true);
    }

    /** Starts reading {@code stream}; its lines are echoed as {@code prefix + line} when {@code echo} accepts them. */
    public static ProcessOutput follow(InputStream stream, String prefix, Predicate<String> echo, String threadName) {
        ProcessOutput output = new ProcessOutput(stream, prefix, echo, threadName);
        output.reader.start();
        return output;
    }

    private void read(InputStream stream, String prefix, Predicate<String> echo) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (echo.test(line)) {
                    System.out.println(prefix + line);
                }
                lock.lock();
                try {
                    lines.add(line);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            System.out.println(prefix + "(reading failed: " + e + ")");
        } finally {
            lock.lock();
            try {
                ended = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The index of the first line at or after {@code from} that {@code matches}, waiting for it up to
     * {@code timeout}; -1 if the stream ended or the time ran out first ({@link #ended()} tells which).
     */
    public int awaitMatch(int from, Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            int seen = from;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return seen;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    return -1;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The lines so far (a snapshot). */
    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** The last {@code count} lines so far, for assertion messages. */
    public List<String> tail(int count) {
        lock.lock();
        try {
            return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } finally {
            lock.unlock();
        }
    }

    /** True once the stream ended (the process closed it or exited). */
    public boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for the end of the stream; true if it ended. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
        return !reader.isAlive();
    }
}
