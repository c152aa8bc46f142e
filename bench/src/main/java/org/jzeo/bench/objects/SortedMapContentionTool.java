package org.jzeo.bench.objects;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.objects.Counter;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.PersistentSortedMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How often concurrent writers of one sorted map must retry: {@code --clients} clients (8), each its own
 * ClientStorage as a separate process would be, insert disjoint keys into one {@link PersistentSortedMap} and add to
 * one {@link Counter}, one key per commit, through {@link ObjectDatabase#run} (which retries). Keys interleave
 * (client c inserts c, c + clients, c + 2·clients...), so neighbouring keys of different clients share buckets: the
 * worst case for bucket conflicts. Prints commits, retries per 1 000 commits, conflicts merged on the clients, and
 * the commit rate, then checks the map holds exactly every key.
 */
@Command(name = "sorted-map-contention", mixinStandardHelpOptions = true)
public final class SortedMapContentionTool implements Callable<Integer> {
    private static final ObjectTypes TYPES = ObjectTypes.of();

    @Option(names = "--clients", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients = 8;

    @Option(names = "--commits", description = "Commits per client (default ${DEFAULT-VALUE}).")
    int commits = 500;

    @Option(names = "--server-jvm-option", description = "JVM option for the server process (repeatable).")
    List<String> serverJvmOptions = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new SortedMapContentionTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("jzeo-contention");
        try (ServerProcess server = ServerProcess.start(work.resolve("Data.fs"), work.resolve("server.log"),
                serverJvmOptions, 120)) {
            ClientOptions options = ClientOptions.of(server.address().getHostString() + ":" + server.address().getPort());
            List<ClientConnectionFactory> factories = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                factories.add(new ClientConnectionFactory(options));
            }
            ObjectDatabase.over(factories.get(0), TYPES).run(conn -> {
                conn.root().put("map", new PersistentSortedMap<Long, String>());
                conn.root().put("count", new Counter());
            });

            AtomicLong attempts = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                ObjectDatabase db = ObjectDatabase.over(factories.get(c), TYPES);
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (int n = 0; n < commits; n++) {
                            long key = (long) n * clients + client;
                            db.run(conn -> {
                                attempts.incrementAndGet();
                                @SuppressWarnings("unchecked")
                                PersistentSortedMap<Long, String> map =
                                        (PersistentSortedMap<Long, String>) conn.root().get("map");
                                map.put(key, "client " + client);
                                ((Counter) conn.root().get("count")).add(1);
                            });
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "client-" + c);
                threads.add(t);
                t.start();
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!failures.isEmpty()) {
                failures.get(0).printStackTrace();
                return 1;
            }
            long total = (long) clients * commits;
            long merged = factories.stream().mapToLong(ClientConnectionFactory::resolvedConflicts).sum();
            long retries = attempts.get() - total;
            boolean exact = ObjectDatabase.over(factories.get(0), TYPES).call(conn -> {
                @SuppressWarnings("unchecked")
                PersistentSortedMap<Long, String> map = (PersistentSortedMap<Long, String>) conn.root().get("map");
                long expected = 0;
                for (Long key : map.keySet()) {
                    if (key != expected++) {
                        return false;
                    }
                }
                return expected == total && map.size() == total && ((Counter) conn.root().get("count")).get() == total;
            });
            System.out.printf("clients=%d commits=%d retries=%d (%.1f per 1000 commits) merged-conflicts=%d"
                            + " (%.1f per 1000 commits) rate=%.0f commits/s map-exact=%s%n",
                    clients, total, retries, retries * 1000.0 / total, merged, merged * 1000.0 / total,
                    total / seconds, exact);
            for (ClientConnectionFactory f : factories) {
                f.close();
            }
            return exact ? 0 : 2;
        }
    }
}
