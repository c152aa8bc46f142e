package org.jzeo.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A main class of these tests run in its own JVM (this JVM's java and class path), so that it can be killed or
 * halt for real, and so that state such as a transaction manager's never leaks between tests. Its stdout is read
 * line by line (echoed with a prefix, unless {@code echo} says not to); lines can be sent to its stdin; its stderr
 * goes to a file.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final Predicate<String> echo;
    private final String failureMarker;
    private final Path stderr;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private int seen;
    private boolean ended;

    private ChildJvm(Process process, Predicate<String> echo, String failureMarker, Path stderr) {
        this.process = process;
        this.echo = echo;
        this.failureMarker = failureMarker;
        this.stderr = stderr;
        this.reader = new Thread(this::read, "child-" + process.pid() + "-stdout");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ChildJvm start(Class<?> mainClass, Path stderr, List<String> args) throws IOException {
        return start(mainClass, stderr, args, "128m", line -> true, null);
    }

    /**
     * Starts {@code mainClass args...} with {@code -Xmx<maxHeap>}. A line starting with {@code failureMarker}
     * (null: none) makes {@link #awaitNext} fail at once.
     */
    public static ChildJvm start(Class<?> mainClass, Path stderr, List<String> args, String maxHeap,
                                 Predicate<String> echo, String failureMarker) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
        return new ChildJvm(p, echo, failureMarker, stderr);
    }

    private void read() {
        String prefix = "[child " + process.pid() + "] ";
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
            System.out.println(prefix + "(reading stdout failed: " + e + ")");
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

    /** Waits for an output line matching; AssertionError with the output's tail if it ends or times out first. */
    String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError((ended ? "the child ended" : "timed out after " + timeout)
                            + " before the expected line; its last lines: "
                            + tail());
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next output line (after those this method returned before) starting with {@code prefix} and
     * returns the rest of it, trimmed. AssertionError with the output's tail if the child ends, reports its
     * failure or times out first.
     */
    public String awaitNext(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String line = lines.get(seen);
                    if (line.startsWith(prefix)) {
                        seen++;
                        return line.substring(prefix.length()).trim();
                    }
                    if (failureMarker != null && line.startsWith(failureMarker)) {
                        throw new AssertionError("the child failed: " + tail() + "\n(its stderr: " + stderr + ")");
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError((ended ? "the child ended" : "timed out after " + timeout)
                            + " before a line \"" + prefix + "...\"; its last lines: " + tail()
                            + "\n(its stderr: " + stderr + ")");
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private List<String> tail() {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Sends one line to the child's stdin. */
    public void send(String line) throws IOException {
        java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the child to exit and for the end of its output; returns its exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child was still running after " + timeout + "; its last lines: "
                    + tail());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** SIGKILL, then waits for the exit (status 137) and the end of its output. */
    void kill9() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " still running 30 s after SIGKILL");
        }
        if (process.exitValue() != 137) {
            throw new AssertionError("child " + process.pid() + " exited with " + process.exitValue()
                    + " instead of dying of SIGKILL");
        }
        reader.join(30_000);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
