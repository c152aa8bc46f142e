package org.jzeo.server.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jzeo.server.CrashPoints;
import org.jzeo.server.cli.JzeoCommand;

/**
 * A jzeo server in its own JVM: {@code JzeoCommand serve -a 127.0.0.1:0 -f <Data.fs>} started with this JVM's
 * {@code java} and class path, so that a test can kill it for real (SIGKILL) or stop it as an operator would
 * (SIGTERM).
 *
 * <p>The server's stderr (its log, slf4j-simple) is read line by line by a daemon thread, kept in memory
 * ({@link #log()}) and echoed to this JVM's stdout with the prefix {@code [server <pid>]}. {@link #start} returns
 * once the server logged {@code "jzeo server ready on [/127.0.0.1:PORT]"}; every wait is on a condition with a
 * timeout, never a sleep. The server's stdout goes to {@code <data dir>/server-<pid>.stdout} (a JVM crash report
 * would land there).
 *
 * <p>Not thread-safe for control calls ({@link #kill9()}, {@link #stop()}); {@link #log()} may be called from any
 * thread.
 */
public final class ServerProcess implements AutoCloseable {
    /** How long a server may take to become ready: generous, the machine has 2 shared cores. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(45);
    /** How long a SIGKILLed or SIGTERMed server may take to be gone. */
    public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(45);
    /** Exit status Java reports for a process killed by signal 9 (128 + 9). */
    public static final int SIGKILL_EXIT_STATUS = 137;

    private static final Pattern READY =
            Pattern.compile("jzeo server ready on \\[[^\\]]*?/(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d+)[,\\]]");

    private final Process process;
    private final Path dataFile;
    private final List<String> extraArgs;
    private final ProcessOutput stderr;
    private final long startedNanos;
    private InetSocketAddress address;
    private Duration startupTime;

    private ServerProcess(Process process, Path dataFile, List<String> extraArgs, long startedNanos) {
        this.process = process;
        this.dataFile = dataFile;
        this.extraArgs = List.copyOf(extraArgs);
        this.startedNanos = startedNanos;
        this.stderr = ProcessOutput.follow(process.getErrorStream(), "[server " + process.pid() + "] ",
                line -> true, "server-" + process.pid() + "-stderr");
    }

    /**
     * Starts a server for {@code dataFile} (created if missing) and waits until it is ready. Here and below, a
     * {@code dataFile} whose name ends in {@code .conf} is a zeo.conf, served with {@code -C} instead of {@code -f}
     * (a PostgreSQL storage, several storages).
     */
    public static ServerProcess start(Path dataFile, String... extraArgs) throws IOException, InterruptedException {
        return start(dataFile, List.of(extraArgs), DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts {@code java -Xmx256m -cp <this class path> JzeoCommand serve -a 127.0.0.1:0 -f dataFile extraArgs...}
     * and waits until it logs that it is ready.
     *
     * @throws AssertionError if the server exits or stays silent for {@code timeout} instead, with its log
     */
    public static ServerProcess start(Path dataFile, List<String> extraArgs, Duration timeout)
            throws IOException, InterruptedException {
        return start(dataFile, 0, extraArgs, timeout);
    }

    /**
     * Starts a server for {@code dataFile} listening on 127.0.0.1:{@code port} (0: a port chosen by the system)
     * and waits until it is ready. A fixed port lets a test restart a server where its clients look for it (see
     * {@link #restart()}), or start a server at an address a client was told about before (a port reserved with
     * {@link #freePort()}).
     */
    public static ServerProcess start(Path dataFile, int port, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataFile, port, List.of(extraArgs), DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts {@code java -Xmx256m -cp <this class path> JzeoCommand serve -a 127.0.0.1:PORT -f dataFile
     * extraArgs...} and waits until it logs that it is ready. With a fixed port, a start that fails only because
     * the port is still taken (a server killed a moment ago) is tried again until {@code timeout}.
     *
     * @throws AssertionError if the server exits or stays silent for {@code timeout} instead, with its log
     */
    public static ServerProcess start(Path dataFile, int port, List<String> extraArgs, Duration timeout)
            throws IOException, InterruptedException {
        return start(dataFile, port, extraArgs, timeout, null);
    }

    /**
     * Starts a server armed to stop at {@code crashPoint} ({@code name} or {@code name@n}, see
     * {@link CrashPoints}); {@link #awaitCrashPoint} then waits until it is there. A
     * {@link #restart()} is not armed.
     */
    public static ServerProcess startArmed(String crashPoint, Path dataFile, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataFile, 0, List.of(extraArgs), DEFAULT_START_TIMEOUT, crashPoint);
    }

    /**
     * {@link #startArmed(String, Path, String...)} on 127.0.0.1:{@code port}: a test that arms server after server
     * at one address keeps its clients, which reconnect to each (a port still taken by a server killed a moment
     * ago is tried again, as {@link #start(Path, int, List, Duration)} does).
     */
    public static ServerProcess startArmed(String crashPoint, Path dataFile, int port, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataFile, port, List.of(extraArgs), DEFAULT_START_TIMEOUT, crashPoint);
    }

    private static boolean isCrashPointLine(String line) {
        return line.contains("jzeo crash point ") && line.contains(" reached");
    }

    /** Waits until the armed crash point is reached; the server then waits to be killed. */
    public void awaitCrashPoint(Duration timeout) throws InterruptedException {
        if (!awaitLogLine(ServerProcess::isCrashPointLine, timeout)) {
            throw new AssertionError("server " + pid() + " did not reach its crash point within " + timeout
                    + "; its log:\n" + logText());
        }
    }

    private static ServerProcess start(Path dataFile, int port, List<String> extraArgs, Duration timeout,
                                       String crashPoint) throws IOException, InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
            try {
                return startOnce(dataFile, port, extraArgs, left, crashPoint);
            } catch (AssertionError e) {
                boolean portTaken = port != 0 && String.valueOf(e.getMessage()).contains("already in use");
                if (!portTaken || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                System.out.println("[ServerProcess] port " + port + " still in use; starting again");
            }
        }
    }

    /**
     * A child inherits an ignored SIGHUP (a build started under nohup), and a JVM never sees an ignored signal: then
     * start the server through coreutils' {@code env --default-signal=HUP}, so a test can send it SIGHUP as an
     * operator would. Empty otherwise.
     */
    private static final List<String> HANGUP_RESET = hangupReset();

    private static List<String> hangupReset() {
        try {
            if (!org.jzeo.server.cli.HangupSignal.ignoredAtStart()) {
                return List.of();
            }
            List<String> reset = List.of("env", "--default-signal=HUP");
            List<String> probe = new ArrayList<>(reset);
            probe.add("true");
            return new ProcessBuilder(probe).start().waitFor() == 0 ? reset : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static String storageFlag(Path dataFile) {
        return dataFile.getFileName().toString().endsWith(".conf") ? "-C" : "-f";
    }

    private static ServerProcess startOnce(Path dataFile, int port, List<String> extraArgs, Duration timeout,
                                           String crashPoint) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(HANGUP_RESET);
        command.addAll(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                JzeoCommand.class.getName(), "serve", "-a", "127.0.0.1:" + port, storageFlag(dataFile),
                dataFile.toString()));
        command.addAll(extraArgs);
        Path folder = dataFile.toAbsolutePath().getParent();
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("server-stdout.log").toFile()));
        builder.environment().remove(CrashPoints.VARIABLE);
        if (crashPoint != null) {
            builder.environment().put(CrashPoints.VARIABLE, crashPoint);
        }
        Process process = builder.start();
        ServerProcess server = new ServerProcess(process, dataFile, extraArgs, started);
        try {
            server.awaitReady(timeout, crashPoint != null);
        } catch (AssertionError | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * A new server for the same Data.fs, on the same port and with the same extra arguments, once this one is
     * gone (after {@link #kill9()} or {@link #stop()}): what clients configured with this server's address
     * reconnect to.
     *
     * @throws IllegalStateException if this server is still running
     */
    public ServerProcess restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("server " + pid() + " is still running; kill or stop it first");
        }
        return start(dataFile, address.getPort(), extraArgs, DEFAULT_START_TIMEOUT);
    }

    /**
     * A loopback port that was free a moment ago (the system chose it, then it was released): for a server that
     * a test starts later at an address its clients already know. Another process could take it meanwhile; on a
     * test machine that is unlikely enough.
     */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** Waits for the ready line; an armed server may instead stop at its crash point while starting. */
    private void awaitReady(Duration timeout, boolean armed) throws InterruptedException {
        int line = stderr.awaitMatch(0, l -> READY.matcher(l).find() || armed && isCrashPointLine(l), timeout);
        if (line >= 0 && isCrashPointLine(stderr.lines().get(line))) {
            return;
        }
        if (line < 0) {
            throw new AssertionError(stderr.ended()
                    ? "the server exited before it was ready (exit status " + exitStatusIfDone() + "); its log:\n"
                            + logText()
                    : "the server did not log \"jzeo server ready on\" within " + timeout + "; its log so far:\n"
                            + logText());
        }
        Matcher ready = READY.matcher(stderr.lines().get(line));
        if (!ready.find()) {
            throw new IllegalStateException("the ready line no longer matches");
        }
        startupTime = Duration.ofNanos(System.nanoTime() - startedNanos);
        address = new InetSocketAddress(ready.group(1), Integer.parseInt(ready.group(2)));
    }

    // ---------------------------------------------------------------- state

    /** The address the server listens on: 127.0.0.1 and the port it logged. */
    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    public Path dataFile() {
        return dataFile;
    }

    /** The arguments given after {@code -f <Data.fs>}. */
    public List<String> extraArgs() {
        return extraArgs;
    }

    /** The address as a client option wants it: {@code "127.0.0.1:PORT"}. */
    public String hostPort() {
        return address.getHostString() + ":" + address.getPort();
    }

    /** From starting the JVM to the "ready" line. */
    public Duration startupTime() {
        return startupTime;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The lines the server wrote to stderr so far (a snapshot). */
    public List<String> log() {
        return stderr.lines();
    }

    /** {@link #log()} as one text, for assertion messages. */
    public String logText() {
        return String.join("\n", log());
    }

    /** Waits until a log line matches; false if none did within {@code timeout} or the log ended first. */
    public boolean awaitLogLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        return stderr.awaitMatch(0, matches, timeout) >= 0;
    }

    // ---------------------------------------------------------------- ending it

    /**
     * SIGKILL through {@code process.toHandle().destroyForcibly()} (unlike {@code Process.destroyForcibly()} it
     * leaves our ends of the pipes alone), then waits for the exit and checks it was signal 9.
     *
     * @throws AssertionError if the process does not die in time or its exit status is not 137
     */
    public void kill9() throws InterruptedException {
        if (!process.toHandle().destroyForcibly()) {
            throw new AssertionError("SIGKILL could not be sent to server " + pid() + " (alive: "
                    + process.isAlive() + ")");
        }
        int status = awaitExit();
        if (status != SIGKILL_EXIT_STATUS) {
            throw new AssertionError("server " + pid() + " should have died of SIGKILL (exit status "
                    + SIGKILL_EXIT_STATUS + "), exit status " + status + "; its log:\n" + logText());
        }
        awaitStderrEnd();
    }

    /**
     * SIGTERM through {@code process.toHandle().destroy()}: the operator's graceful stop. Waits for the exit and
     * checks that it was clean: exit status 0, the log says every storage (here: our Data.fs) was closed and
     * nothing about failing to save the index, and {@code Data.fs.jzindex} exists.
     *
     * @throws AssertionError for any of those not holding, with the server's log
     */
    public void stop() throws InterruptedException {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("SIGTERM could not be sent to server " + pid() + " (alive: "
                    + process.isAlive() + ")");
        }
        int status = awaitExit();
        awaitStderrEnd();
        String log = logText();
        if (status != 0) {
            throw new AssertionError("after SIGTERM the server must exit cleanly with status 0, it exited with "
                    + status + "; its log:\n" + log);
        }
        String closed = dataFile + ": closed at offset ";
        if (log().stream().noneMatch(l -> l.contains(closed))) {
            throw new AssertionError("after SIGTERM the log must say \"" + closed + "...\"; its log:\n" + log);
        }
        if (log.contains("could not save the index")) {
            throw new AssertionError("the index was not saved at shutdown; its log:\n" + log);
        }
        Path index = dataFile.resolveSibling(dataFile.getFileName() + ".jzindex");
        if (!Files.isRegularFile(index)) {
            throw new AssertionError("after a graceful stop " + index + " must exist; its log:\n" + log);
        }
    }

    private int awaitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().destroyForcibly();
            throw new AssertionError("server " + pid() + " was still running " + EXIT_TIMEOUT
                    + " after the signal; its log:\n" + logText());
        }
        return process.exitValue();
    }

    /** After the process is gone its stderr ends; wait for the reader to have every line. */
    private void awaitStderrEnd() throws InterruptedException {
        if (!stderr.awaitEnd(EXIT_TIMEOUT)) {
            throw new AssertionError("the server's stderr did not end after it exited");
        }
    }

    private String exitStatusIfDone() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** Kills the server if it is still running (cleanup after a failed test); no checks. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
