package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server process is killed (SIGKILL) and started again on the same port and Data.fs while clients run: the
 * clients reconnect by themselves, commits caught by the crash fail with a retryable DisconnectedException and
 * succeed when retried, and every commit that was acknowledged is there after the restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientReconnectTest {
    @TempDir
    Path dir;
    ServerProcess server;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void commitsInFlightFailWithDisconnectedAndSucceedOnRetryAfterTheServerRestarts() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
        EventRecorder eventsA = new EventRecorder();
        EventRecorder eventsB = new EventRecorder();
        // A's cache can hold A back before it verifies, to let B commit first after the restart.
        GatedCache cacheA = new GatedCache(Clients.openCache(Clients.options(server)), false);
        try (ClientStorage a = Clients.open(Clients.options(server), cacheA, eventsA);
             ClientStorage b = Clients.open(Clients.options(server), eventsB)) {
            // Acknowledged commits from both clients.
            Map<Oid, String> acknowledged = new LinkedHashMap<>(Clients.createObjects(a, "a", 10));
            acknowledged.putAll(Clients.createObjects(b, "b", 10));
            List<Oid> oids = Clients.oids(acknowledged);
            Map<Oid, String> change = Map.of(oids.get(0), "a-0 changed by B", oids.get(15), "b-5 changed by B");
            Tid lastAcknowledged = Clients.change(b, change);
            acknowledged.putAll(change);
            Clients.awaitSeen(a, lastAcknowledged);
            acknowledged.forEach((oid, v) -> assertThat(Clients.current(a, oid)).isEqualTo(v));
            long loadsBeforeCrash = a.networkLoads();

            // A voted on x (the server holds x's lock for it); B's commit of x waits for that lock in its vote.
            Oid x = oids.get(1);
            StorageTransaction held = a.begin(TransactionMetadata.empty());
            held.store(x, Clients.currentRevision(a, x).start(), Clients.record("x: voted, never finished"));
            held.vote();
            AtomicReference<Throwable> bFailure = new AtomicReference<>();
            Thread bCommit = new Thread(() -> {
                try {
                    Clients.change(b, Map.of(x, "x by B, first try"));
                } catch (Throwable e) {
                    bFailure.set(e);
                }
            }, "B-commit");
            bCommit.start();
            Await.until("B's commit waits in vote", () -> !bCommit.isAlive() || inVote(bCommit));
            assertThat(bCommit.isAlive()).as("B's commit still waiting (failure: %s)", bFailure.get()).isTrue();

            int markA = eventsA.size();
            int markB = eventsB.size();
            server.kill9();

            Throwable onFinish = catchThrowable(held::finish);
            assertThat(onFinish).isInstanceOf(DisconnectedException.class);
            assertThat(((StorageException) onFinish).isRetryable()).isTrue();
            bCommit.join(Await.TIMEOUT.toMillis());
            assertThat(bCommit.isAlive()).isFalse();
            assertThat(bFailure.get()).isInstanceOf(DisconnectedException.class);
            assertThat(((StorageException) bFailure.get()).isRetryable()).isTrue();
            eventsA.await(EventRecorder.Disconnected.class, markA);
            eventsB.await(EventRecorder.Disconnected.class, markB);
            assertThat(a.isConnected()).isFalse();

            // While the server is down a commit fails fast, and cached objects are still readable.
            Throwable whileDown = catchThrowable(() -> Clients.change(a, Map.of(oids.get(2), "a-2 while down")));
            assertThat(whileDown).isInstanceOf(DisconnectedException.class);
            assertThat(Clients.current(a, oids.get(3))).isEqualTo(acknowledged.get(oids.get(3)));

            // The server comes back. B reconnects and, while A is held before its verification, retries its
            // commit of x: so x changes while A is away.
            cacheA.hold();
            server = server.restart();
            EventRecorder.Connected backB = eventsB.await(EventRecorder.Connected.class, markB);
            assertThat(backB.readOnly()).isFalse();
            assertThat(b.awaitConnected(Await.TIMEOUT)).isTrue();
            assertThat(eventsB.events(EventRecorder.CacheDropped.class)).isEmpty();
            assertThat(b.lastTransaction()).isEqualTo(lastAcknowledged);
            assertThat(a.isConnected()).isFalse();
            Tid bRetry = Clients.change(b, Map.of(x, "x by B, retried"));
            acknowledged.put(x, "x by B, retried");

            // A reconnects by itself and verifies: x is dropped from its cache, nothing else.
            cacheA.release();
            EventRecorder.Connected backA = eventsA.await(EventRecorder.Connected.class, markA);
            assertThat(backA.readOnly()).isFalse();
            assertThat(a.awaitConnected(Await.TIMEOUT)).isTrue();
            assertThat(eventsA.events(EventRecorder.CacheDropped.class)).isEmpty();
            List<EventRecorder.Invalidated> verified = eventsA.events().subList(markA, eventsA.size()).stream()
                    .filter(EventRecorder.Invalidated.class::isInstance).map(EventRecorder.Invalidated.class::cast)
                    .toList();
            assertThat(verified).hasSize(1);
            assertThat(verified.get(0).oids()).containsExactly(x);
            assertThat(verified.get(0).tid()).isEqualTo(bRetry);
            assertThat(a.lastTransaction()).isEqualTo(bRetry);
            for (Map.Entry<Oid, String> e : acknowledged.entrySet()) {
                long loads = a.networkLoads();
                assertThat(Clients.current(a, e.getKey())).isEqualTo(e.getValue());
                assertThat(a.networkLoads() - loads).as("network loads for %s", e.getKey())
                        .isEqualTo(e.getKey().equals(x) ? 1 : 0);
            }
            assertThat(a.networkLoads()).isEqualTo(loadsBeforeCrash + 1);

            // A's failed commits succeed when retried.
            Tid aRetry = Clients.change(a, Map.of(x, "x by A, retried", oids.get(2), "a-2 retried"));
            Clients.awaitSeen(b, aRetry);
            acknowledged.put(x, "x by A, retried");
            acknowledged.put(oids.get(2), "a-2 retried");
            assertThat(Clients.current(b, x)).isEqualTo("x by A, retried");

            // Every acknowledged commit is there, read by a new client straight from the server.
            try (ClientStorage fresh = Clients.open(Clients.options(server))) {
                acknowledged.forEach((oid, v) -> assertThat(Clients.current(fresh, oid)).as("object %s", oid)
                        .isEqualTo(v));
                assertThat(fresh.networkLoads()).isEqualTo(acknowledged.size());
                List<String> xHistory = new ArrayList<>();
                fresh.history(x, 100).forEach(h -> xHistory.add(Clients.value(fresh.loadSerial(x, h.tid()))));
                assertThat(xHistory).containsExactly("x by A, retried", "x by B, retried", "a-1")
                        .doesNotContain("x: voted, never finished");
            }
        }
    }

    @Test
    void writersCarryOnAcrossAServerRestartAndEveryAcknowledgedCommitIsThere() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
        int writers = 2;
        List<ClientStorage> storages = new ArrayList<>();
        List<Writer> running = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                ClientStorage s = Clients.open(Clients.options(server));
                storages.add(s);
                running.add(new Writer("w" + i, s));
            }
            running.forEach(Writer::start);
            for (Writer w : running) {
                Await.until(w.name + " committed 20 times", () -> w.committed.get() >= 20 || w.error.get() != null);
            }
            server.kill9();
            for (Writer w : running) {
                Await.until(w.name + " saw the server go", () -> w.disconnected.get() > 0 || w.error.get() != null);
            }
            server = server.restart();
            for (Writer w : running) {
                int now = w.committed.get();
                Await.until(w.name + " committed 20 times after the restart",
                        () -> w.committed.get() >= now + 20 || w.error.get() != null);
            }
            for (Writer w : running) {
                w.stop();
            }
            try (ClientStorage fresh = Clients.open(Clients.options(server));
                 ClientConnectionFactory factory = new ClientConnectionFactory(fresh);
                 StorageConnection c = factory.getConnection()) {
                for (Writer w : running) {
                    System.out.printf("server restart: writer %s: %d commits acknowledged, %d failed with"
                            + " DisconnectedException (%d of them in tpc_finish, outcome unknown)%n", w.name,
                            w.acknowledged.size(), w.disconnected.get(), w.unknown.get());
                    assertThat(w.error.get()).as("%s failed", w.name).isNull();
                    assertThat(w.disconnected.get()).as("%s: commits that failed with DisconnectedException",
                            w.name).isPositive();
                    c.begin();
                    for (Map.Entry<Oid, Commit> e : w.acknowledged.entrySet()) {
                        assertThat(Clients.read(c, e.getKey())).isEqualTo(e.getValue().value());
                        assertThat(c.read(e.getKey()).serial()).isEqualTo(e.getValue().tid());
                    }
                    // The counter counts every commit that went through: all acknowledged ones, plus those whose
                    // tpc_finish reply was lost with the connection if the server had written them.
                    int counter = Integer.parseInt(Clients.read(c, w.counter));
                    assertThat(counter).isBetween(w.acknowledged.size(), w.acknowledged.size() + w.unknown.get());
                    c.abort();
                }
            }
        } finally {
            running.forEach(Writer::stop);
            storages.forEach(ClientStorage::close);
        }
    }

    private record Commit(String value, Tid tid) {
    }

    /** Commits in a loop: each transaction creates an object and increments the writer's counter. */
    private static final class Writer {
        final String name;
        final ClientStorage storage;
        final Oid counter;
        final Map<Oid, Commit> acknowledged = new ConcurrentHashMap<>();
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger disconnected = new AtomicInteger();
        final AtomicInteger unknown = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final AtomicBoolean stopping = new AtomicBoolean();
        final Thread thread;

        Writer(String name, ClientStorage storage) {
            this.name = name;
            this.storage = storage;
            this.counter = Clients.oids(Clients.createObjects(storage, name + "-counter", 1)).get(0);
            Clients.change(storage, Map.of(counter, "0"));
            this.thread = new Thread(this::run, "writer-" + name);
        }

        void start() {
            thread.start();
        }

        void stop() {
            stopping.set(true);
            try {
                thread.join(Await.TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try (ClientConnectionFactory factory = new ClientConnectionFactory(storage);
                 StorageConnection c = factory.getConnection()) {
                int i = 0;
                while (!stopping.get()) {
                    try {
                        c.begin();
                        int n = Integer.parseInt(Clients.read(c, counter));
                        Oid oid = c.newOid();
                        String value = name + "-" + i;
                        c.write(oid, value.getBytes(StandardCharsets.UTF_8), List.of());
                        c.write(counter, Integer.toString(n + 1).getBytes(StandardCharsets.UTF_8), List.of());
                        Tid tid = c.commit();
                        acknowledged.put(oid, new Commit(value, tid));
                        committed.incrementAndGet();
                        i++;
                    } catch (DisconnectedException e) {
                        c.abort();
                        disconnected.incrementAndGet();
                        if (e.getMessage().contains("may or may not")) {
                            unknown.incrementAndGet();
                        }
                        if (!storage.awaitConnected(Duration.ofSeconds(60))) {
                            throw new AssertionError(name + " did not reconnect", e);
                        }
                    }
                }
            } catch (Throwable e) {
                error.set(e);
            }
        }
    }

    private static boolean inVote(Thread t) {
        return t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().endsWith("ClientTransaction") && f.getMethodName().equals("vote"));
    }
}
