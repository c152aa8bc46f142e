package org.jzeo.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jzeo.server.process.ProcessOutput;

/**
 * A main class of these tests run in its own JVM (this JVM's java and class path), so that it can be killed or
 * halt for real, and so that state such as a transaction manager's never leaks between tests. Its stdout is read
 * line by line (echoed with a prefix, unless {@code echo} says not to); lines can be sent to its stdin; its stderr
 * goes to a file.
 */
public final class ChildJvm implements AutoCloseable {
    private static final int TAIL_LINES = 40;

    private final Process process;
    private final ProcessOutput stdout;
    private final String failureMarker;
    private final Path stderr;
    /** Lines before this index were passed over by {@link #awaitNext} (only the test thread calls it). */
    private int seen;

    private ChildJvm(Process process, Predicate<String> echo, String failureMarker, Path stderr) {
        this.process = process;
        this.failureMarker = failureMarker;
        this.stderr = stderr;
        this.stdout = ProcessOutput.follow(process.getInputStream(), "[child " + process.pid() + "] ", echo,
                "child-" + process.pid() + "-stdout");
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

    /** Waits for an output line matching; AssertionError with the output's tail if it ends or times out first. */
    String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        int line = stdout.awaitMatch(seen, matches, timeout);
        if (line < 0) {
            throw new AssertionError((stdout.ended() ? "the child ended" : "timed out after " + timeout)
                    + " before the expected line; its last lines: " + stdout.tail(TAIL_LINES));
        }
        seen = line;
        return stdout.lines().get(line);
    }

    /**
     * Waits for the next output line (after those this method returned before) starting with {@code prefix} and
     * returns the rest of it, trimmed. AssertionError with the output's tail if the child ends, reports its
     * failure or times out first.
     */
    public String awaitNext(String prefix, Duration timeout) throws InterruptedException {
        int index = stdout.awaitMatch(seen, l -> l.startsWith(prefix)
                || (failureMarker != null && l.startsWith(failureMarker)), timeout);
        if (index < 0) {
            throw new AssertionError((stdout.ended() ? "the child ended" : "timed out after " + timeout)
                    + " before a line \"" + prefix + "...\"; its last lines: " + stdout.tail(TAIL_LINES)
                    + "\n(its stderr: " + stderr + ")");
        }
        String line = stdout.lines().get(index);
        if (!line.startsWith(prefix)) {
            throw new AssertionError("the child failed: " + stdout.tail(TAIL_LINES) + "\n(its stderr: " + stderr
                    + ")");
        }
        seen = index + 1;
        return line.substring(prefix.length()).trim();
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
                    + stdout.tail(TAIL_LINES));
        }
        stdout.awaitEnd(timeout);
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
        stdout.awaitEnd(Duration.ofSeconds(30));
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
