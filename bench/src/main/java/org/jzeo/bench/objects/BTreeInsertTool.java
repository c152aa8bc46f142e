package org.jzeo.bench.objects;

import static org.jzeo.bench.BenchSupport.deleteDataFs;
import static org.jzeo.bench.BenchSupport.deleteTree;
import static org.jzeo.bench.BenchSupport.loadAverage;
import static org.jzeo.bench.BenchSupport.rate;

import java.lang.management.ManagementFactory;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.objects.ObjectCacheStats;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.PersistentSortedMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Inserts {@code --keys} keys (Long or String) into one {@link PersistentSortedMap} in transactions of
 * {@code --batch}, through a jzeo server it starts (or {@code --server}), then iterates the whole map twice: in the
 * connection that inserted (its object cache holds the most recently used buckets) and cold (a new client with
 * empty caches). Prints the rates and the heap this JVM used: the peak of {@code MemoryMXBean}'s heap used, sampled
 * every 10 ms (garbage included), and the peak heap left after a collection (the live set). Run it with
 * {@code -Xmx256m} to see whether a million-key map fits a small heap.
 */
@Command(name = "BTreeInsertTool", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Inserts keys into one PersistentSortedMap through a server, then iterates it.")
public final class BTreeInsertTool implements Callable<Integer> {

    enum KeyType { LONG, STRING }

    enum Order { RANDOM, SEQUENTIAL }

    @Option(names = "--server", description = "Use a running server at host:port instead of starting one.")
    String server;

    @Option(names = "--storage", description = "Storage name (default: ${DEFAULT-VALUE}).")
    String storage = "1";

    @Option(names = "--dir", description = "Directory for Data.fs and server.log (default: a temporary one,"
            + " deleted at the end unless --keep).")
    Path dir;

    @Option(names = "--keep", description = "Keep the directory at the end.")
    boolean keep;

    @Option(names = "--keys", description = "Keys to insert (default: ${DEFAULT-VALUE}).")
    int keys = 1_000_000;

    @Option(names = "--batch", description = "Keys per transaction (default: ${DEFAULT-VALUE}).")
    int batch = 1000;

    @Option(names = "--key-type", description = "LONG or STRING (\"key-%010d\"); default: ${DEFAULT-VALUE}.")
    KeyType keyType = KeyType.LONG;

    @Option(names = "--order", description = "RANDOM (a shuffled permutation) or SEQUENTIAL; default:"
            + " ${DEFAULT-VALUE}.")
    Order order = Order.RANDOM;

    @Option(names = "--cache-objects", description = "Object cache size of the connection (default:"
            + " ${DEFAULT-VALUE}).")
    int cacheObjects = ObjectDatabase.DEFAULT_CACHE_SIZE;

    @Option(names = "--server-jvm-opt", description = "Extra JVM option for the server process (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    private final HeapSampler heap = new HeapSampler();

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new BTreeInsertTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        System.out.println("# jzeo BTreeInsertTool " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ", java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, max heap " + mb(maxHeap) + ", load average " + loadAverage());
        System.out.printf(Locale.ROOT, "# %,d %s keys, %s order, %,d per transaction, object cache %,d objects%n",
                keys, keyType, order, batch, cacheObjects);
        boolean tempDir = dir == null;
        Path work = tempDir ? Files.createTempDirectory("jzeo-btree") : dir;
        ServerProcess serverProcess = null;
        boolean ok = false;
        Thread sampler = new Thread(heap, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            Files.createDirectories(work);
            String address;
            if (server != null) {
                address = server;
            } else {
                deleteDataFs(work);
                serverProcess = ServerProcess.start(work.resolve("Data.fs"), work.resolve("server.log"),
                        serverJvmOptions, 120);
                InetSocketAddress bound = serverProcess.address();
                address = bound.getAddress().getHostAddress() + ":" + bound.getPort();
                System.out.println("# server pid " + serverProcess.pid() + " on " + address);
            }
            ClientOptions options = ClientOptions.of(address).withStorage(storage);
            Object[] keyOrder = keys();
            long serverCpu0 = serverProcess == null ? -1 : serverProcess.cpuNanos();
            double insertRate;
            double hotRate;
            try (ClientConnectionFactory factory = new ClientConnectionFactory(options)) {
                ObjectDatabase db = ObjectDatabase.builder(factory, ObjectTypes.of()).cacheSize(cacheObjects).build();
                try (ObjectConnection c = db.open()) {
                    c.begin();
                    c.root().put("btree", new PersistentSortedMap<>());
                    c.commit();
                    long t0 = System.nanoTime();
                    long lap = t0;
                    for (int done = 0; done < keys; ) {
                        c.begin();
                        PersistentSortedMap<Comparable<Object>, Object> map = mapOf(c);
                        int end = Math.min(keys, done + batch);
                        for (int i = done; i < end; i++) {
                            map.put(key(keyOrder[i]), keyOrder[i]);
                        }
                        c.commit();
                        done = end;
                        if (done % 100_000 == 0 || done == keys) {
                            long now = System.nanoTime();
                            ObjectCacheStats s = c.cacheStats();
                            System.out.printf(Locale.ROOT, "inserted %,9d: last 100k at %s keys/s, heap used %s"
                                            + " (peak after GC so far %s), object cache misses %,d evictions %,d%n",
                                    done, rate(Math.min(100_000, done) / ((now - lap) / 1e9)),
                                    mb(heap.current()), mb(heap.peakAfterGc()), s.misses(), s.evictions());
                            lap = now;
                        }
                    }
                    long t1 = System.nanoTime();
                    insertRate = keys / ((t1 - t0) / 1e9);
                    if (serverProcess != null) {
                        System.out.printf(Locale.ROOT, "server CPU during the inserts: %.1f µs per key%n",
                                (serverProcess.cpuNanos() - serverCpu0) / 1e3 / keys);
                    }
                    System.gc(); // what is really live, the connection and its caches open (not counted as a peak)
                    long liveAfterInserts = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    System.out.printf(Locale.ROOT, "heap used after a full GC, after the inserts: %s (object cache"
                            + " %s)%n", mb(liveAfterInserts), c.cacheStats());
                    heap.liveAfterInserts = liveAfterInserts;
                    c.begin();
                    hotRate = iterate(mapOf(c), "iteration in the inserting connection");
                    c.commit();
                }
            }
            double coldRate;
            try (ClientConnectionFactory fresh = new ClientConnectionFactory(options)) {
                ObjectDatabase db = ObjectDatabase.builder(fresh, ObjectTypes.of()).cacheSize(cacheObjects).build();
                try (ObjectConnection c = db.open()) {
                    c.begin();
                    coldRate = iterate(mapOf(c), "iteration by a new client (empty caches)");
                    c.commit();
                    System.out.println("records loaded from the server by the cold iteration: "
                            + fresh.storage().networkLoads());
                }
            }
            heap.stop();
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf(Locale.ROOT, "| inserts (%,d %s keys, %s, %,d per transaction) | %s keys/s |%n",
                    keys, keyType, order.name().toLowerCase(Locale.ROOT), batch, rate(insertRate));
            System.out.printf(Locale.ROOT, "| iteration, inserting connection | %s entries/s |%n", rate(hotRate));
            System.out.printf(Locale.ROOT, "| iteration, new client, empty caches | %s entries/s |%n", rate(coldRate));
            System.out.printf(Locale.ROOT, "| max heap (-Xmx) | %s |%n", mb(maxHeap));
            System.out.printf(Locale.ROOT, "| peak heap used (sampled every 10 ms, garbage included) | %s |%n",
                    mb(heap.peak()));
            System.out.printf(Locale.ROOT, "| peak heap after a GC (young or mixed: includes old-generation garbage"
                    + " not yet collected) | %s |%n", mb(heap.peakAfterGc()));
            System.out.printf(Locale.ROOT, "| heap after a full GC once the inserts are done (live set) | %s |%n",
                    mb(heap.liveAfterInserts));
            System.out.printf(Locale.ROOT, "RESULT inserts=%.0f/s iterate=%.0f/s iterate-cold=%.0f/s"
                    + " peak-heap=%dMB peak-after-gc=%dMB live-after-inserts=%dMB max-heap=%dMB%n", insertRate, hotRate,
                    coldRate, heap.peak() >> 20, heap.peakAfterGc() >> 20, heap.liveAfterInserts >> 20, maxHeap >> 20);
            ok = true;
        } finally {
            heap.stop();
            if (serverProcess != null) {
                System.out.println("# server stopped, exit status " + serverProcess.stop(60));
            }
            if (tempDir && !keep && ok) {
                deleteTree(work);
            } else {
                System.out.println("# kept " + work);
            }
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static PersistentSortedMap<Comparable<Object>, Object> mapOf(ObjectConnection c) {
        return (PersistentSortedMap<Comparable<Object>, Object>) c.root().get("btree");
    }

    /** The keys' numbers in insertion order (boxed Longs; STRING keys are made from them). */
    private Object[] keys() {
        long[] numbers = new long[keys];
        for (int i = 0; i < keys; i++) {
            numbers[i] = i;
        }
        if (order == Order.RANDOM) {
            Random random = new Random(42);
            for (int i = keys - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = numbers[i];
                numbers[i] = numbers[j];
                numbers[j] = t;
            }
        }
        Object[] out = new Object[keys];
        for (int i = 0; i < keys; i++) {
            out[i] = numbers[i];
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Comparable<Object> key(Object number) {
        return (Comparable<Object>) (keyType == KeyType.LONG ? number
                : String.format(Locale.ROOT, "key-%010d", (Long) number));
    }

    /** Walks every entry in key order, checking count and order. */
    private double iterate(PersistentSortedMap<Comparable<Object>, Object> map, String what) {
        long t0 = System.nanoTime();
        long count = 0;
        Comparable<Object> previous = null;
        for (Map.Entry<Comparable<Object>, Object> e : map.entrySet()) {
            if (previous != null && previous.compareTo(e.getKey()) >= 0) {
                throw new IllegalStateException("out of order: " + previous + " then " + e.getKey());
            }
            previous = e.getKey();
            count++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (count != keys || map.size() != keys) {
            throw new IllegalStateException("iterated " + count + " entries, size() " + map.size() + ", expected "
                    + keys);
        }
        double r = count / seconds;
        System.out.printf(Locale.ROOT, "%s: %,d entries in %.2f s, %s entries/s, heap used %s%n", what, count,
                seconds, rate(r), mb(heap.current()));
        return r;
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0);
    }

    /**
     * Samples the heap used every 10 ms (its peak includes garbage not yet collected), and listens to every
     * collection for the heap left after it, all pools added up (its peak is the largest live set seen).
     */
    private static final class HeapSampler implements Runnable {
        private volatile boolean running = true;
        private volatile long peak;
        volatile long liveAfterInserts;
        private final AtomicLong peakAfterGc = new AtomicLong();
        private final java.util.Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .map(java.lang.management.MemoryPoolMXBean::getName).collect(java.util.stream.Collectors.toSet());

        HeapSampler() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener((notification, handback) -> {
                        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                .equals(notification.getType())) {
                            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                                    .from((CompositeData) notification.getUserData());
                            long after = 0;
                            for (Map.Entry<String, MemoryUsage> pool
                                    : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                                if (heapPools.contains(pool.getKey())) {
                                    after += pool.getValue().getUsed();
                                }
                            }
                            peakAfterGc.accumulateAndGet(after, Math::max);
                        }
                    }, null, null);
                }
            }
        }

        @Override
        public void run() {
            while (running) {
                sample();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        synchronized void sample() {
            long used = current();
            if (used > peak) {
                peak = used;
            }
        }

        long current() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        long peak() {
            sample();
            return peak;
        }

        long peakAfterGc() {
            return peakAfterGc.get();
        }

        void stop() {
            running = false;
        }
    }
}
