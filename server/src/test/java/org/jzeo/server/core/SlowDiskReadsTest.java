package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.text;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.net.ZeoServer;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loads run on the connection's event loop while the storage answers quickly, and move to the read pool when the
 * disk turns slow, so that a read waiting for the disk no longer holds up the connections of that event loop.
 * Loads the storage answers from memory run on the event loop whatever the disk does. The storage is a MemoryStorage
 * that says it reads a file (except for chosen "cached" oids), whose loads of chosen oids are slow (a fixed delay, as
 * a slow disk) or wait for the test (a gate), and which records the thread each load ran on.
 */
class SlowDiskReadsTest {
    private static final Duration SLOW_DISK = Duration.ofMillis(30);
    private static final Duration PROMPT = Duration.ofSeconds(10);

    private final Set<Oid> slowOids = ConcurrentHashMap.newKeySet();
    /** Oids whose loads the storage says it answers from memory (as FileStorage does for cached records). */
    private final Set<Oid> cachedOids = ConcurrentHashMap.newKeySet();
    private final List<String> loadThreads = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate;
    private final CountDownLatch gatedLoadEntered = new CountDownLatch(1);
    private StorageServer storages;
    private ZeoServer network;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws InterruptedException {
        MemoryStorage memory = new MemoryStorage("1", ReferenceFinder.unavailable(), Duration.ofSeconds(10),
                InstantSource.system());
        storages = new StorageServer(4);
        storages.add(new ServedStorage("1", slowDisk(memory), false, false, null, 100, null, InstantSource.system()),
                true);
        network = new ZeoServer(storages, 1 << 20, null);
        address = (InetSocketAddress) network.start(List.of(new ListenAddress.Tcp("127.0.0.1", 0))).get(0);
    }

    @AfterEach
    void stop() {
        network.close();
    }

    /** The storage as a disk that is slow for the oids in {@link #slowOids}; the gate, when set, holds them. */
    private Storage slowDisk(Storage memory) {
        return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(), new Class<?>[] {Storage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("loadsFromMemory")) {
                        return cachedOids.contains((Oid) args[0]);
                    }
                    if (method.getName().equals("loadBefore")) {
                        loadThreads.add(Thread.currentThread().getName());
                        if (slowOids.contains((Oid) args[0])) {
                            CountDownLatch held = gate;
                            if (held != null) {
                                gatedLoadEntered.countDown();
                                held.await();
                            } else {
                                Thread.sleep(SLOW_DISK.toMillis());
                            }
                        }
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private ZeoTestClient client() throws Exception {
        ZeoTestClient client = ZeoTestClient.connect(address).withCallTimeout(PROMPT);
        client.register("1", false);
        return client;
    }

    @Test
    void loadsFromAFastStorageRunOnTheConnectionsEventLoop() throws Exception {
        try (ZeoTestClient client = client()) {
            Oid oid = client.newOids(1).get(0);
            client.commit(1, Map.of(oid, text("fast")), Map.of());
            loadThreads.clear();
            for (int i = 0; i < 20; i++) {
                assertThat(text(client.loadBefore(oid, Tid.MAX).data())).isEqualTo("fast");
            }
            assertThat(loadThreads).hasSize(20).allSatisfy(thread -> assertThat(thread)
                    .as("thread of a load").doesNotStartWith("jzeo-read").containsIgnoringCase("eventloop"));
        }
    }

    @Test
    void slowLoadsMoveToTheReadPoolAndNoLongerHoldUpTheirEventLoop() throws Exception {
        try (ZeoTestClient slowReader = client(); ZeoTestClient other = client()) {
            List<Oid> oids = slowReader.newOids(2);
            Oid slow = oids.get(0);
            Oid fast = oids.get(1);
            slowReader.commit(1, Map.of(slow, text("slow"), fast, text("fast")), Map.of());
            slowOids.add(slow);

            loadThreads.clear();
            int slowLoads = 0;
            while (loadThreads.isEmpty() || !loadThreads.get(loadThreads.size() - 1).startsWith("jzeo-read")) {
                assertThat(slowLoads).as("slow loads before they moved to the read pool").isLessThan(5);
                loadThreads.clear();
                assertThat(text(slowReader.loadBefore(slow, Tid.MAX).data())).isEqualTo("slow");
                slowLoads++;
            }
            assertThat(slowLoads).as("slow loads of %d ms each before the move", SLOW_DISK.toMillis())
                    .isBetween(2, 4);

            // Now a load that waits for the disk as long as the test wants: the connection, and so its event loop,
            // still answers; so does every other connection.
            gate = new CountDownLatch(1);
            CompletableFuture<Object> heldLoad = slowReader.callAsyncReply("loadBefore", slow.toBytes(),
                    Tid.MAX.toBytes());
            assertThat(gatedLoadEntered.await(PROMPT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(slowReader.call("ping")).isNull();
            assertThat(slowReader.lastTransaction()).isNotNull();
            assertThat(text(other.loadBefore(fast, Tid.MAX).data())).isEqualTo("fast");
            assertThat(heldLoad).as("the load waiting for the disk").isNotDone();

            gate.countDown();
            Object reply = heldLoad.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(reply).isInstanceOf(List.class);
            assertThat(text((byte[]) ((List<?>) reply).get(0))).isEqualTo("slow");

            // While file reads go to the pool, what the storage has in memory is still served on the event loop.
            cachedOids.add(fast);
            loadThreads.clear();
            assertThat(text(other.loadBefore(fast, Tid.MAX).data())).isEqualTo("fast");
            assertThat(text(other.loadBefore(slow, Tid.MAX).data())).isEqualTo("slow");
            assertThat(loadThreads).hasSize(2);
            assertThat(loadThreads.get(0)).as("a load from memory").containsIgnoringCase("eventloop");
            assertThat(loadThreads.get(1)).as("a load from the slow disk").startsWith("jzeo-read");
        }
    }
}
