package org.jzeo.bench.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.jzeo.bench.BenchSupport;
import org.jzeo.server.storage.pg.PostgresTestServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Several jzeo servers over one PostgreSQL database, against one server of a Data.fs, in one run (same machine,
 * same load): throughput and CPU per operation, how long an invalidation takes to reach a client of another
 * server, and {@code jzeo copy}'s MB/s. The tool starts its own PostgreSQL (a private cluster made by initdb,
 * {@link PostgresTestServer}) and its jzeo servers (each in its own JVM). See bench/README.md, "Several servers
 * over PostgreSQL".
 *
 * <p>Order: FileStorage (1 server: idle CPU, load, commit, invalidation latency with both clients on the
 * server); then one PostgreSQL database populated once and served by 1, 2, 3 ... servers, a server added at each step
 * (idle CPU, load, commit, and invalidation latency: both clients on server 1 with one server, server 1 → server N
 * with more); then the copies (FileStorage → PostgreSQL → FileStorage) if this build has {@code jzeo copy}.
 */
@Command(name = "ClusterThroughputTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Throughput, CPU per operation and invalidation latency of 1..N jzeo servers over one"
                + " PostgreSQL, beside 1 server over FileStorage; jzeo copy's MB/s.")
public final class ClusterThroughputTool implements Callable<Integer> {
    /** How long the CPU of the servers and PostgreSQL is read with no client, before each step's phases. */
    private static final double IDLE_SECONDS = 3;

    @Option(names = "--servers", split = ",", description = "Server counts over PostgreSQL, ascending"
            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> serverCounts = List.of(1, 2, 3);

    @Option(names = "--connections-per-server", description = "Blocking connections per server in the throughput"
            + " phases, each on its own thread (default: ${DEFAULT-VALUE}).")
    int perServer = 4;

    @Option(names = "--phases", split = ",", description = "Throughput phases among load,commit"
            + " (default: ${DEFAULT-VALUE}).")
    List<String> phases = List.of("load", "commit");

    @Option(names = "--warmup", description = "Unmeasured seconds at the start of each phase"
            + " (default: ${DEFAULT-VALUE}).")
    double warmup = 5;

    @Option(names = "--duration", description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--objects", description = "Objects to add before measuring (default: ${DEFAULT-VALUE}).")
    int objects = 10_000;

    @Option(names = "--size", description = "Bytes per object record (a small ZODB-like pickle; min 80;"
            + " default: ${DEFAULT-VALUE}).")
    int size = 200;

    @Option(names = "--per-txn", description = "Objects per transaction when populating (default: ${DEFAULT-VALUE}).")
    int perTxn = 1000;

    @Option(names = "--commits", description = "Measured commits per invalidation latency run; 0 skips them"
            + " (default: ${DEFAULT-VALUE}).")
    int commits = 500;

    @Option(names = "--latency-warmup", description = "Unmeasured commits before each latency run"
            + " (default: ${DEFAULT-VALUE}).")
    int latencyWarmup = 50;

    @Option(names = "--copy-mb", description = "Size of the Data.fs jzeo copy copies to PostgreSQL and back, MB;"
            + " 0 skips the copies (default: ${DEFAULT-VALUE}).")
    int copyMegabytes = 100;

    @Option(names = "--pool-size", description = "pool-size of the <relstorage> section: PostgreSQL connections"
            + " per server (default: ${DEFAULT-VALUE}).")
    int poolSize = 10;

    @Option(names = "--skip-filestorage", description = "Leave out the FileStorage reference.")
    boolean skipFileStorage;

    @Option(names = "--dir", description = "Directory for the servers' files and logs, the copies' Data.fs and"
            + " configs; its Data.fs files are made anew (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("bench/target/cluster");

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for each jzeo server process (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--timeout", description = "Connect and server start timeout, and the bound on a phase's"
            + " overrun, seconds (default: ${DEFAULT-VALUE}); a copy may take 20 times as long.")
    int timeout = 60;

    private final List<ThroughputSample> throughput = new ArrayList<>();
    private final List<LatencySample> latency = new ArrayList<>();
    private final List<CopyThroughput.Result> copies = new ArrayList<>();
    private final List<String> notMeasured = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterThroughputTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        System.out.println("# jzeo ClusterThroughputTool " + now() + ", java " + System.getProperty("java.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                + BenchSupport.loadAverage());
        System.out.printf(Locale.ROOT, "# %d objects of %d bytes; phases %s with %d connection(s) per server;"
                        + " warm-up %s s, measured %s s; PostgreSQL behind %s server(s); %d commits per latency run;"
                        + " CPU = utime + stime from /proc (10 ms ticks)%n", objects, size, phases, perServer,
                fmt(warmup), fmt(duration), serverCounts, commits);
        try {
            if (!skipFileStorage) {
                runFileStorage();
            }
            runPostgres();
        } finally {
            ClusterReport.throughputTable("load", "load: loadBefore(random populated oid, max tid), no client cache;"
                    + " ops = loadBefore calls", throughput);
            ClusterReport.throughputTable("commit", "commit: 1-object update transactions on disjoint objects;"
                    + " ops = transactions", throughput);
            ClusterReport.idleTable(throughput);
            ClusterReport.latencyTable(latency);
            ClusterReport.copyTable(copies);
            ClusterReport.results(throughput, latency, copies);
            for (String what : notMeasured) {
                System.out.println("NOT MEASURED: " + what);
            }
            System.out.println();
            System.out.println("# done " + now() + ", load average " + BenchSupport.loadAverage());
        }
        boolean failed = throughput.stream().anyMatch(s -> s.failure() != null)
                || latency.stream().anyMatch(s -> s.failure() != null)
                || copies.stream().anyMatch(r -> r.failure() != null);
        return failed || !notMeasured.isEmpty() ? 1 : 0;
    }

    private void validate() {
        CommandLine cl = new CommandLine(this);
        if (size < 80) {
            throw new CommandLine.ParameterException(cl, "--size must be at least 80");
        }
        for (String p : phases) {
            if (!List.of("load", "commit").contains(p)) {
                throw new CommandLine.ParameterException(cl, "unknown phase " + p + " (load, commit)");
            }
        }
        if (objects < 1 || perTxn < 1 || perServer < 1 || duration <= 0 || warmup < 0 || commits < 0
                || latencyWarmup < 0 || copyMegabytes < 0 || poolSize < 1) {
            throw new CommandLine.ParameterException(cl, "--objects, --per-txn, --connections-per-server,"
                    + " --pool-size must be positive, --duration > 0, the others >= 0");
        }
        List<Integer> sorted = serverCounts.stream().sorted().distinct().toList();
        if (!sorted.equals(serverCounts) || sorted.get(0) < 1) {
            throw new CommandLine.ParameterException(cl, "--servers must be ascending positive counts, e.g. 1,2,3");
        }
    }

    private Duration timeout() {
        return Duration.ofSeconds(timeout);
    }

    private void runFileStorage() throws InterruptedException {
        System.out.println();
        System.out.println("## FileStorage, 1 server");
        try (ServerCluster cluster = ServerCluster.fileStorage(dir.resolve("filestorage"), serverJvmOptions,
                timeout)) {
            cluster.addServer();
            Population population = Population.create(cluster.address(0), objects, size, perTxn, timeout());
            measure(cluster, () -> -1, population);
        } catch (Exception e) {
            fail("FileStorage", e);
        }
    }

    private void runPostgres() throws InterruptedException {
        System.out.println();
        System.out.println("## PostgreSQL, " + serverCounts + " servers");
        PostgresTestServer pg;
        try {
            pg = PostgresTestServer.start();
        } catch (RuntimeException e) {
            fail("PostgreSQL (cannot start a PostgreSQL cluster)", e);
            return;
        }
        // A run stopped with Ctrl-C must not leave its private PostgreSQL running (PostgresTestServer.start()
        // registers no hook of its own).
        Thread stopPostgres = new Thread(pg::close, "cluster-bench-stop-postgres");
        Runtime.getRuntime().addShutdownHook(stopPostgres);
        try {
            PostgresProcesses processes = PostgresProcesses.onPort(pg.port());
            System.out.println("# PostgreSQL on " + pg.host() + ":" + pg.port() + ", postmaster pid "
                    + processes.postmasterPid());
            LongSupplier postgresCpu = processes::cpuNanos;
            try (ServerCluster cluster = ServerCluster.postgres(dir.resolve("postgres"), pg.dsn(pg.createDatabase()),
                    poolSize, serverJvmOptions, timeout)) {
                Population population = null;
                for (int n : serverCounts) {
                    while (cluster.size() < n) {
                        cluster.addServer();
                    }
                    System.out.println("# PostgreSQL behind " + n + " server(s)");
                    if (population == null) {
                        population = Population.create(cluster.address(0), objects, size, perTxn, timeout());
                    }
                    measure(cluster, postgresCpu, population);
                }
            } catch (Exception e) {
                fail("PostgreSQL", e);
            }
            runCopies(pg);
        } catch (Exception e) {
            fail("PostgreSQL", e);
        } finally {
            pg.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopPostgres);
            } catch (IllegalStateException e) {
                // the JVM is already exiting
            }
        }
    }

    /** The throughput phases, then an invalidation latency run: across servers when there are several. */
    private void measure(ServerCluster cluster, LongSupplier postgresCpu, Population population)
            throws InterruptedException {
        ThroughputPhase runner = new ThroughputPhase(cluster, postgresCpu, population, perServer, warmup, duration,
                timeout());
        ThroughputSample idle = runner.idle(IDLE_SECONDS);
        throughput.add(idle);
        ClusterReport.progress(idle);
        for (String phase : phases) {
            ThroughputSample sample = runner.run(phase);
            throughput.add(sample);
            ClusterReport.progress(sample);
        }
        if (commits > 0) {
            LatencySample sample = new InvalidationLatency(population, commits, latencyWarmup, timeout())
                    .measure(cluster, 0, cluster.size() - 1);
            latency.add(sample);
            ClusterReport.progress(sample);
        }
    }

    private void runCopies(PostgresTestServer pg) throws Exception {
        if (copyMegabytes == 0) {
            return;
        }
        if (!CopyThroughput.available()) {
            notMeasured("jzeo copy MB/s: this build's jzeo has no copy command");
            return;
        }
        System.out.println();
        System.out.println("## jzeo copy, " + copyMegabytes + " MB");
        Path copyDir = dir.resolve("copy");
        Path source = DataFsBuilder.build(copyDir.resolve("source"), copyMegabytes);
        CopyThroughput copy = new CopyThroughput(copyDir, serverJvmOptions, timeout * 20);
        String dsn = pg.dsn(pg.createDatabase());
        CopyThroughput.Result there = copy.toPostgres(source, dsn);
        copies.add(there);
        ClusterReport.progress(there);
        if (there.failure() == null) {
            Path back = copyDir.resolve("back");
            java.nio.file.Files.createDirectories(back);
            CopyThroughput.Result result = copy.fromPostgres(dsn, back.resolve("Data.fs"));
            copies.add(result);
            ClusterReport.progress(result);
        }
    }

    private void fail(String part, Exception e) {
        System.out.println("# " + part + " FAILED: " + e);
        notMeasured(part + ": " + e.getMessage());
    }

    private void notMeasured(String what) {
        notMeasured.add(what);
        System.out.println("# not measured: " + what);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
