package org.jzeo.bench.client;

import static org.jzeo.bench.BenchSupport.deleteDataFs;
import static org.jzeo.bench.BenchSupport.deleteTree;
import static org.jzeo.bench.BenchSupport.loadAverage;
import org.jzeo.bench.BenchSupport;
import static org.jzeo.bench.BenchSupport.processCpuNanos;
import static org.jzeo.bench.BenchSupport.rate;

import org.jzeo.bench.server.ServerProcess;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A zodbshootout-style benchmark of jzeo's application API ({@link StorageConnection} from a
 * {@link ClientConnectionFactory} over a {@code ClientStorage}), against a jzeo server started as a child process
 * on a fresh Data.fs (or {@code --server host:port}).
 *
 * <p>Each of {@code --concurrency} clients (1 and 4 by default) is its own ClientStorage and factory, like a
 * separate process, running in a thread of this JVM. Every round, each client runs these phases in turn, all clients
 * starting each phase together (a barrier), with {@code -n} objects (1000) of {@code --object-size} bytes (300):
 * <ol>
 *   <li><b>add</b>: one transaction creating n new objects ({@code newOid} + {@code write}), referenced from a new
 *       parent object, itself referenced from the client's container object, itself referenced from the root;</li>
 *   <li><b>update</b>: one transaction rewriting the n objects;</li>
 *   <li><b>cold</b>: a new ClientStorage with a fresh, empty temporary client cache reads the n objects (every read
 *       goes to the server);</li>
 *   <li><b>warm</b>: the client's own factory and storage are closed and reopened over the same persistent client
 *       cache file; a connection of the new factory (empty object cache) reads the n objects from the disk cache;</li>
 *   <li><b>hot</b>: the connection is closed (back to the pool) and taken again from the same factory: its object
 *       cache holds the n objects;</li>
 *   <li><b>steamin</b>: the same connection reads them again in a new transaction.</li>
 * </ol>
 * A phase's time is from {@code getConnection}/{@code begin} to the end of {@code commit} (for the reads a commit
 * without writes); opening and closing storages is not timed. The aggregate rate of a round is all clients' objects
 * divided by the time from the first client's start to the last client's end. Rates are objects/s; each phase is
 * reported as median and best over {@code --rounds}, after {@code --warmup} unrecorded rounds. See bench/README.md,
 * "Client shootout".
 */
@Command(name = "ShootoutTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "zodbshootout-style benchmark of the jzeo client application API.")
public final class ShootoutTool implements Callable<Integer> {

    enum Phase {
        ADD(50_000, "9–17k"), UPDATE(0, "—"), COLD(20_000, "4–6k"), COLD_PREFETCH(20_000, "—"), WARM(200_000, "—"),
        HOT(1_000_000, "64–86k"), STEAMIN(0, "—");

        final double target;
        final String python;

        Phase(double target, String python) {
            this.target = target;
            this.python = python;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Phase[] PHASES = Phase.values();

    @Option(names = "--server", description = "Use a running server at host:port instead of starting one.")
    String server;

    @Option(names = "--storage", description = "Storage name (default: ${DEFAULT-VALUE}).")
    String storage = "1";

    @Option(names = "--dir", description = "Directory for Data.fs, server.log and the client caches"
            + " (default: a new temporary directory, deleted at the end unless --keep). Its Data.fs and caches/ are deleted first.")
    Path dir;

    @Option(names = "--keep", description = "Keep the directory (Data.fs, server.log, caches) at the end.")
    boolean keep;

    @Option(names = {"-n", "--objects-per-txn"}, description = "Objects per transaction (default: ${DEFAULT-VALUE}).")
    int objects = 1000;

    @Option(names = "--object-size", description = "Payload bytes per object (min 16; default: ${DEFAULT-VALUE}).")
    int size = 300;

    @Option(names = {"-c", "--concurrency"}, split = ",", description = "Concurrent clients, one level after the"
            + " other (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency = List.of(1, 4);

    @Option(names = "--rounds", description = "Recorded rounds per concurrency level (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    @Option(names = "--warmup", description = "Unrecorded rounds before them, per level; they also let the JIT"
            + " compile the client and the server (default: ${DEFAULT-VALUE}).")
    int warmup = 40;

    @Option(names = "--cache-size", description = "Client cache size in bytes (default: ${DEFAULT-VALUE}).")
    long cacheSize = ClientOptions.DEFAULT_CACHE_SIZE;

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the server process (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--diagnose", description = "After the levels, time the sections under each phase"
            + " (commit split, cold read layers, disk cache alone) with one client.")
    boolean diagnose;

    @Option(names = "--diagnose-repeats", description = "Measured repeats of --diagnose (default: ${DEFAULT-VALUE};"
            + " as many unmeasured before).")
    int diagnoseRepeats = 10;

    @Option(names = "--timeout", description = "Seconds a client may wait for the others at a phase boundary"
            + " (default: ${DEFAULT-VALUE}).")
    int timeout = 300;

    private String address;
    private ServerProcess serverProcess;
    private Path caches;
    /** Per concurrency level, in the order of {@link #concurrency}. */
    private final List<Level> levels = new ArrayList<>();

    public static void main(String[] args) {
        // the client's INFO lines (connected, cache reused, verified) would be printed at every reopen
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new ShootoutTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (size < 16 || objects < 1 || rounds < 1 || warmup < 0 || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need --object-size >= 16, -n >= 1, --rounds >= 1, --warmup >= 0, concurrency >= 1");
        }
        System.out.println("# jzeo ShootoutTool " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ", java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, load average " + loadAverage());
        System.out.printf(Locale.ROOT, "# %d objects of %d bytes per transaction, concurrency %s, %d rounds + %d"
                + " warm-up, client cache %d bytes%n", objects, size, concurrency, rounds, warmup, cacheSize);
        boolean tempDir = dir == null;
        Path work = tempDir ? Files.createTempDirectory("jzeo-shootout") : dir;
        boolean ok = false;
        try {
            Files.createDirectories(work);
            caches = work.resolve("caches");
            deleteTree(caches);
            Files.createDirectories(caches);
            if (server != null) {
                address = server;
                System.out.println("# using the server at " + address + " (server CPU not measured)");
            } else {
                Path dataFs = work.resolve("Data.fs");
                deleteDataFs(work);
                serverProcess = ServerProcess.start(dataFs, work.resolve("server.log"), serverJvmOptions, 120);
                InetSocketAddress bound = serverProcess.address();
                address = bound.getAddress().getHostAddress() + ":" + bound.getPort();
                System.out.println("# server pid " + serverProcess.pid() + " on " + address + ", Data.fs " + dataFs
                        + ", log " + serverProcess.log());
            }
            for (int c : concurrency) {
                Level level = new Level(c);
                level.run();
                levels.add(level);
                level.printSummary();
            }
            if (diagnose) {
                new Diagnose(address, storage, objects, size, cacheSize, diagnoseRepeats, diagnoseRepeats).run();
            }
            ok = true;
        } finally {
            if (serverProcess != null) {
                System.out.println("# server stopped (SIGTERM), exit status " + serverProcess.stop(60));
            }
            if (!levels.isEmpty()) {
                printTable();
            }
            if (tempDir && !keep && ok) {
                deleteTree(work);
            } else {
                System.out.println("# kept " + work);
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ a level

    /** One concurrency level: c clients, warmup + rounds rounds of the six phases. */
    private final class Level {
        final int clients;
        final int totalRounds = warmup + rounds;
        /** Start and end (System.nanoTime) of each phase, by phase, round, client. */
        final long[][][] start;
        final long[][][] end;
        /** Loads that went to the server during the phase, by phase, round, client. */
        final long[][][] networkLoads;
        /** Server and tool CPU (ns) at each barrier: index ((round * 6 + phase) * 2 + 0 start / 1 end). */
        final long[] serverCpu;
        final long[] toolCpu;
        final String[] loadAverage;
        private int sample;
        final CyclicBarrier barrier;

        Level(int clients) {
            this.clients = clients;
            start = new long[PHASES.length][totalRounds][clients];
            end = new long[PHASES.length][totalRounds][clients];
            networkLoads = new long[PHASES.length][totalRounds][clients];
            int samples = totalRounds * PHASES.length * 2;
            serverCpu = new long[samples];
            toolCpu = new long[samples];
            loadAverage = new String[samples];
            barrier = new CyclicBarrier(clients, this::sample);
        }

        /** The barrier action: runs once per barrier trip, in the same order for every client. */
        private void sample() {
            if (sample < serverCpu.length) {
                serverCpu[sample] = serverProcess == null ? -1 : serverProcess.cpuNanos();
                toolCpu[sample] = processCpuNanos();
                loadAverage[sample] = loadAverage();
            }
            sample++;
        }

        void run() throws Exception {
            System.out.printf(Locale.ROOT, "%n## concurrency %d: %d client(s), each its own ClientStorage + factory,"
                    + " in threads of this JVM%n", clients, clients);
            List<Oid> containers = setUpContainers(clients);
            ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
                Thread t = new Thread(r);
                t.setName("shootout-client-" + t.getId());
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    Client client = new Client(this, i, containers.get(i));
                    futures.add(pool.submit(() -> {
                        client.runAll();
                        return null;
                    }));
                }
                Exception failure = null;
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        barrier.reset();
                        if (failure == null && !(e.getCause() instanceof java.util.concurrent.BrokenBarrierException)) {
                            failure = e.getCause() instanceof Exception ex ? ex : e;
                        }
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(30, TimeUnit.SECONDS);
            }
        }

        /** All clients' objects / (last end − first start), objects/s. */
        double aggregateRate(Phase p, int round) {
            long first = Arrays.stream(start[p.ordinal()][round]).min().orElseThrow();
            long last = Arrays.stream(end[p.ordinal()][round]).max().orElseThrow();
            return (double) objects * clients / ((last - first) / 1e9);
        }

        /** Mean of the clients' own rates, objects/s. */
        double meanClientRate(Phase p, int round) {
            double sum = 0;
            for (int i = 0; i < clients; i++) {
                sum += objects / ((end[p.ordinal()][round][i] - start[p.ordinal()][round][i]) / 1e9);
            }
            return sum / clients;
        }

        double[] recordedAggregateRates(Phase p) {
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rates[r] = aggregateRate(p, warmup + r);
            }
            return rates;
        }

        double median(Phase p) {
            return BenchSupport.median(recordedAggregateRates(p));
        }

        double best(Phase p) {
            return Arrays.stream(recordedAggregateRates(p)).max().orElse(0);
        }

        /** CPU µs per object in the phase, over all recorded rounds (server or tool; 10 ms ticks), or -1. */
        double cpuMicrosPerObject(Phase p, long[] cpu) {
            long sum = 0;
            for (int r = 0; r < rounds; r++) {
                int i = ((warmup + r) * PHASES.length + p.ordinal()) * 2;
                if (cpu[i] < 0 || cpu[i + 1] < 0) {
                    return -1;
                }
                sum += cpu[i + 1] - cpu[i];
            }
            return sum / 1e3 / ((double) objects * clients * rounds);
        }

        void printRound(int round) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s c=%d round %d/%d:",
                    round < warmup ? "warm-up" : "round", clients, round < warmup ? round + 1 : round - warmup + 1,
                    round < warmup ? warmup : rounds));
            for (Phase p : PHASES) {
                line.append(String.format(Locale.ROOT, "  %s %s", p.label(), rate(aggregateRate(p, round))));
            }
            long cold = Arrays.stream(networkLoads[Phase.COLD.ordinal()][round]).sum();
            long warm = Arrays.stream(networkLoads[Phase.WARM.ordinal()][round]).sum();
            long hot = Arrays.stream(networkLoads[Phase.HOT.ordinal()][round]).sum()
                    + Arrays.stream(networkLoads[Phase.STEAMIN.ordinal()][round]).sum();
            line.append(String.format(Locale.ROOT, "  | server loads: cold %d, warm %d, hot+steamin %d", cold, warm, hot));
            int i = (round * PHASES.length) * 2;
            line.append("  | load avg ").append(loadAverage[i]);
            System.out.println(line);
        }

        void printSummary() {
            System.out.printf(Locale.ROOT, "%n### concurrency %d, objects/s over %d recorded rounds"
                    + " (aggregate of all clients)%n%n", clients, rounds);
            System.out.println("| phase | median | best | worst | mean per client (median) | server CPU µs/object"
                    + " | tool CPU µs/object (incl. JIT, GC) |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (Phase p : PHASES) {
                double[] rates = recordedAggregateRates(p);
                double[] perClient = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    perClient[r] = meanClientRate(p, warmup + r);
                }
                double server = cpuMicrosPerObject(p, serverCpu);
                double tool = cpuMicrosPerObject(p, toolCpu);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", p.label(),
                        rate(BenchSupport.median(rates)), rate(Arrays.stream(rates).max().orElse(0)),
                        rate(Arrays.stream(rates).min().orElse(0)), rate(BenchSupport.median(perClient)),
                        server < 0 ? "—" : String.format(Locale.ROOT, "%.1f", server),
                        tool < 0 ? "—" : String.format(Locale.ROOT, "%.1f", tool));
            }
            for (Phase p : PHASES) {
                System.out.printf(Locale.ROOT, "RESULT c=%d %s median=%.0f best=%.0f obj/s%n", clients, p.label(),
                        median(p), best(p));
            }
        }
    }

    /** One client: its own ClientStorage + factory over a persistent client cache, in its own thread. */
    private final class Client {
        final Level level;
        final int id;
        final String name;
        final Oid container;
        final List<Oid> parents = new ArrayList<>();
        final Oid[] children;
        final byte[] template;
        ClientConnectionFactory factory;

        Client(Level level, int id, Oid container) {
            this.level = level;
            this.id = id;
            this.name = "shootout-c" + level.clients + "-w" + id;
            this.container = container;
            this.children = new Oid[objects];
            this.template = new byte[size];
            new java.util.Random(id * 31L + level.clients).nextBytes(template);
        }

        ClientOptions persistentOptions() {
            return ClientOptions.of(address).withStorage(storage).withCacheSize(cacheSize).withClient(name)
                    .withVar(caches);
        }

        void runAll() throws Exception {
            factory = new ClientConnectionFactory(persistentOptions());
            try {
                for (int round = 0; round < level.totalRounds; round++) {
                    runRound(round);
                    if (id == 0) {
                        // after the last barrier of the round every client's figures are in
                        level.printRound(round);
                    }
                }
            } finally {
                factory.close();
            }
        }

        /** Two-barrier phase: all clients start together; the barrier actions sample the CPU. */
        void phase(Phase p, int round, ClientConnectionFactory counted, ThrowingRunnable body) throws Exception {
            level.barrier.await(timeout, TimeUnit.SECONDS);
            long loads = counted.storage().networkLoads();
            long t0 = System.nanoTime();
            body.run();
            long t1 = System.nanoTime();
            level.start[p.ordinal()][round][id] = t0;
            level.end[p.ordinal()][round][id] = t1;
            level.networkLoads[p.ordinal()][round][id] = counted.storage().networkLoads() - loads;
            level.barrier.await(timeout, TimeUnit.SECONDS);
        }

        void runRound(int round) throws Exception {
            long addStamp = stamp(round, 1);
            long updateStamp = stamp(round, 2);
            phase(Phase.ADD, round, factory, () -> {
                try (StorageConnection c = factory.getConnection()) {
                    c.begin();
                    Oid parent = c.newOid();
                    for (int i = 0; i < objects; i++) {
                        Oid oid = c.newOid();
                        children[i] = oid;
                        c.write(oid, payload(addStamp, i), List.of());
                    }
                    c.write(parent, payload(addStamp, -1), Arrays.asList(children));
                    parents.add(parent);
                    c.write(container, payload(addStamp, -2), parents);
                    c.commit();
                }
            });
            phase(Phase.UPDATE, round, factory, () -> {
                try (StorageConnection c = factory.getConnection()) {
                    c.begin();
                    for (int i = 0; i < objects; i++) {
                        c.write(children[i], payload(updateStamp, i), List.of());
                    }
                    c.commit();
                }
            });

            ClientConnectionFactory cold = new ClientConnectionFactory(
                    ClientOptions.of(address).withStorage(storage).withCacheSize(cacheSize));
            try {
                phase(Phase.COLD, round, cold, () -> {
                    try (StorageConnection c = cold.getConnection()) {
                        readAll(c, updateStamp);
                    }
                });
            } finally {
                cold.close();
            }
            // The same cold read, with every load sent at once (StorageConnection.prefetch) before reading.
            ClientConnectionFactory prefetching = new ClientConnectionFactory(
                    ClientOptions.of(address).withStorage(storage).withCacheSize(cacheSize));
            try {
                phase(Phase.COLD_PREFETCH, round, prefetching, () -> {
                    try (StorageConnection c = prefetching.getConnection()) {
                        c.prefetch(Arrays.asList(children));
                        readAll(c, updateStamp);
                    }
                });
            } finally {
                prefetching.close();
            }

            factory.close(); // writes the cache header and releases the cache file's lock
            factory = new ClientConnectionFactory(persistentOptions());
            StorageConnection[] held = new StorageConnection[1];
            phase(Phase.WARM, round, factory, () -> {
                StorageConnection c = factory.getConnection();
                held[0] = c;
                readAll(c, updateStamp);
                c.close(); // back to the pool, with its object cache
            });
            phase(Phase.HOT, round, factory, () -> {
                StorageConnection c = factory.getConnection();
                if (c != held[0]) {
                    throw new IllegalStateException("the factory did not hand out the pooled connection");
                }
                readAll(c, updateStamp);
            });
            try {
                phase(Phase.STEAMIN, round, factory, () -> readAll(held[0], updateStamp));
            } finally {
                held[0].close();
            }
        }

        /** One transaction reading every child, checking length and stamp. */
        void readAll(StorageConnection c, long expectedStamp) {
            c.begin();
            for (int i = 0; i < objects; i++) {
                StoredObject o = c.read(children[i]);
                byte[] p = o.payload();
                if (p.length != size || ByteBuffer.wrap(p).getLong() != expectedStamp
                        || ByteBuffer.wrap(p).getInt(8) != i) {
                    throw new IllegalStateException("client " + name + ": object " + children[i]
                            + " has unexpected content (length " + p.length + ")");
                }
            }
            c.commit();
        }

        long stamp(int round, int kind) {
            return ((long) level.clients << 48) | ((long) id << 32) | ((long) round << 8) | kind;
        }

        byte[] payload(long stamp, int index) {
            byte[] p = template.clone();
            ByteBuffer.wrap(p).putLong(stamp).putInt(index);
            return p;
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** One transaction: c container objects, referenced from the root (keeping what the root had). */
    private List<Oid> setUpContainers(int count) {
        try (ClientConnectionFactory setup = new ClientConnectionFactory(
                ClientOptions.of(address).withStorage(storage).withCacheSize(cacheSize));
             StorageConnection c = setup.getConnection()) {
            c.begin();
            List<Oid> rootRefs = new ArrayList<>();
            try {
                rootRefs.addAll(c.read(c.rootOid()).references());
            } catch (POSKeyException e) {
                // a fresh database: no root yet
            }
            List<Oid> containers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Oid oid = c.newOid();
                c.write(oid, ("shootout container " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of());
                containers.add(oid);
            }
            rootRefs.addAll(containers);
            c.write(c.rootOid(), "shootout root".getBytes(java.nio.charset.StandardCharsets.UTF_8), rootRefs);
            c.commit();
            return containers;
        }
    }

    // ------------------------------------------------------------------------------------------------ output

    private void printTable() {
        System.out.printf(Locale.ROOT, "%n## Summary: objects/s, median of %d rounds (best in brackets), %d objects"
                + " of %d bytes per transaction%n%n", rounds, objects, size);
        StringBuilder head = new StringBuilder("| phase |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Level l : levels) {
            head.append(l.clients == 1 ? " objects/s (c=1) |"
                    : String.format(Locale.ROOT, " objects/s (c=%d aggregate) |", l.clients));
            rule.append("---|");
        }
        head.append(" target |");
        rule.append("---|");
        for (Level l : levels) {
            head.append(String.format(Locale.ROOT, " ratio to target (c=%d) |", l.clients));
            rule.append("---|");
        }
        head.append(" Python ZEO 5.4 reference |");
        rule.append("---|");
        System.out.println(head);
        System.out.println(rule);
        for (Phase p : PHASES) {
            StringBuilder row = new StringBuilder("| " + p.label() + " |");
            for (Level l : levels) {
                row.append(' ').append(rate(l.median(p))).append(" (").append(rate(l.best(p))).append(") |");
            }
            row.append(p.target > 0 ? " ≥ " + rate(p.target) + " |" : " — |");
            for (Level l : levels) {
                row.append(p.target > 0 ? String.format(Locale.ROOT, " %.2f %s |", l.median(p) / p.target,
                        l.median(p) >= p.target ? "met" : "missed") : " — |");
            }
            row.append(' ').append(p.python).append(" |");
            System.out.println(row);
        }
        System.out.println();
        System.out.println("Python ZEO 5.4 reference figures (zodbshootout, for scale): add 9–17k, cold 4–6k,"
                + " hot 64–86k objects/s.");
    }
}
