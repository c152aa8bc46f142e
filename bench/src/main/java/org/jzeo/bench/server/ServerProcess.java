package org.jzeo.bench.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A jzeo server in its own JVM: {@code java -Xmx512m [opts] -cp <this jar> org.jzeo.server.cli.JzeoCommand serve
 * -a 127.0.0.1:0 -f Data.fs} (or {@code -C zeo.conf}), stderr and stdout to a log file. Port 0 lets the kernel pick a free port; the
 * bound address is read from the "jzeo server ready on [/127.0.0.1:PORT]" log line. Stopped with SIGTERM
 * ({@link Process#destroy()} on Linux), which closes the storage cleanly.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("jzeo server ready on \\[[^\\]]*?/?([0-9.]+):(\\d+)");

    private final Process process;
    private final Path log;
    private final InetSocketAddress address;

    private ServerProcess(Process process, Path log, InetSocketAddress address) {
        this.process = process;
        this.log = log;
        this.address = address;
    }

    public static ServerProcess start(Path dataFs, Path log, List<String> jvmOptions, int readyTimeoutSeconds)
            throws IOException, InterruptedException {
        return start(System.getProperty("java.class.path"), dataFs, log, jvmOptions, readyTimeoutSeconds);
    }

    /** As above, with the server's classes from {@code classpath} (e.g. another build's server jar). */
    public static ServerProcess start(String classpath, Path dataFs, Path log, List<String> jvmOptions,
                                      int readyTimeoutSeconds) throws IOException, InterruptedException {
        return start(classpath, dataFs, log, jvmOptions, List.of(), readyTimeoutSeconds);
    }

    /** As above, with more {@code jzeo serve} arguments (e.g. {@code --blob-dir DIR}). */
    public static ServerProcess start(String classpath, Path dataFs, Path log, List<String> jvmOptions,
                                      List<String> serveArgs, int readyTimeoutSeconds)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-f", dataFs.toString()));
        args.addAll(serveArgs);
        return launch(classpath, args, log, jvmOptions, readyTimeoutSeconds);
    }

    /**
     * A server of the storage a zeo.conf describes ({@code serve -C zeoConf}), e.g. RelStorage's
     * {@code <relstorage>} section: several such servers over one PostgreSQL database make a cluster.
     */
    public static ServerProcess startWithConfig(Path zeoConf, Path log, List<String> jvmOptions,
                                                int readyTimeoutSeconds) throws IOException, InterruptedException {
        return launch(System.getProperty("java.class.path"), List.of("-C", zeoConf.toString()), log, jvmOptions,
                readyTimeoutSeconds);
    }

    private static ServerProcess launch(String classpath, List<String> storageArgs, Path log, List<String> jvmOptions,
                                        int readyTimeoutSeconds) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx512m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add("org.jzeo.server.cli.JzeoCommand");
        command.add("serve");
        command.add("-a");
        command.add("127.0.0.1:0");
        command.addAll(storageArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
        System.out.println("# server: " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = READY.matcher(text);
            if (m.find()) {
                return new ServerProcess(p, log, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
            }
            if (!p.isAlive()) {
                throw new IOException("the server exited with status " + p.exitValue() + " before it was ready;"
                        + " see " + log);
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IOException("the server was not ready after " + readyTimeoutSeconds + " s; see " + log);
    }

    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** User + system CPU time of the server process so far, in ns (from /proc), or -1 if unknown. */
    public long cpuNanos() {
        return procCpuNanos(process.pid());
    }

    /** User + system CPU time of a process from {@code /proc/PID/stat} (fields 14 and 15, in clock ticks). */
    static long procCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * (1_000_000_000L / 100); // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time (user + system, ns) of each live server thread so far, by thread id, keyed
     * {@code "TID NAME"} where NAME is {@code /proc/PID/task/TID/comm} (at most 15 characters) without trailing
     * digits and dashes, e.g. "nioEventLoopGro", "jzeo-read", "jzeo-commit", "GC Thread#", "C2 CompilerThre".
     * Empty if unknown. Keyed by thread so that threads ending between two samples do not make a group's
     * difference negative (their last CPU is lost instead, a small error).
     */
    Map<String, Long> threadCpuNanos() {
        Map<String, Long> threads = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[-0-9]+$", "");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ns = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / 100);
                    threads.put(task.getFileName() + " " + name, ns);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return threads;
    }

    /** User and system CPU time of the server process so far, in ns: {user, system}, or {-1, -1}. */
    long[] userSystemNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) * 10_000_000L, Long.parseLong(f[12]) * 10_000_000L};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** SIGTERM, then wait up to {@code seconds}; SIGKILL if it is still running. Returns the exit status. */
    public int stop(int seconds) throws InterruptedException {
        return org.jzeo.bench.BenchSupport.stopProcess(process, seconds, "server");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(30);
        }
    }
}
