package org.jzeo.bench.xa;

import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.transaction.xa.XAResource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.StorageXAResource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of "move money" transactions through jzeo with and without XA (issue 5 §6). Starts a jzeo server as a
 * child process on a fresh Data.fs in a temporary directory (fsync on, the server's default), a second resource
 * ({@code --second}: an H2 file database, or a second jzeo server process, see {@link SecondResource}) and
 * Narayana's object store ({@code --object-store}: its default shadowing file store or its Artemis journal, see
 * {@link NarayanaStore}) under the same directory, and creates {@code --accounts-per-thread} account objects
 * of {@code --size} bytes per thread. Each transaction reads two of its thread's accounts and writes both (threads
 * never share accounts: no conflicts) and records the transfer in the second resource (an H2 row, or the thread's
 * ledger object on the second server), in one of these modes:
 * <ul>
 *   <li><b>xa-2pc</b>: jzeo ({@link StorageXAResource}) and the second resource enlisted in one Narayana
 *       transaction: two-phase commit, jzeo durable at prepare ({@code xa_vote}) and at commit
 *       ({@code xa_commit}), and Narayana writes (and syncs) its own log record between the phases;</li>
 *   <li><b>xa-1pc</b>: only jzeo enlisted in Narayana, which commits it in one phase ({@code commit(onePhase=true)}:
 *       vote and tpc_finish, no Narayana log); the record in its own local transaction after it;</li>
 *   <li><b>local</b>: the same jzeo work with {@link StorageConnection#begin()}/{@link StorageConnection#commit()},
 *       the record in its own local transaction;</li>
 *   <li><b>jzeo-only</b> (control, not in the default list): local jzeo commits without the second resource.</li>
 * </ul>
 * with each of {@code --threads} threads, each with its own StorageConnection: all from one ClientConnectionFactory
 * over one ClientStorage ("1 storage": the client commits one transaction at a time on its server connection,
 * although xa_vote gives the turn back at prepare, tpc_finish only at its end), and, for more than one thread, with
 * one ClientStorage per thread. Each configuration runs {@code --warmup} seconds, then {@code --rounds} windows of
 * {@code --seconds}; the tables show the median and best window, latency percentiles, the CPU of this JVM and of
 * the server, and where a transaction's time goes (timed sections; the XA calls are timed by wrapping the
 * resources, Narayana's own share is the rest of {@code tm.commit()}). At the end the tool checks that every
 * thread's balances still add up and that the second resource holds one record per committed transaction, per
 * thread. See bench/README.md,
 * "XA throughput".
 */
@Command(name = "XaThroughputTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Throughput of jzeo transactions with two-phase XA (Narayana + H2 or a second jzeo server),"
                + " one-phase XA and without XA.")
public final class XaThroughputTool implements Callable<Integer> {
    private static final double TARGET_XA2_8 = 1_000;

    enum Mode {
        XA2("xa-2pc", "jzeo + second resource in Narayana, two-phase"),
        XA1("xa-1pc", "only jzeo in Narayana (one-phase); second resource local"),
        LOCAL("local", "jzeo begin/commit; second resource local"),
        JZEO("jzeo-only", "jzeo begin/commit, no second resource (control)");

        final String label;
        final String what;

        Mode(String label, String what) {
            this.label = label;
            this.what = what;
        }

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.label.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode " + s + " (xa-2pc, xa-1pc, local, jzeo-only)");
        }
    }

    @Option(names = "--seconds", description = "Seconds per measured round (default: ${DEFAULT-VALUE}).")
    double seconds = 5;

    @Option(names = "--rounds", description = "Measured rounds per configuration (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    // 3 s was too short: profiles showed the C2 compiler using half of each JVM's CPU during the measured rounds.
    @Option(names = "--warmup", description = "Unmeasured seconds before the rounds of each configuration"
            + " (default: ${DEFAULT-VALUE}).")
    double warmup = 30;

    @Option(names = "--modes", split = ",", description = "Modes among xa-2pc, xa-1pc, local, jzeo-only"
            + " (default: ${DEFAULT-VALUE}).")
    List<String> modes = List.of("xa-2pc", "xa-1pc", "local");

    @Option(names = "--threads", split = ",", description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads = List.of(1, 8);

    @Option(names = "--storages", split = ",", description = "With more than one thread: 'shared' (one"
            + " ClientStorage for all threads) and/or 'separate' (one per thread) (default: ${DEFAULT-VALUE}).")
    List<String> storages = List.of("shared", "separate");

    @Option(names = "--accounts-per-thread", description = "Accounts per thread (default: ${DEFAULT-VALUE}).")
    int accountsPerThread = 4;

    @Option(names = "--size", description = "Payload bytes per account object (min 16; default: ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--narayana-sync", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Narayana syncs its object-store log writes (its default; --no-narayana-sync to measure"
                    + " without).")
    boolean narayanaSync = true;

    @Option(names = "--object-store", description = "Narayana's object store: SHADOW (its default file store: a"
            + " file created, fsynced and deleted per transaction) or JOURNAL (its Artemis journal store, WildFly's"
            + " use-journal-store: appends group-committed by one fdatasync) (default: ${DEFAULT-VALUE}).")
    NarayanaStore.Kind objectStore = NarayanaStore.Kind.SHADOW;

    @Option(names = "--journal-aio", negatable = true, description = "With --object-store JOURNAL: Artemis AIO"
            + " (needs libaio; Narayana falls back to NIO with a warning if it does not load). Default off: NIO,"
            + " FileChannel.force.")
    boolean journalAio;

    @Option(names = "--second", description = "Second XA resource: H2 (embedded file database, one row per"
            + " transfer; does not fsync) or JZEO (a second jzeo server process with its own Data.fs, fsync on; one"
            + " ledger object per thread updated per transfer) (default: ${DEFAULT-VALUE}).")
    Second second = Second.H2;

    enum Second { H2, JZEO }

    @Option(names = "--stack-samples", description = "Thread-dump samples of the worker threads per configuration,"
            + " taken every 20 ms during the first measured round and summarised (0: none; default: ${DEFAULT-VALUE}).")
    int stackSamples = 100;

    @Option(names = "--dir", description = "Working directory (default: a new temporary directory, deleted at the"
            + " end unless --keep or a failure). Its contents are deleted first.")
    Path dir;

    @Option(names = "--keep", description = "Keep the working directory (Data.fs, server.log, second resource,"
            + " Narayana store).")
    boolean keep;

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the server process(es) (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--timeout", description = "Seconds to wait for the workers to stop (default: ${DEFAULT-VALUE}).")
    int timeout = 60;

    private ServerProcess server;
    private String address;
    private SecondResource secondResource;
    private AtomicLongArray recordedByThread;
    private TransactionManager tm;
    private Oid[] accounts;
    private long initialBalance = 1_000_000;
    private final AtomicLong rowIds = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final List<Result> results = new ArrayList<>();

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.jboss.logging.provider") == null) {
            System.setProperty("org.jboss.logging.provider", "slf4j"); // Narayana's INFO lines through slf4j-simple
        }
        System.exit(new CommandLine(new XaThroughputTool()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    // ------------------------------------------------------------------------------------------------ sections

    static final int BEGIN = 0;
    static final int WORK = 1;
    static final int RECORD = 2;
    static final int COMMIT = 3;
    static final int RECORD_COMMIT = 4;
    static final int JZ = 5;
    static final int SECOND = JZ + TimedXAResource.SECTIONS;
    static final int SECTIONS = SECOND + TimedXAResource.SECTIONS;

    /** One worker's counters: committed transactions and nanoseconds per section, read by the main thread. */
    static final class Stats {
        final AtomicLong count = new AtomicLong();
        final AtomicLongArray nanos = new AtomicLongArray(SECTIONS);
        /** (end time, latency) pairs of every transaction, written by the worker only, read after it ended. */
        long[] latencies = new long[1 << 14];
        int latencyCount;

        void add(int section, long ns) {
            nanos.addAndGet(section, ns);
        }

        void record(long end, long latency) {
            if (latencyCount + 2 > latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = end;
            latencies[latencyCount++] = latency;
        }
    }

    // ------------------------------------------------------------------------------------------------ main

    @Override
    public Integer call() throws Exception {
        if (size < 16 || rounds < 1 || seconds <= 0 || accountsPerThread < 2 || threads.stream().anyMatch(t -> t < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need --size >= 16, --rounds >= 1, --seconds > 0, --accounts-per-thread >= 2, threads >= 1");
        }
        List<Mode> modeList = modes.stream().map(Mode::parse).toList();
        System.out.println("# jzeo XaThroughputTool " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ", java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, load average " + loadAverage());
        System.out.printf(Locale.ROOT, "# modes %s, threads %s, storages %s, %d accounts of %d bytes per thread,"
                        + " %.0f s warm-up + %d × %.0f s per configuration, Narayana %s store, log sync %s,"
                        + " second resource %s%n",
                modeList.stream().map(m -> m.label).toList(), threads, storages, accountsPerThread, size, warmup,
                rounds, seconds, objectStore.name().toLowerCase(Locale.ROOT), narayanaSync ? "on" : "OFF", second);
        boolean tempDir = dir == null;
        Path work = tempDir ? Files.createTempDirectory("jzeo-xbench") : dir.toAbsolutePath();
        boolean ok = false;
        try {
            Files.createDirectories(work);
            if (!tempDir) {
                clear(work);
            }
            System.out.println("# working directory " + work + " (" + fileSystem(work) + ")");
            server = ServerProcess.start(work.resolve("Data.fs"), work.resolve("server.log"), serverJvmOptions, 120);
            InetSocketAddress bound = server.address();
            address = bound.getAddress().getHostAddress() + ":" + bound.getPort();
            System.out.println("# server pid " + server.pid() + " on " + address + " (fsync on), log " + server.log());

            int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
            recordedByThread = new AtomicLongArray(maxThreads);
            secondResource = second == Second.H2 ? new H2Resource(work.resolve("h2").resolve("bank"))
                    : new JzeoResource(work.resolve("second"), serverJvmOptions, maxThreads, size);

            NarayanaStore.configure(objectStore, work.resolve("narayana"), narayanaSync, journalAio);
            tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
            System.out.println("# Narayana " + tm.getClass().getSimpleName() + ", " + NarayanaStore.describe());

            createAccounts(maxThreads * accountsPerThread);

            for (Mode mode : modeList) {
                List<Result> ofMode = new ArrayList<>();
                for (int t : threads) {
                    List<Integer> storageCounts = new ArrayList<>();
                    if (t == 1) {
                        storageCounts.add(1);
                    } else {
                        if (storages.contains("shared")) {
                            storageCounts.add(1);
                        }
                        if (storages.contains("separate")) {
                            storageCounts.add(t);
                        }
                    }
                    for (int s : storageCounts) {
                        Result r = runConfiguration(mode, t, s);
                        results.add(r);
                        ofMode.add(r);
                        if (r.failure != null) {
                            throw new IllegalStateException(r.failure);
                        }
                    }
                }
                printModeTable(mode, ofMode);
            }
            ok = verifyRecords();
        } finally {
            if (server != null) {
                System.out.println("# server stopped (SIGTERM), exit status " + server.stop(60));
            }
            if (secondResource != null) {
                secondResource.close();
            }
            printFinalTable();
            if (tempDir && !keep && ok) {
                deleteTree(work);
            } else {
                System.out.println("# kept " + work);
            }
        }
        return ok ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------ data

    private byte[] payload(long balance, long serial) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(balance).putLong(serial);
        while (b.hasRemaining()) {
            b.put((byte) ('a' + b.position() % 26));
        }
        return b.array();
    }

    private static long balance(StoredObject o) {
        return ByteBuffer.wrap(o.payload()).getLong(0);
    }

    private void createAccounts(int n) {
        accounts = new Oid[n];
        long t0 = System.nanoTime();
        try (ClientConnectionFactory f = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = f.getConnection()) {
            for (int i = 0; i < n; i += 100) {
                c.begin();
                for (int j = i; j < Math.min(n, i + 100); j++) {
                    accounts[j] = c.newOid();
                    c.write(accounts[j], payload(initialBalance, 0), List.of());
                }
                c.commit();
            }
        }
        System.out.printf(Locale.ROOT, "# %d accounts created in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ workers

    private final class Worker implements Runnable {
        final int index;
        final Mode mode;
        final Stats stats = new Stats();
        final Oid[] mine;
        final StorageConnection connection;
        XAResource jzeo;
        SecondResource.Session record;
        XAResource recordResource;
        volatile boolean stop;
        final AtomicReference<Throwable> failure;
        long iteration;

        Worker(int index, Mode mode, ClientConnectionFactory factory, AtomicReference<Throwable> failure)
                throws Exception {
            this.index = index;
            this.mode = mode;
            this.failure = failure;
            this.mine = Arrays.copyOfRange(accounts, index * accountsPerThread, (index + 1) * accountsPerThread);
            this.connection = factory.getConnection();
            if (mode == Mode.XA2 || mode == Mode.XA1) {
                jzeo = new TimedXAResource(StorageXAResource.of(connection), stats, JZ);
            }
            if (mode != Mode.JZEO) {
                record = secondResource.session(index, mode == Mode.XA2);
            }
            if (mode == Mode.XA2) {
                recordResource = new TimedXAResource(record.xaResource(), stats, SECOND);
            }
        }

        @Override
        public void run() {
            try {
                while (!stop && failure.get() == null) {
                    long t0 = System.nanoTime();
                    once();
                    long t1 = System.nanoTime();
                    stats.count.incrementAndGet();
                    committed.incrementAndGet();
                    stats.record(t1, t1 - t0);
                    iteration++;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, new IllegalStateException(Thread.currentThread().getName()
                        + " failed in " + mode.label + ": " + e, e));
                cleanUp();
            }
        }

        private void once() throws Exception {
            int k = (int) (iteration % mine.length);
            Oid src = mine[k];
            Oid dst = mine[(k + 1) % mine.length];
            long t0 = System.nanoTime();
            long t1;
            long t2;
            long t3;
            switch (mode) {
                case XA2 -> {
                    tm.begin();
                    Transaction tx = tm.getTransaction();
                    tx.enlistResource(jzeo);
                    tx.enlistResource(recordResource);
                    t1 = lap(BEGIN, t0);
                    move(src, dst);
                    t2 = lap(WORK, t1);
                    insert(src, dst);
                    t3 = lap(RECORD, t2);
                    tm.commit();
                    lap(COMMIT, t3);
                }
                case XA1 -> {
                    tm.begin();
                    tm.getTransaction().enlistResource(jzeo);
                    t1 = lap(BEGIN, t0);
                    move(src, dst);
                    t2 = lap(WORK, t1);
                    tm.commit();
                    t3 = lap(COMMIT, t2);
                    insert(src, dst);
                    long t4 = lap(RECORD, t3);
                    record.commitLocal();
                    lap(RECORD_COMMIT, t4);
                }
                case LOCAL, JZEO -> {
                    connection.begin();
                    t1 = lap(BEGIN, t0);
                    move(src, dst);
                    t2 = lap(WORK, t1);
                    connection.commit();
                    t3 = lap(COMMIT, t2);
                    if (mode == Mode.LOCAL) {
                        insert(src, dst);
                        long t4 = lap(RECORD, t3);
                        record.commitLocal();
                        lap(RECORD_COMMIT, t4);
                    }
                }
                default -> throw new IllegalStateException(mode.toString());
            }
        }

        private long lap(int section, long since) {
            long now = System.nanoTime();
            stats.add(section, now - since);
            return now;
        }

        private void move(Oid src, Oid dst) {
            StoredObject a = connection.read(src);
            StoredObject b = connection.read(dst);
            connection.write(src, payload(balance(a) - 1, iteration), List.of());
            connection.write(dst, payload(balance(b) + 1, iteration), List.of());
        }

        private void insert(Oid src, Oid dst) throws Exception {
            record.record(rowIds.incrementAndGet(), index, src, dst);
            recordedByThread.incrementAndGet(index);
        }

        private void cleanUp() {
            try {
                if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    tm.rollback();
                }
            } catch (Exception ignored) {
                // best effort
            }
            try {
                if (connection.inTransaction()) {
                    connection.abort();
                }
                if (record != null) {
                    record.rollbackLocal();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }

        void close() {
            if (record != null) {
                record.close();
            }
            connection.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ runs

    /** One measured round: transactions, seconds, CPU of this JVM, of the server and of the second server (ns). */
    private record Round(long txs, double seconds, long ownCpu, long serverCpu, long secondCpu) {
        double rate() {
            return txs / seconds;
        }
    }

    /** One configuration's outcome. */
    private record Result(Mode mode, int threads, int storages, List<Round> rounds, long p50, long p99, long max,
                          long[] sectionNanos, long sectionTxs, String stacks, String failure) {
        double median() {
            double[] r = rounds.stream().mapToDouble(Round::rate).sorted().toArray();
            return r.length == 0 ? 0 : r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }

        double best() {
            return rounds.stream().mapToDouble(Round::rate).max().orElse(0);
        }

        double target() {
            return mode == Mode.XA2 && threads >= 8 ? TARGET_XA2_8 : 0;
        }

        /** CPU of this JVM and the server(s) over all rounds, in % of one core, and µs per transaction. */
        String cpu() {
            long txs = rounds.stream().mapToLong(Round::txs).sum();
            double secs = rounds.stream().mapToDouble(Round::seconds).sum();
            long own = rounds.stream().mapToLong(Round::ownCpu).sum();
            long srv = rounds.stream().mapToLong(Round::serverCpu).sum();
            String out = String.format(Locale.ROOT, "tool %.0f%% (%.0f µs/tx), server %.0f%% (%.0f µs/tx)",
                    own / 1e9 / secs * 100, own / 1e3 / Math.max(1, txs), srv / 1e9 / secs * 100,
                    srv / 1e3 / Math.max(1, txs));
            if (rounds.stream().allMatch(r -> r.secondCpu() >= 0)) {
                long second = rounds.stream().mapToLong(Round::secondCpu).sum();
                out += String.format(Locale.ROOT, ", server #2 %.0f%% (%.0f µs/tx)", second / 1e9 / secs * 100,
                        second / 1e3 / Math.max(1, txs));
            }
            return out;
        }
    }

    private Result runConfiguration(Mode mode, int threadCount, int storageCount) throws Exception {
        System.out.printf(Locale.ROOT, "%n## %s (%s), %d thread(s), %d ClientStorage(s)%n", mode.label, mode.what,
                threadCount, storageCount);
        List<ClientConnectionFactory> factories = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Round> roundList = new ArrayList<>();
        String stacks = "";
        try {
            for (int i = 0; i < storageCount; i++) {
                ClientStorage storage = new ClientStorage(ClientOptions.of(address));
                if ((mode == Mode.XA2 || mode == Mode.XA1) && !storage.supportsXa()) {
                    storage.close();
                    throw new IllegalStateException("the server does not offer the XA extension");
                }
                factories.add(new ClientConnectionFactory(storage, true, threadCount,
                        ClientConnectionFactory.DEFAULT_OBJECT_CACHE_SIZE));
            }
            secondResource.open(threadCount, storageCount);
            for (int i = 0; i < threadCount; i++) {
                workers.add(new Worker(i, mode, factories.get(i % storageCount), failure));
            }
            for (Worker w : workers) {
                Thread t = new Thread(w, "xa-worker-" + w.index);
                t.setDaemon(true);
                running.add(t);
                t.start();
            }
            sleep(warmup, failure);
            long measureStart = System.nanoTime();
            long[] sections0 = sections(workers);
            long count0 = count(workers);
            for (int r = 0; r < rounds && failure.get() == null; r++) {
                long c0 = count(workers);
                long own0 = ownCpu();
                long srv0 = server.cpuNanos();
                long second0 = secondResource.cpuNanos();
                long n0 = System.nanoTime();
                if (r == 0 && stackSamples > 0) {
                    stacks = sampleStacks(running, seconds);
                }
                sleepUntil(n0 + (long) (seconds * 1e9), failure);
                long n1 = System.nanoTime();
                long c1 = count(workers);
                long second1 = secondResource.cpuNanos();
                Round round = new Round(c1 - c0, (n1 - n0) / 1e9, ownCpu() - own0, server.cpuNanos() - srv0,
                        second0 < 0 ? -1 : second1 - second0);
                roundList.add(round);
                System.out.printf(Locale.ROOT, "   round %d: %,d tx in %.2f s = %,.0f tx/s%n", r + 1, round.txs,
                        round.seconds, round.rate());
            }
            long measureEnd = System.nanoTime();
            long[] sections1 = sections(workers);
            long count1 = count(workers);
            workers.forEach(w -> w.stop = true);
            for (Thread t : running) {
                t.join(TimeUnit.SECONDS.toMillis(timeout));
                if (t.isAlive()) {
                    failure.compareAndSet(null, new IllegalStateException(t.getName() + " did not stop within "
                            + timeout + " s"));
                }
            }
            long[] latencies = latencies(workers, measureStart, measureEnd);
            long[] delta = new long[SECTIONS];
            for (int i = 0; i < SECTIONS; i++) {
                delta[i] = sections1[i] - sections0[i];
            }
            if (failure.get() == null) {
                checkBalances(factories.get(0), threadCount);
            }
            Result result = new Result(mode, threadCount, storageCount, roundList, pct(latencies, 0.5),
                    pct(latencies, 0.99), latencies.length == 0 ? 0 : latencies[latencies.length - 1], delta,
                    count1 - count0, stacks, failure.get() == null ? null : failure.get().toString());
            report(result);
            if (failure.get() != null) {
                failure.get().printStackTrace(System.out);
            }
            return result;
        } finally {
            workers.forEach(w -> w.stop = true);
            for (Thread t : running) {
                t.join(5_000);
            }
            for (Worker w : workers) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    System.out.println("# closing worker " + w.index + ": " + e);
                }
            }
            factories.forEach(ClientConnectionFactory::close);
            secondResource.release();
        }
    }

    private void checkBalances(ClientConnectionFactory factory, int threadCount) {
        try (StorageConnection c = factory.getConnection()) {
            c.begin();
            for (int t = 0; t < threadCount; t++) {
                long sum = 0;
                for (int i = t * accountsPerThread; i < (t + 1) * accountsPerThread; i++) {
                    sum += balance(c.read(accounts[i]));
                }
                if (sum != initialBalance * accountsPerThread) {
                    throw new IllegalStateException("thread " + t + "'s balances add up to " + sum + ", not "
                            + initialBalance * accountsPerThread);
                }
            }
            c.abort();
        }
    }

    private boolean verifyRecords() throws Exception {
        long[] perThread = new long[recordedByThread.length()];
        for (int t = 0; t < perThread.length; t++) {
            perThread[t] = recordedByThread.get(t);
        }
        boolean ok = secondResource.verify(rowIds.get(), perThread);
        System.out.printf(Locale.ROOT, "# check: %s; %,d transactions committed in all (jzeo-only ones record"
                + " none)%n", ok ? "one record per recorded transfer" : "RECORDS DO NOT MATCH", committed.get());
        return ok;
    }

    private static long[] sections(List<Worker> workers) {
        long[] sum = new long[SECTIONS];
        for (Worker w : workers) {
            for (int i = 0; i < SECTIONS; i++) {
                sum[i] += w.stats.nanos.get(i);
            }
        }
        return sum;
    }

    private static long count(List<Worker> workers) {
        return workers.stream().mapToLong(w -> w.stats.count.get()).sum();
    }

    private static long[] latencies(List<Worker> workers, long from, long to) {
        int n = 0;
        for (Worker w : workers) {
            n += w.stats.latencyCount / 2;
        }
        long[] out = new long[n];
        int k = 0;
        for (Worker w : workers) {
            long[] l = w.stats.latencies;
            for (int i = 0; i + 1 < w.stats.latencyCount; i += 2) {
                if (l[i] >= from && l[i] <= to) {
                    out[k++] = l[i + 1];
                }
            }
        }
        out = Arrays.copyOf(out, k);
        Arrays.sort(out);
        return out;
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    /**
     * Takes {@link #stackSamples} thread dumps of the workers during {@code seconds} and counts, per worker state,
     * its top frame and the innermost frame of jzeo, Narayana, Artemis journal or H2 code under it.
     */
    private String sampleStacks(List<Thread> workers, double seconds) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ids = workers.stream().mapToLong(Thread::getId).toArray();
        Map<String, Integer> counts = new HashMap<>();
        int total = 0;
        long interval = Math.max(5, (long) (seconds * 1000 / Math.max(1, stackSamples)));
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; i < stackSamples && System.nanoTime() < end; i++) {
            for (ThreadInfo info : mx.getThreadInfo(ids, 40)) {
                if (info == null || info.getStackTrace().length == 0) {
                    continue;
                }
                StackTraceElement[] st = info.getStackTrace();
                String top = frame(st[0]);
                String owner = "";
                for (StackTraceElement e : st) {
                    String c = e.getClassName();
                    if (c.startsWith("org.jzeo.client") || c.startsWith("org.jzeo.api") || c.startsWith("com.arjuna")
                            || c.startsWith("org.h2") || c.startsWith("org.jzeo.bench")
                            || c.startsWith("org.apache.activemq")) {
                        owner = frame(e);
                        break;
                    }
                }
                String state = info.getThreadState() == Thread.State.RUNNABLE ? "RUN " : "WAIT";
                counts.merge(state + " " + owner + (owner.equals(top) ? "" : "  <-top- " + top), 1, Integer::sum);
                total++;
            }
            Thread.sleep(interval);
        }
        StringBuilder out = new StringBuilder();
        int all = total;
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.append(String.format(Locale.ROOT, "     %5.1f%%  %s%n", 100.0 * e.getValue() / all,
                        e.getKey())));
        return out.toString();
    }

    private static String frame(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + ":" + e.getLineNumber();
    }

    // ------------------------------------------------------------------------------------------------ output

    private String[] sectionNames() {
        String name = secondResource.name();
        return new String[] {"begin (+enlist, XA start)", "jzeo read 2 + write 2", name + " record",
            "commit (tm.commit / connection.commit)", name + " local commit"};
    }

    private static final String[] XA_CALLS = {"start", "end", "prepare", "commit", "rollback"};

    private void report(Result r) {
        System.out.printf(Locale.ROOT, "RESULT %-9s threads=%d storages=%d median %,.0f tx/s best %,.0f tx/s p50=%s"
                        + " p99=%s max=%s %s%s%n", r.mode.label, r.threads, r.storages, r.median(), r.best(),
                ms(r.p50), ms(r.p99), ms(r.max), r.cpu(), r.failure == null ? "" : " FAILED: " + r.failure);
        long txs = Math.max(1, r.sectionTxs);
        // per transaction, in µs of one thread's time (sum over threads / transactions)
        System.out.println("   time per transaction and thread (µs, all rounds; latency ≈ the sum):");
        String[] sectionNames = sectionNames();
        for (int i = 0; i < sectionNames.length; i++) {
            if (r.sectionNanos[i] > 0) {
                System.out.printf(Locale.ROOT, "     %-42s %8.0f%n", sectionNames[i], r.sectionNanos[i] / 1e3 / txs);
            }
        }
        long xaInCommit = 0;
        for (int base : new int[] {JZ, SECOND}) {
            String who = base == JZ ? "jzeo XA " : secondResource.name() + " XA ";
            for (int c = 0; c < TimedXAResource.SECTIONS; c++) {
                long ns = r.sectionNanos[base + c];
                if (ns > 0) {
                    System.out.printf(Locale.ROOT, "       %-40s %8.0f%n", who + XA_CALLS[c], ns / 1e3 / txs);
                    if (c != TimedXAResource.START) {
                        xaInCommit += ns;
                    }
                }
            }
        }
        if (r.mode == Mode.XA2 || r.mode == Mode.XA1) {
            System.out.printf(Locale.ROOT, "       %-40s %8.0f%n", "Narayana's own share of tm.commit (log, ...)",
                    (r.sectionNanos[COMMIT] - xaInCommit) / 1e3 / txs);
        }
        if (!r.stacks.isEmpty()) {
            System.out.println("   worker stack samples (state, innermost jzeo/Narayana/Artemis/H2 frame <- top frame):");
            System.out.print(r.stacks);
        }
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
    }

    private void printModeTable(Mode mode, List<Result> list) {
        System.out.printf(Locale.ROOT, "%n### %s: %s%n", mode.label, mode.what);
        System.out.println("| threads | storages | median tx/s | best tx/s | p50 | p99 | CPU |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : list) {
            System.out.printf(Locale.ROOT, "| %d | %d | %,.0f | %,.0f | %s | %s | %s |%n", r.threads, r.storages,
                    r.median(), r.best(), ms(r.p50), ms(r.p99), r.cpu());
        }
    }

    private void printFinalTable() {
        if (results.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("| mode | threads | storages | tx/s (median of " + rounds + ") | best | target |");
        System.out.println("|---|---|---|---|---|---|");
        for (Result r : results) {
            String target = r.target() > 0 ? String.format(Locale.ROOT, "≥ %,.0f: %.2f× %s", r.target(),
                    r.median() / r.target(), r.median() >= r.target() ? "met" : "missed") : "—";
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %,.0f | %,.0f | %s |%n", r.mode.label
                    + (r.failure != null ? " **FAILED**" : ""), r.threads, r.storages, r.median(), r.best(), target);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void sleep(double secs, AtomicReference<Throwable> failure) throws InterruptedException {
        sleepUntil(System.nanoTime() + (long) (secs * 1e9), failure);
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

    private static long ownCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String fileSystem(Path p) {
        try {
            return Files.getFileStore(p).type() + " " + Files.getFileStore(p).name();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void clear(Path work) throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            for (Path p : s.toList()) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
