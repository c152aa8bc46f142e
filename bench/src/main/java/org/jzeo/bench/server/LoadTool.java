package org.jzeo.bench.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.cli.AdminConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A zodbshootout-style load generator for the jzeo server, over the ZEO 5 wire protocol with blocking clients
 * ({@link AdminConnection}: one outstanding request per connection, like one ZODB client thread, and no client
 * cache). It starts a server in its own JVM on a fresh Data.fs (fsync on, the default) on a free loopback port,
 * or uses {@code --address}, and measures in this order:
 *
 * <ol>
 *   <li><b>add</b>: {@code --objects} new objects of {@code --size} bytes, {@code --per-txn} per transaction, one
 *       client (new_oids, tpc_begin, storea × n, vote, tpc_finish): objects/s. Bounded by the count and by
 *       {@code --add-timeout}.</li>
 *   <li>(control) <b>ping</b>: {@code ping()} round trips over {@code --ping-connections} connections: the
 *       request path without the read pool and the storage.</li>
 *   <li><b>loadBefore</b>: {@code loadBefore(oid, maxtid)} of uniformly random populated oids over each of
 *       {@code --load-connections} concurrent connections (1, 4, 16), each with one request at a time.</li>
 *   <li><b>commit</b>: 1-object update transactions with each of {@code --commit-clients} clients (1, 8, 32) on
 *       disjoint objects (client i updates populated objects i, i + C, i + 2C, ..., round-robin, with the serial
 *       returned by its last tpc_finish): commits/s. Every commit also sends invalidateTransaction to the
 *       other C − 1 connections, which read and ignore it.</li>
 * </ol>
 * Every timed phase runs {@code --warmup} seconds, then measures for {@code --duration} seconds; it also stops
 * after {@code --max-ops} measured operations, and workers that overrun by {@code --timeout} are cut off.
 * Results go to stdout, ending with a Markdown table (with the ratio to the targets, server and client CPU,
 * latency percentiles and the load average). See bench/README.md, "Server load tool".
 */
@Command(name = "LoadTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "zodbshootout-style load test of a jzeo server over the ZEO 5 protocol.")
public final class LoadTool implements Callable<Integer> {
    private static final double TARGET_LOAD_1 = 20_000;
    private static final double TARGET_LOAD_16 = 50_000;
    private static final double TARGET_COMMIT_8 = 5_000;
    private static final double TARGET_COMMIT_32 = 10_000;

    @Option(names = "--address", description = "Use a running server at host:port instead of starting one.")
    String address;

    @Option(names = "--storage", description = "Storage name to register with (default: ${DEFAULT-VALUE}).")
    String storage = "1";

    @Option(names = "--dir", description = "Directory for Data.fs and server.log when the tool starts the server"
            + " (default: ${DEFAULT-VALUE}). Data.fs is deleted and created anew.")
    Path dir = Path.of("bench/target/loadtool");

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the server process (repeatable),"
            + " e.g. -XX:StartFlightRecording=filename=bench/target/loadtool/server.jfr")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--objects", description = "Objects to add (default: ${DEFAULT-VALUE}).")
    int objects = 10_000;

    @Option(names = "--size", description = "Bytes per object record (a small ZODB-like pickle pair; min 80;"
            + " default: ${DEFAULT-VALUE}).")
    int size = 200;

    @Option(names = "--per-txn", description = "Objects per transaction in the add phase (default: ${DEFAULT-VALUE}).")
    int perTxn = 100;

    @Option(names = "--load-connections", split = ",", description = "Connection counts for loadBefore"
            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> loadConnections = List.of(1, 4, 16);

    @Option(names = "--ping-connections", split = ",", description = "Connection counts for the ping control"
            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> pingConnections = List.of(1, 16);

    @Option(names = "--commit-clients", split = ",", description = "Client counts for commits"
            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> commitClients = List.of(1, 8, 32);

    @Option(names = "--warmup", description = "Warm-up seconds per phase (default: ${DEFAULT-VALUE}).")
    double warmup = 2;

    @Option(names = "--duration", description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--rounds", description = "Run the loadBefore and commit phases this many times (like"
            + " zodbshootout's --repetitions; the first round also warms the server's JIT; default: ${DEFAULT-VALUE}).")
    int rounds = 1;

    @Option(names = "--max-ops", description = "Stop a phase after this many measured operations"
            + " (default: ${DEFAULT-VALUE}).")
    long maxOps = 20_000_000L;

    @Option(names = "--add-timeout", description = "Give up the add phase after this many seconds"
            + " (default: ${DEFAULT-VALUE}).")
    int addTimeout = 300;

    @Option(names = "--timeout", description = "Socket timeout and phase overrun bound, seconds"
            + " (default: ${DEFAULT-VALUE}).")
    int timeout = 30;

    @Option(names = "--phases", split = ",", description = "Phases to run among add,ping,load,commit"
            + " (default: ${DEFAULT-VALUE}; add is always run, the others need its objects; ping is a control:"
            + " the server answers it on the network thread without touching the storage).")
    List<String> phases = List.of("add", "ping", "load", "commit");

    private InetSocketAddress target;
    private ServerProcess server;
    private byte[][] oids;
    private byte[][] serials;
    private final List<Row> rows = new ArrayList<>();
    private int round = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    /** One line of the result table. */
    private record Row(String phase, int clients, long ops, double seconds, double target, long p50, long p99,
                       long max, double serverCpu, double clientCpu, String loadBefore, String loadAfter,
                       String note, String serverThreads) {
        double rate() {
            return seconds > 0 ? ops / seconds : 0;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (size < 80) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--size must be at least 80");
        }
        System.out.println("# jzeo LoadTool " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ", java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, load average " + loadAverage());
        try {
            if (address != null) {
                int colon = address.lastIndexOf(':');
                target = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
                System.out.println("# using the server at " + target + " (server CPU not measured)");
            } else {
                Files.createDirectories(dir);
                Path dataFs = dir.resolve("Data.fs");
                for (String suffix : new String[] {"", ".index", ".jzindex", ".lock", ".tmp", ".old"}) {
                    Files.deleteIfExists(dir.resolve("Data.fs" + suffix));
                }
                server = ServerProcess.start(dataFs, dir.resolve("server.log"), serverJvmOptions, 120);
                target = server.address();
                System.out.println("# server pid " + server.pid() + " ready on " + target + ", log " + server.log());
            }
            add();
            for (round = 1; round <= rounds; round++) {
                if (phases.contains("ping")) {
                    for (int n : pingConnections) {
                        pingPhase(n);
                    }
                }
                if (phases.contains("load")) {
                    for (int n : loadConnections) {
                        loadPhase(n);
                    }
                }
                if (phases.contains("commit")) {
                    for (int n : commitClients) {
                        commitPhase(n);
                    }
                }
            }
        } finally {
            if (server != null) {
                int status = server.stop(60);
                System.out.println("# server stopped (SIGTERM), exit status " + status);
            }
            printTable();
        }
        return rows.stream().anyMatch(r -> r.note.startsWith("FAILED")) ? 1 : 0;
    }

    // ----------------------------------------------------------------------------------------- payloads

    private static final byte[] USER = "loadtool".getBytes(StandardCharsets.UTF_8);

    // ----------------------------------------------------------------------------------------- add

    private void add() throws Exception {
        oids = new byte[objects][];
        serials = new byte[objects][];
        byte[] data = ZeoRequests.record(size, 1);
        String before = loadAverage();
        long cpu0 = serverCpu();
        long own0 = ownCpu();
        ServerCpu detail0 = serverCpuDetail();
        LatencyHistogram latency = new LatencyHistogram();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(addTimeout);
        int created = 0;
        int txns = 0;
        String note = "";
        byte[] desc = "add".getBytes(StandardCharsets.UTF_8);
        try (AdminConnection client = connect()) {
            List<byte[]> pool = new ArrayList<>();
            while (created < objects) {
                if (System.nanoTime() > deadline) {
                    note = "FAILED: stopped by --add-timeout after " + created + " objects";
                    break;
                }
                long t0 = System.nanoTime();
                int n = Math.min(perTxn, objects - created);
                ZeoRequests.addObjects(client, pool, oids, serials, created, n, ++txns, USER, desc, data);
                created += n;
                latency.record(System.nanoTime() - t0);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double serverCpu = cpuShare(serverCpu(), cpu0, seconds);
        String breakdown = cpuBreakdown(detail0, serverCpuDetail(), seconds);
        double clientCpu = cpuShare(ownCpu(), own0, seconds);
        if (created < objects) {
            oids = java.util.Arrays.copyOf(oids, created);
            serials = java.util.Arrays.copyOf(serials, created);
        }
        Row row = new Row("add (" + perTxn + " objects/txn), objects/s", 1, created, seconds, 0,
                latency.quantile(0.5), latency.quantile(0.99), latency.max(), serverCpu, clientCpu, before,
                loadAverage(), note.isEmpty() ? String.format(Locale.ROOT, "%d txns, %.0f txn/s; latency per txn",
                        txns, txns / seconds) : note, breakdown);
        report(row);
        if (created == 0) {
            throw new IllegalStateException("no objects were added");
        }
    }

    /** A connection registered with the storage under test; calls get no deadline, the phases bound their time. */
    private AdminConnection connect() throws IOException {
        AdminConnection client = AdminConnection.open(target, target.toString(), Duration.ofSeconds(timeout));
        try {
            client.register(storage, false);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    // ----------------------------------------------------------------------------------------- timed phases

    /** One worker's operation loop body: does one operation on its own connection. */
    private interface Operation {
        void run() throws IOException;
    }

    private interface WorkerFactory {
        /** Connects and prepares worker {@code index} of {@code count}. */
        Operation create(AdminConnection client, int index, int count);
    }

    private void loadPhase(int connections) throws InterruptedException {
        int n = oids.length;
        timedPhase("loadBefore, ops/s", connections, connections == 1 ? TARGET_LOAD_1
                : connections == 16 ? TARGET_LOAD_16 : 0, "random oid, maxtid, no client cache",
                (client, index, count) -> () -> {
                    byte[] oid = oids[ThreadLocalRandom.current().nextInt(n)];
                    List<Object> r = client.loadBefore(Oid.fromBytes(oid), Tid.MAX);
                    if (r == null || ((byte[]) r.get(0)).length != size) {
                        throw new IOException("unexpected loadBefore result for an existing object: " + r);
                    }
                });
    }

    /**
     * Control: {@code ping()} round trips. jzeo answers ping on the connection's event loop (no hand-off to the
     * read pool, no storage access), so this is the ceiling of one-request-at-a-time traffic through the same
     * framing, codec and sockets on this machine.
     */
    private void pingPhase(int connections) throws InterruptedException {
        timedPhase("control: ping round trips, ops/s", connections, 0, "no storage access, answered on the event"
                + " loop", (client, index, count) -> () -> {
                    if (client.call((Duration) null, "ping") != null) {
                        throw new IOException("ping returned a value");
                    }
                });
    }

    private void commitPhase(int clients) throws InterruptedException {
        if (clients > oids.length) {
            System.out.println("# skipping commits with " + clients + " clients: only " + oids.length + " objects");
            return;
        }
        byte[] desc = "update".getBytes(StandardCharsets.UTF_8);
        timedPhase("commits (1 object/txn), txn/s", clients, clients == 8 ? TARGET_COMMIT_8
                : clients == 32 ? TARGET_COMMIT_32 : 0, "disjoint objects, fsync on",
                (client, index, count) -> {
                    byte[] data = ZeoRequests.record(size, 100 + index);
                    long[] txn = {((long) index + 1) << 32};
                    int[] next = {index};
                    return () -> {
                        int i = next[0];
                        next[0] = i + count < oids.length ? i + count : index;
                        serials[i] = ZeoRequests.updateOne(client, ++txn[0], USER, desc, oids[i], serials[i], data);
                    };
                });
    }

    /**
     * Runs {@code count} workers, each on its own connection and thread, all started together after they have
     * connected: {@code warmup} seconds unmeasured, then {@code duration} seconds (or {@code maxOps} operations)
     * measured. An operation counts if it completes inside the measured window.
     */
    private void timedPhase(String phaseName, int count, double targetRate, String note, WorkerFactory factory)
            throws InterruptedException {
        String phase = rounds > 1 ? phaseName + " [round " + round + "]" : phaseName;
        List<AdminConnection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                clients.add(connect());
            }
        } catch (IOException e) {
            clients.forEach(AdminConnection::close);
            report(new Row(phase, count, 0, 0, targetRate, 0, 0, 0, -1, -1, loadAverage(), loadAverage(),
                    "FAILED to connect: " + e, ""));
            return;
        }
        long warmNanos = (long) (warmup * 1e9);
        long measureNanos = (long) (duration * 1e9);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong measured = new AtomicLong();
        AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE); // nanoTime at which the max-ops bound was hit
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] startTime = new long[1];
        LatencyHistogram[] histograms = new LatencyHistogram[count];
        long[] callbacks = new long[count];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            AdminConnection client = clients.get(i);
            Operation op = factory.create(client, index, count);
            LatencyHistogram h = histograms[i] = new LatencyHistogram();
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    long measureStart = startTime[0] + warmNanos;
                    long measureEnd = measureStart + measureNanos;
                    while (failure.get() == null) {
                        long t0 = System.nanoTime();
                        if (t0 >= measureEnd || t0 >= stopAt.get()) {
                            break;
                        }
                        op.run();
                        long t1 = System.nanoTime();
                        if (t0 >= measureStart && t1 < measureEnd) {
                            h.record(t1 - t0);
                            if (measured.incrementAndGet() >= maxOps) {
                                stopAt.compareAndSet(Long.MAX_VALUE, t1);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    callbacks[index] = client.callbacks();
                }
            }, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        startTime[0] = System.nanoTime();
        go.countDown();
        long measureStart = startTime[0] + warmNanos;
        long measureEnd = measureStart + measureNanos;
        sleepUntil(measureStart, failure);
        String before = loadAverage();
        long cpu0 = serverCpu();
        long own0 = ownCpu();
        ServerCpu detail0 = serverCpuDetail();
        long m0 = System.nanoTime();
        while (System.nanoTime() < measureEnd && stopAt.get() == Long.MAX_VALUE && failure.get() == null) {
            Thread.sleep(20);
        }
        long m1 = Math.min(System.nanoTime(), Math.min(measureEnd, stopAt.get()));
        long cpu1 = serverCpu();
        long own1 = ownCpu();
        ServerCpu detail1 = serverCpuDetail();
        String after = loadAverage();
        long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
        }
        boolean overran = threads.stream().anyMatch(Thread::isAlive);
        clients.forEach(AdminConnection::close); // also unblocks any overrunning worker
        for (Thread t : threads) {
            t.join(5_000);
        }
        LatencyHistogram all = new LatencyHistogram();
        for (LatencyHistogram h : histograms) {
            all.add(h);
        }
        double seconds = (m1 - m0) / 1e9;
        // The window is measured from the main thread's clock; use the workers' own bound for the rate.
        double window = Math.min(measureNanos, Math.max(1, Math.min(stopAt.get(), measureEnd) - measureStart)) / 1e9;
        long totalCallbacks = java.util.Arrays.stream(callbacks).sum();
        String detail = note + (totalCallbacks > 0 ? "; " + totalCallbacks + " callbacks ignored" : "");
        if (failure.get() != null) {
            detail = "FAILED: " + failure.get() + "; " + detail;
        } else if (overran) {
            detail = "FAILED: workers overran the phase by " + timeout + " s; " + detail;
        } else if (stopAt.get() != Long.MAX_VALUE) {
            detail = "stopped by --max-ops; " + detail;
        }
        report(new Row(phase, count, all.count(), window, targetRate, all.quantile(0.5), all.quantile(0.99),
                all.max(), cpuShare(cpu1, cpu0, seconds), cpuShare(own1, own0, seconds), before, after, detail,
                cpuBreakdown(detail0, detail1, seconds)));
    }

    private static void sleepUntil(long nanoTime, AtomicReference<Throwable> failure) throws InterruptedException {
        while (failure.get() == null) {
            long left = nanoTime - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    // ----------------------------------------------------------------------------------------- measuring

    /** Server CPU by thread group and user/system at one instant (empty when the tool did not start it). */
    private record ServerCpu(Map<String, Long> threads, long[] userSystem) {
    }

    private ServerCpu serverCpuDetail() {
        return server == null ? null : new ServerCpu(server.threadCpuNanos(), server.userSystemNanos());
    }

    /** "user 60% sys 40% | nioEventLoopGro 45% | jzeo-read 30% | ..." in % of one core, largest first. */
    private static String cpuBreakdown(ServerCpu before, ServerCpu after, double seconds) {
        if (before == null || after == null || seconds <= 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "user %s sys %s",
                cpu((after.userSystem[0] - before.userSystem[0]) / 1e9 / seconds),
                cpu((after.userSystem[1] - before.userSystem[1]) / 1e9 / seconds)));
        Map<String, Long> groups = new java.util.HashMap<>();
        after.threads.forEach((thread, ns) -> groups.merge(thread.substring(thread.indexOf(' ') + 1),
                ns - before.threads.getOrDefault(thread, 0L), Long::sum));
        groups.entrySet().stream()
                .filter(e -> e.getValue() / 1e9 / seconds >= 0.01)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.append(" | ").append(e.getKey()).append(' ')
                        .append(cpu(e.getValue() / 1e9 / seconds)));
        return out.toString();
    }

    private long serverCpu() {
        return server == null ? -1 : server.cpuNanos();
    }

    private static long ownCpu() {
        return ServerProcess.procCpuNanos(ProcessHandle.current().pid());
    }

    /** CPU used between two samples as a share of one core over {@code seconds} (1.0 = one core busy). */
    private static double cpuShare(long after, long before, double seconds) {
        if (after < 0 || before < 0 || seconds <= 0) {
            return -1;
        }
        return (after - before) / 1e9 / seconds;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    // ----------------------------------------------------------------------------------------- output

    private void report(Row r) {
        rows.add(r);
        System.out.printf(Locale.ROOT, "RESULT %-40s clients=%-3d ops=%-9d %8.2f s %,12.0f /s %s p50=%s p99=%s"
                        + " max=%s serverCPU=%s clientCPU=%s load=[%s]->[%s] %s%n",
                r.phase, r.clients, r.ops, r.seconds, r.rate(), ratio(r), micros(r.p50), micros(r.p99),
                micros(r.max), cpu(r.serverCpu), cpu(r.clientCpu), r.loadBefore, r.loadAfter, r.note);
        if (!r.serverThreads.isEmpty()) {
            System.out.println("SERVER-CPU " + r.phase + " clients=" + r.clients + ": " + r.serverThreads);
        }
    }

    private static String ratio(Row r) {
        if (r.target <= 0) {
            return "(no target)";
        }
        return String.format(Locale.ROOT, "= %.2f× of %,.0f (%s)", r.rate() / r.target, r.target,
                r.rate() >= r.target ? "MET" : "MISSED");
    }

    private static String micros(long nanos) {
        return nanos < 10_000_000 ? String.format(Locale.ROOT, "%.0fµs", nanos / 1e3)
                : String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
    }

    private static String cpu(double share) {
        return share < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private void printTable() {
        System.out.println();
        System.out.println("| Measurement | Clients | Ops | ops/s | Target | Ratio | p50 | p99 | Server CPU µs/op"
                + " (% of 1 core) | Tool CPU % | Load avg (1/5/15) before → after |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            double rate = r.rate();
            String serverCost = r.serverCpu < 0 || r.ops == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f (%s)",
                    r.serverCpu * r.seconds / r.ops * 1e6, cpu(r.serverCpu));
            System.out.printf(Locale.ROOT, "| %s%s | %d | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s → %s |%n",
                    r.phase, r.note.startsWith("FAILED") ? " **" + r.note + "**" : "", r.clients, r.ops, rate,
                    r.target > 0 ? String.format(Locale.ROOT, "≥ %,.0f", r.target) : "—",
                    r.target > 0 ? String.format(Locale.ROOT, "%.2f %s", rate / r.target,
                            rate >= r.target ? "met" : "missed") : "—",
                    micros(r.p50), micros(r.p99), serverCost, cpu(r.clientCpu), r.loadBefore, r.loadAfter);
        }
    }
}
