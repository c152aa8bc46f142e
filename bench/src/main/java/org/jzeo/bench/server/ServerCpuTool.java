package org.jzeo.bench.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.bench.BenchSupport;
import org.jzeo.server.cli.AdminConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's CPU time per request under a stock-ZEO-client-like load (issue 14): blocking connections from
 * this process ({@link AdminConnection}: one outstanding request per connection, each on its own thread, no
 * client cache), the server's user + system CPU read from {@code /proc/PID/stat} at the start and the end of
 * each measured window. Measures the jzeo server (its own JVM, {@link ServerProcess}) and, when {@code --python}
 * names a Python with ZEO 5.x installed, Python ZEO's runzeo ({@link PythonZeoServer}) side by side: each
 * (phase, connections) measurement runs on jzeo, then at once on Python, so both see the same machine load.
 *
 * <p>Each server is started once on a fresh Data.fs and kept for all rounds; {@code --objects} objects of
 * {@code --size} bytes are added first ({@code --per-txn} per transaction). Phases, at each count of
 * {@code --connections}:
 * <ul>
 *   <li><b>load</b>: {@code loadBefore(random populated oid, max tid)}, the stock client's request with an empty
 *       cache;</li>
 *   <li><b>commit</b>: 1-object update transactions (tpc_begin, storea with the serial from the last
 *       tpc_finish, vote, tpc_finish) on disjoint objects per connection; the other connections receive the
 *       invalidations and ignore them;</li>
 *   <li><b>mixed</b>: each connection does {@code --loads-per-commit} loads, then one such commit, repeatedly;
 *       operations = loads + commits.</li>
 * </ul>
 * Each phase runs {@code --warmup} seconds unmeasured, then {@code --duration} seconds measured. Output:
 * progress lines, a Markdown table per phase, and RESULT lines for the target (server CPU per loadBefore
 * at most 20 µs at 1 and at 16 connections). See bench/README.md, "Server CPU per request".
 */
@Command(name = "ServerCpuTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Server CPU time per request (from /proc) for jzeo and, optionally, Python ZEO 5.")
public final class ServerCpuTool implements Callable<Integer> {
    private static final double TARGET_LOAD_CPU_MICROS = 20;
    private static final byte[] USER = "servercpu".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DESC = "update".getBytes(StandardCharsets.UTF_8);

    @Option(names = "--python", paramLabel = "PATH", description = "A python3 executable with ZEO 5.4 installed:"
            + " also measure Python ZEO's server (runzeo), alternating with jzeo. Without it only jzeo runs.")
    String python;

    @Option(names = "--dir", description = "Directory for the servers' files, one subdirectory per server"
            + " (jzeo/, python/: Data.fs, server.log, zeo.conf); Data.fs is deleted and created anew"
            + " (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("bench/target/servercpu");

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the jzeo server process (repeatable),"
            + " e.g. -XX:StartFlightRecording=filename=bench/target/servercpu/server.jfr")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--objects", description = "Objects to add before measuring (default: ${DEFAULT-VALUE}).")
    int objects = 10_000;

    @Option(names = "--size", description = "Bytes per object record (a small ZODB-like pickle pair; min 80;"
            + " default: ${DEFAULT-VALUE}).")
    int size = 200;

    @Option(names = "--per-txn", description = "Objects per transaction when populating (default: ${DEFAULT-VALUE}).")
    int perTxn = 1000;

    @Option(names = "--connections", split = ",", description = "Connection counts for every phase"
            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> connections = List.of(1, 4, 16);

    @Option(names = "--phases", split = ",", description = "Phases among load,commit,mixed"
            + " (default: ${DEFAULT-VALUE}).")
    List<String> phases = List.of("load", "commit", "mixed");

    @Option(names = "--loads-per-commit", description = "Loads before each commit in the mixed phase"
            + " (default: ${DEFAULT-VALUE}).")
    int loadsPerCommit = 10;

    @Option(names = "--warmup", description = "Unmeasured seconds at the start of each phase"
            + " (default: ${DEFAULT-VALUE}).")
    double warmup = 3;

    @Option(names = "--duration", description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--rounds", description = "Repeat all phases this many times; the tables show the median"
            + " of the rounds (default: ${DEFAULT-VALUE}).")
    int rounds = 1;

    @Option(names = "--jzeo-jar", paramLabel = "NAME=JAR", description = "Also measure the jzeo server of another"
            + " build (its jzeo-server-*-all.jar), under the column NAME, side by side (repeatable), e.g."
            + " before=/tmp/before/jzeo-server-all.jar.")
    Map<String, Path> otherJzeo = new LinkedHashMap<>();

    @Option(names = "--timeout", description = "Connect timeout, server start timeout and the bound on a phase's"
            + " overrun, seconds (default: ${DEFAULT-VALUE}).")
    int timeout = 60;

    /** A server under test: its address, its process (for /proc) and the objects populated in it. */
    private static final class Server {
        final String kind;
        final InetSocketAddress address;
        final long pid;
        final Path log;
        final ServerProcess jzeo;
        final PythonZeoServer python;
        byte[][] oids;
        byte[][] serials;

        Server(String kind, ServerProcess jzeo, PythonZeoServer python) {
            this.kind = kind;
            this.jzeo = jzeo;
            this.python = python;
            this.address = jzeo != null ? jzeo.address() : python.address();
            this.pid = jzeo != null ? jzeo.pid() : python.pid();
            this.log = jzeo != null ? jzeo.log() : python.log();
        }

        long cpuNanos() {
            return ServerProcess.procCpuNanos(pid);
        }

        int stop() throws InterruptedException {
            return jzeo != null ? jzeo.stop(60) : python.stop(60);
        }
    }

    /** One measured window. */
    private record Sample(String phase, String kind, int round, int connections, long ops, double window,
                          double seconds, long serverCpuNanos, long clientCpuNanos, String failure) {
        /** Operations per second of the window in which they were counted. */
        double rate() {
            return window > 0 ? ops / window : 0;
        }

        /** Server CPU per operation in µs, or -1. */
        double cpuPerOp() {
            return ops > 0 && serverCpuNanos >= 0 ? serverCpuNanos / 1e3 / ops : -1;
        }

        /** Server CPU as a share of one core (1.0 = one core busy) over the CPU readings' interval, or -1. */
        double cpuShare() {
            return seconds > 0 && serverCpuNanos >= 0 ? serverCpuNanos / 1e9 / seconds : -1;
        }

        double clientCpuPerOp() {
            return ops > 0 && clientCpuNanos >= 0 ? clientCpuNanos / 1e3 / ops : -1;
        }

        double clientCpuShare() {
            return seconds > 0 && clientCpuNanos >= 0 ? clientCpuNanos / 1e9 / seconds : -1;
        }
    }

    private final List<Server> servers = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerCpuTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = new CommandLine(this);
        if (size < 80) {
            throw new CommandLine.ParameterException(cl, "--size must be at least 80");
        }
        for (String p : phases) {
            if (!List.of("load", "commit", "mixed").contains(p)) {
                throw new CommandLine.ParameterException(cl, "unknown phase " + p + " (load, commit, mixed)");
            }
        }
        if (objects < 1 || perTxn < 1 || rounds < 1 || loadsPerCommit < 0 || duration <= 0 || warmup < 0) {
            throw new CommandLine.ParameterException(cl, "--objects, --per-txn, --rounds must be positive,"
                    + " --duration > 0, --warmup and --loads-per-commit >= 0");
        }
        System.out.println("# jzeo ServerCpuTool " + now() + ", java " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + BenchSupport.loadAverage());
        System.out.printf(Locale.ROOT, "# %d objects of %d bytes; phases %s at %s connections; warm-up %s s,"
                        + " measured %s s, %d round(s); server CPU = utime + stime from /proc/PID/stat (10 ms ticks)%n",
                objects, size, phases, connections, fmt(warmup), fmt(duration), rounds);
        try {
            startServers();
            for (Server s : servers) {
                populate(s);
            }
            for (int round = 1; round <= rounds; round++) {
                for (String phase : phases) {
                    for (int n : connections) {
                        for (Server s : servers) {
                            Sample sample = run(s, phase, n, round);
                            if (sample != null) {
                                samples.add(sample);
                                progress(sample);
                            }
                        }
                    }
                }
            }
        } finally {
            for (Server s : servers) {
                int status = s.stop();
                System.out.println("# " + s.kind + " server stopped (SIGTERM), exit status " + status);
            }
            printTables();
            printTarget();
            System.out.println();
            System.out.println("# done " + now() + ", load average " + BenchSupport.loadAverage());
        }
        return samples.stream().anyMatch(s -> s.failure != null) ? 1 : 0;
    }

    // ----------------------------------------------------------------------------------------- servers

    private void startServers() throws IOException, InterruptedException {
        Path jzeoDir = dir.resolve("jzeo");
        java.nio.file.Files.createDirectories(jzeoDir);
        BenchSupport.deleteDataFs(jzeoDir);
        ServerProcess jzeo = ServerProcess.start(jzeoDir.resolve("Data.fs"), jzeoDir.resolve("server.log"),
                serverJvmOptions, timeout);
        servers.add(new Server("jzeo", jzeo, null));
        System.out.println("# jzeo server pid " + jzeo.pid() + " ready on " + jzeo.address() + ", log " + jzeo.log());
        for (Map.Entry<String, Path> other : otherJzeo.entrySet()) {
            Path otherDir = dir.resolve(other.getKey());
            java.nio.file.Files.createDirectories(otherDir);
            BenchSupport.deleteDataFs(otherDir);
            ServerProcess p = ServerProcess.start(other.getValue().toString(), otherDir.resolve("Data.fs"),
                    otherDir.resolve("server.log"), serverJvmOptions, timeout);
            servers.add(new Server(other.getKey(), p, null));
            System.out.println("# " + other.getKey() + " server pid " + p.pid() + " ready on " + p.address()
                    + ", log " + p.log());
        }
        if (python != null) {
            System.out.println("# python: " + python + ": " + PythonZeoServer.zeoVersion(python));
            Path pyDir = dir.resolve("python");
            java.nio.file.Files.createDirectories(pyDir);
            BenchSupport.deleteDataFs(pyDir);
            PythonZeoServer py = PythonZeoServer.start(python, pyDir, timeout);
            servers.add(new Server("python", null, py));
            System.out.println("# python server pid " + py.pid() + " ready on " + py.address() + ", log " + py.log());
        }
    }

    private AdminConnection connect(Server s) throws IOException {
        AdminConnection client = AdminConnection.open(s.address, s.kind + " " + s.address.getPort(),
                Duration.ofSeconds(timeout));
        try {
            client.register("1", false);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void populate(Server s) throws IOException {
        s.oids = new byte[objects][];
        s.serials = new byte[objects][];
        byte[] data = ZeoRequests.record(size, 1);
        byte[] desc = "add".getBytes(StandardCharsets.UTF_8);
        long cpu0 = s.cpuNanos();
        long start = System.nanoTime();
        int txns = 0;
        try (AdminConnection client = connect(s)) {
            List<byte[]> pool = new ArrayList<>();
            for (int created = 0; created < objects; ) {
                int n = Math.min(perTxn, objects - created);
                ZeoRequests.addObjects(client, pool, s.oids, s.serials, created, n, ++txns, USER, desc, data);
                created += n;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "# %s: populated %,d objects in %d transactions, %.2f s, server CPU %.0f ms%n",
                s.kind, objects, txns, seconds, (s.cpuNanos() - cpu0) / 1e6);
    }

    // ----------------------------------------------------------------------------------------- phases

    /** One operation of a worker on its own connection. */
    private interface Operation {
        void run() throws IOException;
    }

    private Operation operation(Server s, String phase, AdminConnection client, int index, int count) {
        byte[][] oids = s.oids;
        byte[][] serials = s.serials;
        int n = oids.length;
        Operation load = () -> {
            List<Object> r = client.loadBefore(Oid.fromBytes(oids[ThreadLocalRandom.current().nextInt(n)]), Tid.MAX);
            if (r == null || ((byte[]) r.get(0)).length != size) {
                throw new IOException("unexpected loadBefore result for an existing object: " + r);
            }
        };
        // Worker index updates objects index, index + count, index + 2 count, ... round-robin.
        byte[] data = ZeoRequests.record(size, 100 + index);
        long[] txn = {((long) index + 1) << 32};
        int[] next = {index};
        Operation commit = () -> {
            int i = next[0];
            next[0] = i + count < n ? i + count : index;
            serials[i] = ZeoRequests.updateOne(client, ++txn[0], USER, DESC, oids[i], serials[i], data);
        };
        return switch (phase) {
            case "load" -> load;
            case "commit" -> commit;
            default -> {
                int[] k = {0};
                yield () -> {
                    if (k[0]++ == loadsPerCommit) {
                        k[0] = 0;
                        commit.run();
                    } else {
                        load.run();
                    }
                };
            }
        };
    }

    /**
     * Runs {@code count} workers on server {@code s}, each on its own connection and thread, started together
     * once all have connected: {@code warmup} seconds unmeasured, then {@code duration} seconds measured. An
     * operation counts if it starts and completes inside the measured window; the server's and this process's
     * CPU are read at the window's start and end.
     */
    private Sample run(Server s, String phase, int count, int round) throws InterruptedException {
        if (!phase.equals("load") && count > s.oids.length) {
            System.out.println("# skipping " + phase + " with " + count + " connections on " + s.kind + ": only "
                    + s.oids.length + " objects");
            return null;
        }
        List<AdminConnection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                clients.add(connect(s));
            }
        } catch (IOException | RuntimeException e) {
            clients.forEach(AdminConnection::close);
            return new Sample(phase, s.kind, round, count, 0, 0, 0, -1, -1, "cannot connect: " + e);
        }
        long warmNanos = (long) (warmup * 1e9);
        long measureNanos = (long) (duration * 1e9);
        CountDownLatch go = new CountDownLatch(1);
        LongAdder measured = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] startTime = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Operation op = operation(s, phase, clients.get(i), i, count);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    long measureStart = startTime[0] + warmNanos;
                    long measureEnd = measureStart + measureNanos;
                    while (failure.get() == null) {
                        long t0 = System.nanoTime();
                        if (t0 >= measureEnd) {
                            break;
                        }
                        op.run();
                        if (t0 >= measureStart && System.nanoTime() < measureEnd) {
                            measured.increment();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "servercpu-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        startTime[0] = System.nanoTime();
        go.countDown();
        long measureStart = startTime[0] + warmNanos;
        long measureEnd = measureStart + measureNanos;
        sleepUntil(measureStart, failure);
        long cpu0 = s.cpuNanos();
        long own0 = ownCpu();
        long m0 = System.nanoTime();
        sleepUntil(measureEnd, failure);
        long m1 = System.nanoTime();
        long cpu1 = s.cpuNanos();
        long own1 = ownCpu();
        long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
        }
        boolean overran = threads.stream().anyMatch(Thread::isAlive);
        clients.forEach(AdminConnection::close); // also unblocks an overrunning worker
        for (Thread t : threads) {
            t.join(5_000);
        }
        String problem = failure.get() != null ? String.valueOf(failure.get())
                : overran ? "workers overran the phase by " + timeout + " s" : null;
        // Operations are counted in the workers' window of exactly --duration; the CPU readings bracket it as
        // closely as this thread wakes up, (m1 - m0) apart.
        return new Sample(phase, s.kind, round, count, measured.sum(), duration, (m1 - m0) / 1e9,
                cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, own0 < 0 || own1 < 0 ? -1 : own1 - own0, problem);
    }

    private static void sleepUntil(long nanoTime, AtomicReference<Throwable> failure) throws InterruptedException {
        while (failure.get() == null) {
            long left = nanoTime - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    private static long ownCpu() {
        return ServerProcess.procCpuNanos(ProcessHandle.current().pid());
    }

    // ----------------------------------------------------------------------------------------- output

    private void progress(Sample s) {
        System.out.printf(Locale.ROOT, "[round %d] %-6s %-6s connections=%-3d ops=%-8d %6.2f s %10s ops/s"
                        + "  server CPU %s µs/op (%s of a core)  client CPU %s µs/op (%s)  load avg %s%s%n",
                s.round, s.phase, s.kind, s.connections, s.ops, s.seconds, BenchSupport.rate(s.rate()),
                micros(s.cpuPerOp()), percent(s.cpuShare()), micros(s.clientCpuPerOp()), percent(s.clientCpuShare()),
                BenchSupport.loadAverage(), s.failure == null ? "" : "  FAILED: " + s.failure);
    }

    private static String phaseTitle(String phase, int loadsPerCommit) {
        return switch (phase) {
            case "load" -> "load: loadBefore(random populated oid, max tid); ops = loadBefore calls";
            case "commit" -> "commit: 1-object update transactions on disjoint objects; ops = transactions";
            default -> "mixed: " + loadsPerCommit + " loadBefore then one 1-object commit per connection;"
                    + " ops = loads + commits";
        };
    }

    /** The median over rounds of one figure, over the samples that did not fail; NaN if none. */
    private static double median(List<Sample> list, java.util.function.ToDoubleFunction<Sample> f) {
        double[] values = list.stream().filter(s -> s.failure == null).mapToDouble(f).filter(v -> v >= 0).toArray();
        return values.length == 0 ? Double.NaN : BenchSupport.median(values);
    }

    private List<Sample> select(String phase, String kind, int n) {
        return samples.stream().filter(s -> s.phase.equals(phase) && s.kind.equals(kind) && s.connections == n)
                .toList();
    }

    private void printTables() {
        List<String> kinds = servers.stream().map(s -> s.kind).toList();
        if (kinds.isEmpty() || samples.isEmpty()) {
            return;
        }
        boolean both = kinds.contains("python");
        for (String phase : phases) {
            System.out.println();
            System.out.println("### " + phaseTitle(phase, loadsPerCommit)
                    + (rounds > 1 ? " (median of " + rounds + " rounds)" : ""));
            System.out.println();
            StringBuilder head = new StringBuilder("| Connections |");
            StringBuilder rule = new StringBuilder("|---:|");
            for (String k : kinds) {
                head.append(' ').append(k).append(" ops/s | ").append(k).append(" server CPU µs/op | ").append(k)
                        .append(" server CPU % of 1 core |");
                rule.append("---:|---:|---:|");
            }
            List<String> compared = both ? kinds.stream().filter(k -> !k.equals("python")).toList() : List.of();
            for (String k : compared) {
                head.append(" ops/s ").append(k).append("/python | CPU per op ").append(k).append("/python |");
                rule.append("---:|---:|");
            }
            System.out.println(head);
            System.out.println(rule);
            for (int n : connections) {
                StringBuilder row = new StringBuilder("| " + n + " |");
                Map<String, double[]> figures = new LinkedHashMap<>();
                for (String k : kinds) {
                    List<Sample> list = select(phase, k, n);
                    boolean failed = list.stream().anyMatch(s -> s.failure != null);
                    double rate = median(list, Sample::rate);
                    double perOp = median(list, Sample::cpuPerOp);
                    double share = median(list, Sample::cpuShare);
                    figures.put(k, new double[] {rate, perOp});
                    row.append(' ').append(list.isEmpty() ? "—" : Double.isNaN(rate) ? "failed"
                                    : BenchSupport.rate(rate) + (failed ? " (some rounds failed)" : ""))
                            .append(" | ").append(micros(perOp)).append(" | ").append(percent(share)).append(" |");
                }
                for (String k : compared) {
                    double[] j = figures.get(k);
                    double[] p = figures.get("python");
                    row.append(' ').append(ratio(j[0], p[0])).append(" | ").append(ratio(j[1], p[1])).append(" |");
                }
                System.out.println(row);
            }
        }
    }

    /** RESULT lines for issue 14's target: server CPU per loadBefore at most 20 µs at 1 and at 16 connections. */
    private void printTarget() {
        if (!phases.contains("load") || samples.isEmpty()) {
            return;
        }
        System.out.println();
        String target = "server CPU per loadBefore <= " + fmt(TARGET_LOAD_CPU_MICROS) + " us at 1 and at 16"
                + " connections";
        Boolean met = true;
        for (int n : new int[] {1, 16}) {
            if (!connections.contains(n)) {
                System.out.println("RESULT jzeo server CPU per loadBefore at " + n + " connections: not measured"
                        + " (not in --connections)");
                met = null;
                continue;
            }
            double perOp = median(select("load", "jzeo", n), Sample::cpuPerOp);
            boolean ok = !Double.isNaN(perOp) && perOp <= TARGET_LOAD_CPU_MICROS;
            System.out.printf(Locale.ROOT, "RESULT jzeo server CPU per loadBefore at %d connection%s: %s us"
                            + " (target <= %s us): %s%n", n, n == 1 ? "" : "s", Double.isNaN(perOp) ? "n/a"
                            : String.format(Locale.ROOT, "%.1f", perOp), fmt(TARGET_LOAD_CPU_MICROS),
                    ok ? "MET" : "MISSED");
            if (met != null) {
                met = met && ok;
            }
            if (python != null) {
                double py = median(select("load", "python", n), Sample::cpuPerOp);
                System.out.printf(Locale.ROOT, "RESULT python server CPU per loadBefore at %d connection%s: %s us"
                        + " (reference, no target)%n", n, n == 1 ? "" : "s", Double.isNaN(py) ? "n/a"
                        : String.format(Locale.ROOT, "%.1f", py));
            }
        }
        System.out.println("RESULT target \"" + target + "\" (jzeo): "
                + (met == null ? "NOT MEASURED" : met ? "MET" : "MISSED"));
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "—" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String micros(double v) {
        return v < 0 || Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, v < 100 ? "%.1f" : "%.0f", v);
    }

    private static String percent(double share) {
        return share < 0 || Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
