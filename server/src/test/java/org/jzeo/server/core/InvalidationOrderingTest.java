package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireMessage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalidation delivery and ordering (zeo-protocol §6, §7; DESIGN "Invalidations") with three clients, two of
 * which commit bursts on disjoint objects at the same time, so that their commits overlap in the server (object
 * locks do not serialise them; the commit sequencer orders them).
 */
class InvalidationOrderingTest {
    private static final int COMMITS_PER_CLIENT = 60;
    /** Explicit msgids start here, far above the test client's own counter (1, 2, 3, ...). */
    private static final long MSGID_BASE = 1_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private RunningServer server;
    private final AtomicLong msgids = new AtomicLong(MSGID_BASE);

    /** One commit made by {@code committer}: the msgids of its vote and finish, and what it stored. */
    private record Commit(String committer, Tid tid, Set<Oid> oids, long voteMsgid, long finishMsgid) {
    }

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A commit whose vote and finish replies can be found in the client's history by their msgids. */
    private Commit commit(String name, ZeoTestClient client, long txn, Map<Oid, Tid> serials, String value) {
        WireCommits.begin(client, txn);
        for (Map.Entry<Oid, Tid> e : serials.entrySet()) {
            WireCommits.store(client, txn, e.getKey(), e.getValue(), text(value));
        }
        long vote = msgids.incrementAndGet();
        assertThat(client.callWithMsgid(vote, "vote", txn)).as("%s's vote", name).isEqualTo(List.of());
        long finish = msgids.incrementAndGet();
        Tid tid = WireCommits.tid(client.callWithMsgid(finish, "tpc_finish", txn), name + "'s tpc_finish");
        return new Commit(name, tid, new LinkedHashSet<>(serials.keySet()), vote, finish);
    }

    /** Commits COMMITS_PER_CLIENT transactions, each storing one or both of {@code own}. */
    private List<Commit> burst(String name, ZeoTestClient client, List<Oid> own, Tid created) {
        List<Commit> done = new ArrayList<>();
        Map<Oid, Tid> current = new HashMap<>();
        own.forEach(oid -> current.put(oid, created));
        for (int i = 0; i < COMMITS_PER_CLIENT; i++) {
            Map<Oid, Tid> serials = new HashMap<>();
            if (i % 3 != 1) {
                serials.put(own.get(0), current.get(own.get(0)));
            }
            if (i % 3 != 0) {
                serials.put(own.get(1), current.get(own.get(1)));
            }
            Commit c = commit(name, client, 100 + i, serials, name + " " + i);
            c.oids().forEach(oid -> current.put(oid, c.tid()));
            done.add(c);
        }
        return done;
    }

    /** Indexes into {@code history} of the invalidateTransaction callbacks, by tid, checking they strictly increase. */
    private static Map<Tid, Integer> invalidations(String name, List<WireMessage> history,
                                                   Map<Tid, List<Oid>> oidsSeen) {
        Map<Tid, Integer> at = new HashMap<>();
        Tid previous = null;
        for (int i = 0; i < history.size(); i++) {
            WireMessage m = history.get(i);
            if (m.isReply() || !"invalidateTransaction".equals(m.name())) {
                continue;
            }
            Tid tid = WireCommits.tid(m.args().get(0), "invalidateTransaction tid");
            if (previous != null) {
                assertThat(tid).as("%s: invalidation tids strictly increase (message %d)", name, i)
                        .isGreaterThan(previous);
            }
            previous = tid;
            at.put(tid, i);
            List<Oid> oids = new ArrayList<>();
            for (Object o : (List<?>) m.args().get(1)) {
                oids.add(Oid.fromBytes((byte[]) o));
            }
            oidsSeen.put(tid, oids);
        }
        return at;
    }

    private static long countInvalidations(ZeoTestClient client) {
        return client.history().stream()
                .filter(m -> !m.isReply() && "invalidateTransaction".equals(m.name())).count();
    }

    @Test
    void everyOtherClientGetsEveryCommitInTidOrderBeforeItsOwnLaterFinish() throws Exception {
        Map<String, ZeoTestClient> clients = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ZeoTestClient a = WireCommits.connect(server);
             ZeoTestClient b = WireCommits.connect(server);
             ZeoTestClient c = WireCommits.connect(server)) {
            clients.put("A", a);
            clients.put("B", b);
            clients.put("C", c);
            List<Oid> oids = a.newOids(4);
            Map<Oid, byte[]> initial = new HashMap<>();
            oids.forEach(oid -> initial.put(oid, text("initial")));
            Tid created = WireCommits.tid(commit("A", a, 1, Map.of(oids.get(0), Tid.ZERO, oids.get(1), Tid.ZERO,
                    oids.get(2), Tid.ZERO, oids.get(3), Tid.ZERO), "initial").tid().toBytes(), "setup");
            WireCommits.await("B and C have the setup invalidation", WAIT,
                    () -> countInvalidations(b) == 1 && countInvalidations(c) == 1);

            Future<List<Commit>> fa = pool.submit(() -> burst("A", a, oids.subList(0, 2), created));
            Future<List<Commit>> fb = pool.submit(() -> burst("B", b, oids.subList(2, 4), created));
            List<Commit> all = new ArrayList<>(fa.get(60, TimeUnit.SECONDS));
            all.addAll(fb.get(60, TimeUnit.SECONDS));
            long byA = all.stream().filter(x -> x.committer().equals("A")).count();
            WireCommits.await("every invalidation has arrived", WAIT, () -> countInvalidations(c) == 1 + all.size()
                    && countInvalidations(a) == all.size() - byA && countInvalidations(b) == 1 + byA);

            for (Map.Entry<String, ZeoTestClient> entry : clients.entrySet()) {
                String name = entry.getKey();
                ZeoTestClient client = entry.getValue();
                List<WireMessage> history = client.history();
                Map<Tid, List<Oid>> oidsSeen = new HashMap<>();
                Map<Tid, Integer> invalidatedAt = invalidations(name, history, oidsSeen);

                Set<Tid> expected = new LinkedHashSet<>();
                for (Commit other : all) {
                    if (!other.committer().equals(name)) {
                        expected.add(other.tid());
                        assertThat(oidsSeen.get(other.tid())).as("%s: oids of %s's commit %s", name,
                                other.committer(), other.tid()).containsExactlyInAnyOrderElementsOf(other.oids());
                    }
                }
                if (!name.equals("A")) {
                    expected.add(created);
                }
                assertThat(invalidatedAt.keySet()).as("%s is told of every other client's commit and of none of "
                        + "its own", name).containsExactlyInAnyOrderElementsOf(expected);

                for (Commit mine : all) {
                    if (!mine.committer().equals(name)) {
                        continue;
                    }
                    int voteAt = client.indexOfReply(mine.voteMsgid());
                    int finishAt = client.indexOfReply(mine.finishMsgid());
                    boolean infoBetween = false;
                    for (int i = voteAt + 1; i < finishAt; i++) {
                        WireMessage m = history.get(i);
                        infoBetween |= !m.isReply() && "info".equals(m.name());
                    }
                    assertThat(infoBetween).as("%s: info comes after the vote reply and before the tpc_finish reply"
                            + " of %s (messages %d..%d)", name, mine.tid(), voteAt, finishAt).isTrue();
                    for (Commit earlier : all) {
                        if (!earlier.committer().equals(name) && earlier.tid().isBefore(mine.tid())) {
                            assertThat(invalidatedAt.get(earlier.tid())).as("%s: the invalidation of %s's %s arrives"
                                            + " before %s's own tpc_finish reply for the later %s", name,
                                    earlier.committer(), earlier.tid(), name, mine.tid()).isLessThan(finishAt);
                        }
                    }
                }
                assertThat(client.anomalies()).as("%s's anomalies", name).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * DESIGN "Invalidations": the server sends T's invalidation before any later reply on that connection can
     * reveal T. An observer reads (lastTransaction, loadBefore) all through a burst of commits; every tid a reply
     * shows must have been announced by an invalidation earlier on the same connection.
     */
    @Test
    void noReplyRevealsATidBeforeItsInvalidation() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (ZeoTestClient a = WireCommits.connect(server);
             ZeoTestClient b = WireCommits.connect(server);
             ZeoTestClient observer = WireCommits.connect(server)) {
            List<Oid> oids = a.newOids(4);
            Tid created = commit("A", a, 1, Map.of(oids.get(0), Tid.ZERO, oids.get(1), Tid.ZERO,
                    oids.get(2), Tid.ZERO, oids.get(3), Tid.ZERO), "initial").tid();
            WireCommits.await("the observer has the setup invalidation", WAIT,
                    () -> countInvalidations(observer) == 1);

            AtomicBoolean committing = new AtomicBoolean(true);
            Map<Long, String> reads = new java.util.concurrent.ConcurrentHashMap<>();
            Future<Integer> readsDone = pool.submit(() -> {
                int n = 0;
                while (committing.get()) {
                    long id = msgids.incrementAndGet();
                    reads.put(id, "lastTransaction");
                    observer.callWithMsgid(id, "lastTransaction");
                    Oid oid = oids.get(n % 4);
                    id = msgids.incrementAndGet();
                    reads.put(id, "loadBefore " + oid);
                    observer.callWithMsgid(id, "loadBefore", oid, Tid.MAX);
                    n++;
                }
                return n;
            });
            Future<List<Commit>> fa = pool.submit(() -> burst("A", a, oids.subList(0, 2), created));
            Future<List<Commit>> fb = pool.submit(() -> burst("B", b, oids.subList(2, 4), created));
            int commits = fa.get(60, TimeUnit.SECONDS).size() + fb.get(60, TimeUnit.SECONDS).size();
            committing.set(false);
            int rounds = readsDone.get(60, TimeUnit.SECONDS);
            WireCommits.await("every invalidation has arrived at the observer", WAIT,
                    () -> countInvalidations(observer) == 1 + commits);
            System.out.printf("observer: %d read rounds during %d commits%n", rounds, commits);

            List<WireMessage> history = observer.history();
            Map<Tid, Integer> invalidatedAt = invalidations("observer", history, new HashMap<>());
            List<String> early = new ArrayList<>();
            for (int i = 0; i < history.size(); i++) {
                WireMessage m = history.get(i);
                if (!m.isReply() || !(m.msgid().value() instanceof Long id) || !reads.containsKey(id)) {
                    continue;
                }
                List<Tid> revealed = new ArrayList<>();
                Object result = m.result();
                if (result instanceof byte[]) {
                    revealed.add(WireCommits.tid(result, "lastTransaction"));
                } else if (result instanceof List<?> triple) {
                    revealed.add(WireCommits.tid(triple.get(1), "loadBefore start"));
                    if (triple.get(2) != null) {
                        revealed.add(WireCommits.tid(triple.get(2), "loadBefore end"));
                    }
                }
                for (Tid tid : revealed) {
                    Integer announced = invalidatedAt.get(tid);
                    if (announced == null || announced > i) {
                        early.add(reads.get(id) + " reply (message " + i + ") shows " + tid
                                + " whose invalidation is message " + announced);
                    }
                }
            }
            assertThat(early).as("replies that reveal a tid before its invalidateTransaction (%d read rounds)",
                    rounds).isEmpty();
            assertThat(observer.anomalies()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * ZODB's {@code sync()} is a {@code ping} round trip (server_sync): once it returns, the client must have
     * every invalidation of the commits that finished before it was sent. A commits while B adds load; after each
     * of A's finishes, the observer pings, and the ping reply must come after that commit's invalidation.
     */
    @Test
    void aPingSentAfterACommitFinishedIsAnsweredAfterItsInvalidation() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (ZeoTestClient a = WireCommits.connect(server);
             ZeoTestClient b = WireCommits.connect(server);
             ZeoTestClient observer = WireCommits.connect(server)) {
            List<Oid> oids = a.newOids(4);
            Tid created = commit("A", a, 1, Map.of(oids.get(0), Tid.ZERO, oids.get(1), Tid.ZERO,
                    oids.get(2), Tid.ZERO, oids.get(3), Tid.ZERO), "initial").tid();
            Future<List<Commit>> noise = pool.submit(() -> burst("B", b, oids.subList(2, 4), created));
            Map<Long, Tid> pings = new HashMap<>();
            Tid serial = created;
            for (int i = 0; i < 3 * COMMITS_PER_CLIENT; i++) {
                Commit c = commit("A", a, 1_000 + i, Map.of(oids.get(0), serial), "A " + i);
                serial = c.tid();
                long ping = msgids.incrementAndGet();
                assertThat(observer.callWithMsgid(ping, "ping")).isNull();
                pings.put(ping, c.tid());
            }
            noise.get(60, TimeUnit.SECONDS);
            List<WireMessage> history = observer.history();
            Map<Tid, Integer> invalidatedAt = invalidations("observer", history, new HashMap<>());
            List<String> early = new ArrayList<>();
            for (Map.Entry<Long, Tid> p : pings.entrySet()) {
                int replyAt = observer.indexOfReply(p.getKey());
                Integer invAt = invalidatedAt.get(p.getValue());
                if (invAt == null || invAt > replyAt) {
                    early.add("ping reply (message " + replyAt + ") before the invalidation of " + p.getValue()
                            + " (message " + invAt + ")");
                }
            }
            assertThat(early).as("pings answered before the invalidation of a commit that finished before the ping "
                    + "was sent (%d pings)", pings.size()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
