package org.jzeo.server.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.PersistentList;
import org.jzeo.objects.PersistentMap;
import org.jzeo.objects.PersistentSortedMap;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.objects.Shop.Customer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers prefetch the persistent values that follow a cache miss, through a real server and client: a cold read
 * of 500 objects held by a list, a map or a sorted map issues a few prefetches of many oids each (one per window,
 * not one per element), reads the same objects as a warm read, and a read of loaded objects prefetches nothing.
 * Prefetches and reads are counted on their way through to the real storage connection.
 */
class ContainerPrefetchTest {
    private static final int N = 500;

    @TempDir
    Path dir;
    private RunningServer server;
    private final List<ClientConnectionFactory> factories = new ArrayList<>();
    private final AtomicInteger prefetchCalls = new AtomicInteger();
    private final AtomicInteger prefetchedOids = new AtomicInteger();
    private final AtomicInteger reads = new AtomicInteger();

    @BeforeEach
    void store() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"));
        ObjectDatabase db = ObjectDatabase.over(newFactory(), Shop.TYPES);
        db.run(c -> {
            PersistentList<Customer> list = new PersistentList<>();
            PersistentMap<String, Object> map = new PersistentMap<>();
            PersistentSortedMap<Integer, Customer> sorted = new PersistentSortedMap<>();
            for (int i = 0; i < N; i++) {
                list.add(new Customer("list " + i));
                map.put("k" + i, new Customer("map " + i));
                map.put("plain" + i, i); // plain values among the persistent ones
                sorted.put(i, new Customer("sorted " + i));
            }
            c.root().put("list", list);
            c.root().put("map", map);
            c.root().put("sorted", sorted);
        });
    }

    @AfterEach
    void stop() {
        factories.forEach(ClientConnectionFactory::close);
        if (server != null) {
            server.close();
        }
    }

    private ClientConnectionFactory newFactory() {
        ClientConnectionFactory factory = new ClientConnectionFactory(
                ClientOptions.of("127.0.0.1:" + TestServers.address(server).getPort()));
        factories.add(factory);
        return factory;
    }

    /** A database over a new client (empty client cache), whose prefetches and reads are counted. */
    private ObjectDatabase cold() {
        StorageConnectionFactory real = newFactory();
        StorageConnectionFactory counting = () -> {
            StorageConnection connection = real.getConnection();
            return (StorageConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {StorageConnection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("prefetch")) {
                            prefetchCalls.incrementAndGet();
                            prefetchedOids.addAndGet(((Collection<?>) args[0]).size());
                        } else if (method.getName().equals("read")) {
                            reads.incrementAndGet();
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
        return ObjectDatabase.over(counting, Shop.TYPES);
    }

    private void resetCounts() {
        prefetchCalls.set(0);
        prefetchedOids.set(0);
        reads.set(0);
    }

    @SuppressWarnings("unchecked")
    private static <T> T root(ObjectConnection c, String name) {
        return (T) c.root().get(name);
    }

    /** Reads cold through a new client, then checks prefetches: a few calls, (nearly) every element's oid. */
    private void readCold(Consumer<ObjectConnection> read) {
        readCold(read, N / 100, N / 50, 0);
    }

    /**
     * Same, with {@code minCalls} to {@code maxCalls} prefetches, and {@code extra} more oids prefetched and read
     * than the elements (B-tree buckets).
     */
    private void readCold(Consumer<ObjectConnection> read, int minCalls, int maxCalls, int extra) {
        ObjectDatabase db = cold();
        try (ObjectConnection c = db.open()) {
            c.root(); // the root and the container: not what is counted
            resetCounts();
            read.accept(c);
            assertThat(prefetchCalls.get()).as("one prefetch per window").isBetween(minCalls, maxCalls);
            assertThat(prefetchedOids.get()).as("every element prefetched once").isBetween(N - 10, N + 10 + extra);
            assertThat(reads.get()).as("each object read once").isBetween(N, N + 10 + extra);

            resetCounts();
            read.accept(c); // the objects are loaded now: hits, no prefetch
            assertThat(prefetchCalls.get()).as("hits prefetch nothing").isZero();
            c.abort();
        }
    }

    @Test
    void iteratingAListPrefetchesAndReadsTheSameObjects() {
        List<String> names = new ArrayList<>();
        readCold(c -> {
            names.clear();
            PersistentList<Customer> list = root(c, "list");
            for (Customer customer : list) {
                names.add(customer.name);
            }
        });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            expected.add("list " + i);
        }
        assertThat(names).isEqualTo(expected);
    }

    @Test
    void indexingAListPrefetchesAndKeepsIdentity() {
        readCold(c -> {
            PersistentList<Customer> list = root(c, "list");
            List<Customer> byIndex = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                byIndex.add(list.get(i));
                assertThat(byIndex.get(i).name).isEqualTo("list " + i);
            }
            int i = 0;
            for (Customer customer : list) {
                assertThat(customer).isSameAs(byIndex.get(i++));
            }
        });
    }

    @Test
    void iteratingMapValuesPrefetches() {
        readCold(c -> {
            PersistentMap<String, Object> map = root(c, "map");
            int customers = 0;
            for (Map.Entry<String, Object> e : map.entrySet()) {
                if (e.getKey().startsWith("k")) {
                    assertThat(((Customer) e.getValue()).name).isEqualTo("map " + e.getKey().substring(1));
                    customers++;
                } else {
                    assertThat(e.getValue()).isEqualTo(Integer.parseInt(e.getKey().substring(5)));
                }
            }
            assertThat(customers).isEqualTo(N);
        });
    }

    @Test
    void iteratingAndIndexingSortedMapValuesPrefetches() {
        readCold(c -> {
            PersistentSortedMap<Integer, Customer> sorted = root(c, "sorted");
            int i = 0;
            for (Customer customer : sorted.values()) {
                assertThat(customer.name).isEqualTo("sorted " + i++);
            }
            assertThat(i).isEqualTo(N);
        }, N / 30, N / 10, N / 10); // a window per bucket (15 to 30 entries), with the next bucket
        ObjectDatabase db = cold();
        try (ObjectConnection c = db.open()) {
            PersistentSortedMap<Integer, Customer> sorted = root(c, "sorted");
            sorted.get(0);
            resetCounts();
            for (int i = 0; i < N; i++) {
                assertThat(sorted.get(i).name).isEqualTo("sorted " + i);
            }
            assertThat(prefetchCalls.get()).as("a prefetch per bucket, at most").isPositive().isLessThan(N / 4);
        }
    }
}
