package org.jzeo.bench.objects;

import static org.jzeo.bench.BenchSupport.deleteDataFs;
import static org.jzeo.bench.BenchSupport.deleteTree;
import static org.jzeo.bench.BenchSupport.loadAverage;
import static org.jzeo.bench.BenchSupport.processCpuNanos;
import static org.jzeo.bench.BenchSupport.rate;

import java.net.InetSocketAddress;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.bench.BenchSupport;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.PersistentList;
import org.jzeo.objects.PersistentMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * zodbshootout's phases through jzeo's object layer ({@link ObjectDatabase} over a {@link ClientConnectionFactory}),
 * against a jzeo server started as a child process on a fresh Data.fs (or {@code --server host:port}).
 *
 * <p>Each of {@code --concurrency} clients (1 and 4 by default) has its own ClientStorage, factory and
 * ObjectDatabase, in a thread of this JVM, and its own slot (a {@link PersistentMap}) in the root. The objects are
 * instances of {@link PObject}, a persistent class holding one string of {@code --object-size} characters (128).
 * Every round each client runs, all clients starting each phase together:
 * <ol>
 *   <li><b>add</b>: one transaction making a new {@link PersistentList} of n new PObjects, put in the client's slot
 *       (so the objects are reachable from the root), committed;</li>
 *   <li><b>update</b>: one transaction setting every object's string to a new one, committed;</li>
 *   <li><b>cold</b>: a new ClientStorage with an empty temporary client cache and a new ObjectDatabase (empty
 *       object cache): root → slot → list, then every object's string, in a read-only transaction (committed);</li>
 *   <li><b>warm</b>: the client's factory is closed and reopened over the same persistent client cache file, with a
 *       new ObjectDatabase: the records come from the disk cache, the objects are made afresh;</li>
 *   <li><b>hot</b>: the connection is closed (back to the pool) and opened again, a new transaction begun: the
 *       objects are in its object cache;</li>
 *   <li><b>steamin</b>: the same objects read again in the same connection and transaction (attribute access).</li>
 * </ol>
 * A phase is timed from {@code open()} to the end of {@code commit()} for add, update, cold and warm; hot is timed
 * from {@code open()} to the last read (its transaction goes on into steamin), steamin is the second pass alone; the
 * read-only commit that ends them is timed apart and printed. Opening and closing storages is not timed.
 */
@Command(name = "ObjectShootout", mixinStandardHelpOptions = true, sortOptions = false,
        description = "zodbshootout-style benchmark of jzeo's object layer.")
public final class ObjectShootout implements Callable<Integer> {

    /** The shootout object: one string. Its only field is immutable, so changes are found by reference compare. */
    public static final class PObject extends Persistent {
        String data;

        private PObject() {
        }

        PObject(String data) {
            this.data = data;
        }
    }

    static final ObjectTypes TYPES = ObjectTypes.of(PObject.class);

    enum Phase {
        ADD(60_000, "12–16k"), UPDATE(0, "10–14k"), COLD(20_000, "4.0–4.4k"), WARM(300_000, "3.6–3.8k"),
        HOT(2_000_000, "140k"), STEAMIN(10_000_000, "5.7M");

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
            + " (default: a new temporary directory, deleted at the end unless --keep).")
    Path dir;

    @Option(names = "--keep", description = "Keep the directory at the end.")
    boolean keep;

    @Option(names = {"-n", "--objects-per-txn"}, description = "Objects per transaction (default: ${DEFAULT-VALUE}).")
    int objects = 1000;

    @Option(names = "--object-size", description = "Characters of each object's string (min 16; default:"
            + " ${DEFAULT-VALUE}).")
    int size = 128;

    @Option(names = {"-c", "--concurrency"}, split = ",", description = "Concurrent clients, one level after the"
            + " other (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency = List.of(1, 4);

    @Option(names = "--rounds", description = "Recorded rounds per level (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    @Option(names = "--warmup", description = "Unrecorded rounds before them, per level (default: ${DEFAULT-VALUE}).")
    int warmup = 30;

    @Option(names = "--cache-size", description = "Client cache size in bytes (default: ${DEFAULT-VALUE}).")
    long cacheSize = ClientOptions.DEFAULT_CACHE_SIZE;

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the server process (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--timeout", description = "Seconds a client may wait for the others at a phase boundary"
            + " (default: ${DEFAULT-VALUE}).")
    int timeout = 300;

    private String address;
    private ServerProcess serverProcess;
    private Path caches;
    private final List<Level> levels = new ArrayList<>();

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new ObjectShootout()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (size < 16 || objects < 1 || rounds < 1 || warmup < 0 || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need --object-size >= 16, -n >= 1, --rounds >= 1, --warmup >= 0, concurrency >= 1");
        }
        System.out.println("# jzeo ObjectShootout " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ", java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, load average " + loadAverage());
        System.out.printf(Locale.ROOT, "# %d PObjects (one %d-char string) per transaction, concurrency %s, %d rounds"
                + " + %d warm-up, client cache %d bytes%n", objects, size, concurrency, rounds, warmup, cacheSize);
        boolean tempDir = dir == null;
        Path work = tempDir ? Files.createTempDirectory("jzeo-objshootout") : dir;
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
                System.out.println("# server pid " + serverProcess.pid() + " on " + address + ", Data.fs " + dataFs);
            }
            for (int c : concurrency) {
                Level level = new Level(c);
                level.run();
                levels.add(level);
                level.printSummary();
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

    ClientOptions temporaryOptions() {
        return ClientOptions.of(address).withStorage(storage).withCacheSize(cacheSize);
    }

    // ------------------------------------------------------------------------------------------------ a level

    private final class Level {
        final int clients;
        final int totalRounds = warmup + rounds;
        final long[][][] start;
        final long[][][] end;
        /** Records read from the server / objects read from records, by phase, round, client. */
        final long[][][] networkLoads;
        final long[][][] objectLoads;
        /** The read-only commit ending hot + steamin, ns, by round, client. */
        final long[][] readCommit;
        final long[] serverCpu;
        final long[] toolCpu;
        private int sample;
        final CyclicBarrier barrier;

        Level(int clients) {
            this.clients = clients;
            start = new long[PHASES.length][totalRounds][clients];
            end = new long[PHASES.length][totalRounds][clients];
            networkLoads = new long[PHASES.length][totalRounds][clients];
            objectLoads = new long[PHASES.length][totalRounds][clients];
            readCommit = new long[totalRounds][clients];
            int samples = totalRounds * PHASES.length * 2;
            serverCpu = new long[samples];
            toolCpu = new long[samples];
            barrier = new CyclicBarrier(clients, this::sample);
        }

        private void sample() {
            if (sample < serverCpu.length) {
                serverCpu[sample] = serverProcess == null ? -1 : serverProcess.cpuNanos();
                toolCpu[sample] = processCpuNanos();
            }
            sample++;
        }

        void run() throws Exception {
            System.out.printf(Locale.ROOT, "%n## concurrency %d: %d client(s), each its own ClientStorage, factory"
                    + " and ObjectDatabase, in threads of this JVM%n", clients, clients);
            List<String> slots = setUpSlots(clients);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    Client client = new Client(this, i, slots.get(i));
                    futures.add(pool.submit(() -> {
                        client.runAll();
                        return null;
                    }));
                }
                Exception failure = null;
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
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

        double aggregateRate(Phase p, int round) {
            long first = Arrays.stream(start[p.ordinal()][round]).min().orElseThrow();
            long last = Arrays.stream(end[p.ordinal()][round]).max().orElseThrow();
            return (double) objects * clients / ((last - first) / 1e9);
        }

        double[] recorded(Phase p) {
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rates[r] = aggregateRate(p, warmup + r);
            }
            return rates;
        }

        double median(Phase p) {
            return BenchSupport.median(recorded(p));
        }

        double best(Phase p) {
            return Arrays.stream(recorded(p)).max().orElse(0);
        }

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

        long sum(long[][][] counts, Phase p, int round) {
            return Arrays.stream(counts[p.ordinal()][round]).sum();
        }

        void printRound(int round) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s c=%d round %d/%d:",
                    round < warmup ? "warm-up" : "round", clients, round < warmup ? round + 1 : round - warmup + 1,
                    round < warmup ? warmup : rounds));
            for (Phase p : PHASES) {
                line.append(String.format(Locale.ROOT, "  %s %s", p.label(), rate(aggregateRate(p, round))));
            }
            line.append(String.format(Locale.ROOT, "  | server loads cold %d warm %d hot+steamin %d"
                            + " | objects read from records warm %d hot+steamin %d",
                    sum(networkLoads, Phase.COLD, round), sum(networkLoads, Phase.WARM, round),
                    sum(networkLoads, Phase.HOT, round) + sum(networkLoads, Phase.STEAMIN, round),
                    sum(objectLoads, Phase.WARM, round),
                    sum(objectLoads, Phase.HOT, round) + sum(objectLoads, Phase.STEAMIN, round)));
            System.out.println(line);
        }

        void printSummary() {
            System.out.printf(Locale.ROOT, "%n### concurrency %d, objects/s over %d recorded rounds"
                    + " (aggregate of all clients)%n%n", clients, rounds);
            System.out.println("| phase | median | best | worst | server CPU µs/object | tool CPU µs/object"
                    + " (incl. JIT, GC) |");
            System.out.println("|---|---|---|---|---|---|");
            for (Phase p : PHASES) {
                double[] rates = recorded(p);
                double server = cpuMicrosPerObject(p, serverCpu);
                double tool = cpuMicrosPerObject(p, toolCpu);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", p.label(),
                        rate(BenchSupport.median(rates)), rate(Arrays.stream(rates).max().orElse(0)),
                        rate(Arrays.stream(rates).min().orElse(0)),
                        server < 0 ? "—" : String.format(Locale.ROOT, "%.2f", server),
                        tool < 0 ? "—" : String.format(Locale.ROOT, "%.2f", tool));
            }
            double[] commits = new double[rounds * clients];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < clients; i++) {
                    commits[r * clients + i] = readCommit[warmup + r][i] / 1e3;
                }
            }
            System.out.printf(Locale.ROOT, "%nread-only commit after hot+steamin: median %.0f µs (not in the rates)%n",
                    BenchSupport.median(commits));
            for (Phase p : PHASES) {
                System.out.printf(Locale.ROOT, "RESULT c=%d %s median=%.0f obj/s%n", clients, p.label(), median(p));
            }
        }
    }

    /** One transaction: an empty slot (a PersistentMap) per client in the root, keeping what the root had. */
    private List<String> setUpSlots(int count) {
        List<String> names = new ArrayList<>();
        try (ClientConnectionFactory setup = new ClientConnectionFactory(temporaryOptions())) {
            ObjectDatabase db = ObjectDatabase.over(setup, TYPES);
            db.run(conn -> {
                PersistentMap<String, Object> root = conn.root();
                for (int i = 0; i < count; i++) {
                    String name = "objshootout-c" + count + "-w" + i;
                    root.put(name, new PersistentMap<String, Object>());
                    names.add(name);
                }
            });
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------------ a client

    private final class Client {
        final Level level;
        final int id;
        final String slot;
        final String name;
        final String[] added;
        final String[] updated;
        ClientConnectionFactory factory;
        ObjectDatabase db;

        Client(Level level, int id, String slot) {
            this.level = level;
            this.id = id;
            this.slot = slot;
            this.name = slot;
            this.added = new String[objects];
            this.updated = new String[objects];
        }

        ClientOptions persistentOptions() {
            return temporaryOptions().withClient(name).withVar(caches);
        }

        void runAll() throws Exception {
            factory = new ClientConnectionFactory(persistentOptions());
            db = ObjectDatabase.over(factory, TYPES);
            try {
                for (int round = 0; round < level.totalRounds; round++) {
                    runRound(round);
                    if (id == 0) {
                        level.printRound(round);
                    }
                }
            } finally {
                factory.close();
            }
        }

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
            fill(added, round, 'a');
            fill(updated, round, 'u');
            phase(Phase.ADD, round, factory, () -> {
                try (ObjectConnection c = db.open()) {
                    c.begin();
                    PersistentList<PObject> list = new PersistentList<>();
                    for (int i = 0; i < objects; i++) {
                        list.add(new PObject(added[i]));
                    }
                    slotOf(c).put("objects", list);
                    c.commit();
                }
            });
            phase(Phase.UPDATE, round, factory, () -> {
                try (ObjectConnection c = db.open()) {
                    c.begin();
                    List<PObject> list = listOf(c);
                    for (int i = 0; i < objects; i++) {
                        list.get(i).data = updated[i];
                    }
                    c.commit();
                }
            });

            ClientConnectionFactory cold = new ClientConnectionFactory(temporaryOptions());
            try {
                ObjectDatabase coldDb = ObjectDatabase.over(cold, TYPES);
                phase(Phase.COLD, round, cold, () -> {
                    try (ObjectConnection c = coldDb.open()) {
                        c.begin();
                        checkAll(listOf(c), true);
                        c.commit();
                    }
                });
            } finally {
                cold.close();
            }

            factory.close(); // writes the cache header and releases the cache file's lock
            factory = new ClientConnectionFactory(persistentOptions());
            db = ObjectDatabase.over(factory, TYPES);
            ObjectConnection[] held = new ObjectConnection[1];
            phase(Phase.WARM, round, factory, () -> {
                try (ObjectConnection c = db.open()) {
                    long misses = c.cacheStats().misses();
                    held[0] = c;
                    c.begin();
                    checkAll(listOf(c), true);
                    c.commit();
                    level.objectLoads[Phase.WARM.ordinal()][round][id] = c.cacheStats().misses() - misses;
                }
            });
            @SuppressWarnings("unchecked")
            List<PObject>[] list = new List[1];
            phase(Phase.HOT, round, factory, () -> {
                ObjectConnection c = db.open();
                long misses = c.cacheStats().misses();
                if (c.storage() != held[0].storage()) {
                    c.close();
                    throw new IllegalStateException("the factory did not hand out the pooled connection");
                }
                held[0] = c;
                c.begin();
                list[0] = listOf(c);
                checkAll(list[0], false);
                level.objectLoads[Phase.HOT.ordinal()][round][id] = c.cacheStats().misses() - misses;
            });
            try {
                phase(Phase.STEAMIN, round, factory, () -> {
                    long misses = held[0].cacheStats().misses();
                    checkAll(list[0], false);
                    level.objectLoads[Phase.STEAMIN.ordinal()][round][id] = held[0].cacheStats().misses() - misses;
                });
                long t0 = System.nanoTime();
                held[0].commit();
                level.readCommit[round][id] = System.nanoTime() - t0;
            } finally {
                held[0].close();
            }
        }

        @SuppressWarnings("unchecked")
        PersistentMap<String, Object> slotOf(ObjectConnection c) {
            return (PersistentMap<String, Object>) c.root().get(slot);
        }

        @SuppressWarnings("unchecked")
        List<PObject> listOf(ObjectConnection c) {
            return (List<PObject>) slotOf(c).get("objects");
        }

        /** Reads every object's string: compares it whole (full) or checks its length. */
        void checkAll(List<PObject> list, boolean full) {
            if (list.size() != objects) {
                throw new IllegalStateException(name + ": " + list.size() + " objects, expected " + objects);
            }
            for (int i = 0; i < objects; i++) {
                String data = list.get(i).data;
                if (full ? !data.equals(updated[i]) : data.length() != size) {
                    throw new IllegalStateException(name + ": object " + i + " has unexpected content");
                }
            }
        }

        void fill(String[] strings, int round, char kind) {
            for (int i = 0; i < objects; i++) {
                StringBuilder b = new StringBuilder(size).append(kind).append(' ').append(name).append(" r")
                        .append(round).append(" i").append(i).append(' ');
                while (b.length() < size) {
                    b.append((char) ('a' + (b.length() * 7 + i) % 26));
                }
                b.setLength(size);
                strings[i] = b.toString();
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------------------------------------ output

    private void printTable() {
        System.out.printf(Locale.ROOT, "%n## Summary: objects/s, median of %d rounds (best in brackets), %d objects"
                + " (one %d-char string each) per transaction%n%n", rounds, objects, size);
        StringBuilder head = new StringBuilder("| phase |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Level l : levels) {
            head.append(l.clients == 1 ? " c=1 |" : String.format(Locale.ROOT, " c=%d aggregate |", l.clients));
            rule.append("---|");
        }
        head.append(" target c=1 | ratio c=1 | server CPU µs/obj c=1 | Python ZODB c=1 |");
        rule.append("---|---|---|---|");
        System.out.println(head);
        System.out.println(rule);
        Level first = levels.get(0);
        for (Phase p : PHASES) {
            StringBuilder row = new StringBuilder("| " + p.label() + " |");
            for (Level l : levels) {
                row.append(' ').append(rate(l.median(p))).append(" (").append(rate(l.best(p))).append(") |");
            }
            row.append(p.target > 0 ? " ≥ " + rate(p.target) + " |" : " — |");
            row.append(p.target > 0 ? String.format(Locale.ROOT, " %.2f %s |", first.median(p) / p.target,
                    first.median(p) >= p.target ? "met" : "missed") : " — |");
            double cpu = first.cpuMicrosPerObject(p, first.serverCpu);
            row.append(cpu < 0 ? " — |" : String.format(Locale.ROOT, " %.2f |", cpu));
            row.append(' ').append(p.python).append(" |");
            System.out.println(row);
        }
        if (first.clients != 1) {
            System.out.println("(ratio and server CPU are for the first level, c=" + first.clients + ")");
        }
    }
}
