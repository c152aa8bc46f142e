package org.jzeo.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.config.ZeoConfig;
import org.jzeo.server.process.StormClient.Attempt;
import org.jzeo.server.process.StormClient.Outcome;
import org.jzeo.server.process.StormClient.PayloadKey;
import org.jzeo.server.process.WireReads.FileRecord;
import org.jzeo.server.process.WireReads.FileTransaction;
import org.jzeo.server.process.WireReads.Invalidations;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server process while four clients commit as fast as they can, several rounds on one growing
 * Data.fs. After each kill the server is restarted on the same file and the test checks, against its own record
 * of what the clients were told:
 * <ul>
 *   <li>every acknowledged commit (tpc_finish returned) is in the file with exactly its records, and
 *       {@code loadSerial} / {@code loadBefore} give exactly its data, start and end tids;</li>
 *   <li>nothing partial or foreign is visible: every transaction the iterator shows is complete and is either
 *       acknowledged or the one in-doubt transaction (finish sent, no reply) of a client; conflicting
 *       transactions and ones cut before tpc_finish never appear;</li>
 *   <li>{@code lastTransaction} is the file's last tid, at or after every acknowledged commit and every tid a
 *       client was shown in an invalidation (which must also be in the file with the same oids);</li>
 *   <li>each client's reconnect {@code getInvalidations(last tid it saw)} returns exactly the oids changed
 *       since, with the newest tid, or nil only when the invalidation queue (100 transactions, filled from
 *       the file at start) does not reach back that far; boundary probes check the queue's exact extent;</li>
 *   <li>{@code new_oids} after a restart never hands out an oid that exists.</li>
 * </ul>
 *
 * <p>The kill moment of each round is a seeded random number of acknowledged commits; the seed is printed and
 * {@code -Djzeo.storm.seed=<seed>} repeats the choices (not the thread timing).
 */
class KillDuringCommitStormTest {
    private static final int CLIENTS = 4;
    private static final int ROUNDS = 5;
    private static final int SHARED_OBJECTS = 3;
    private static final int OWN_OBJECTS = 4;
    /** Each round kills after a random number of acknowledged commits in this range. */
    private static final int MIN_ACKS = 60;
    private static final int MAX_ACKS = 250;
    private static final int QUEUE_SIZE = ZeoConfig.DEFAULT_INVALIDATION_QUEUE_SIZE;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(60);
    /** The client number of the transaction that creates the objects. */
    private static final int SETUP_CLIENT = CLIENTS;

    @TempDir
    Path dir;

    private ServerProcess server;
    private final List<ZeoTestClient> connections = new ArrayList<>();

    // ---- the test's record of the truth
    private final Map<Long, Attempt> attempts = new HashMap<>();
    /** Acknowledged and surviving in-doubt transactions, by tid: what the file must hold exactly. */
    private final TreeMap<Tid, Attempt> committed = new TreeMap<>();
    /** -1 for shared objects, else the client that created (and alone writes) the object. */
    private final Map<Oid, Integer> owner = new HashMap<>();
    private final List<Oid> shared = new ArrayList<>();
    private final Tid[] lastSeen = new Tid[CLIENTS];
    private final long[] nextSeq = new long[CLIENTS];
    /** Each connected client's new_oids answer, for the objects it creates in the coming round. */
    private final List<List<Oid>> freshOids = new ArrayList<>();
    /** Every invalidation any client received: tid → oids (all clients must agree). */
    private final Map<Tid, Set<Oid>> invalidationsSeen = new HashMap<>();
    private Random random;

    @AfterEach
    void cleanUp() {
        connections.forEach(ZeoTestClient::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyAcknowledgedCommitSurvivesKillNineInTheMiddleOfACommitStorm() throws Exception {
        long seed = Long.getLong("jzeo.storm.seed", System.nanoTime());
        System.out.println("KillDuringCommitStormTest seed " + seed + " (-Djzeo.storm.seed=" + seed
                + " repeats the random choices)");
        random = new Random(seed);
        Path data = dir.resolve("Data.fs");
        long testStart = System.nanoTime();
        server = ServerProcess.start(data);
        setUpObjects();
        List<String> summary = new ArrayList<>();
        connectClients();

        for (int round = 1; round <= ROUNDS; round++) {
            int target = MIN_ACKS + random.nextInt(MAX_ACKS - MIN_ACKS + 1);
            System.out.println("round " + round + ": kill after " + target + " acknowledged commits");
            String stormFigures = stormAndKill(round, target);
            long killed = System.nanoTime();
            server = ServerProcess.start(data);
            long killToReady = (System.nanoTime() - killed) / 1_000_000;
            long verifyStart = System.nanoTime();
            String verified = verify(round);
            connectClients();
            String line = String.format("round %d: %s; restart %d ms (JVM start to ready %d ms); %s; verified in %d ms;"
                            + " file %d bytes", round, stormFigures, killToReady, server.startupTime().toMillis(),
                    verified, (System.nanoTime() - verifyStart) / 1_000_000, Files.size(data));
            System.out.println(line);
            summary.add(line);
        }
        connections.forEach(ZeoTestClient::close);
        connections.clear();
        server.kill9();
        System.out.println("KillDuringCommitStormTest summary (seed " + seed + ", "
                + (System.nanoTime() - testStart) / 1_000_000 + " ms):\n  " + String.join("\n  ", summary));
    }

    // ---------------------------------------------------------------- setup

    /** One transaction creates the shared objects and each client's own objects. */
    private void setUpObjects() throws Exception {
        try (ZeoTestClient c = connect()) {
            List<Oid> oids = c.newOids(SHARED_OBJECTS + CLIENTS * OWN_OBJECTS);
            Map<Oid, byte[]> stores = new LinkedHashMap<>();
            for (int i = 0; i < oids.size(); i++) {
                Oid oid = oids.get(i);
                stores.put(oid, StormClient.record(SETUP_CLIENT, 0, 0, oid, random));
                if (i < SHARED_OBJECTS) {
                    shared.add(oid);
                    owner.put(oid, -1);
                } else {
                    owner.put(oid, (i - SHARED_OBJECTS) / OWN_OBJECTS);
                }
            }
            Attempt setup = new Attempt(SETUP_CLIENT, 0, 0, stores);
            long txn = 1;
            c.send("tpc_begin", txn, bytes("setup"), bytes(setup.description()), Map.of(), null, " ");
            stores.forEach((oid, data) -> c.send("storea", oid, Tid.ZERO, data, txn));
            assertThat(c.call("vote", txn)).isEqualTo(List.of());
            setup.tid = WireReads.tid(c.call("tpc_finish", txn), "tpc_finish");
            setup.outcome = Outcome.ACKED;
            attempts.put(setup.key(), setup);
            committed.put(setup.tid, setup);
        }
    }

    // ---------------------------------------------------------------- reconnecting clients

    /**
     * Each client (re)connects as ZEO's client does: register, and with a last tid from before, its cache
     * verification {@code getInvalidations(last tid)}, which must be exactly right; then it takes new oids, which
     * must all be unused.
     */
    private void connectClients() throws Exception {
        connections.forEach(ZeoTestClient::close);
        connections.clear();
        List<Tid> fileTids = new ArrayList<>(committed.keySet());
        Oid maxOid = owner.keySet().stream().max(Oid::compareTo).orElseThrow();
        for (int c = 0; c < CLIENTS; c++) {
            ZeoTestClient conn = ZeoTestClient.connect(server.address());
            connections.add(conn);
            Tid registered = conn.register("1", false);
            assertThat(registered).as("client %d: register returns the last transaction", c)
                    .isEqualTo(committed.lastKey());
            if (lastSeen[c] != null) {
                assertThat(registered).as("client %d: the server must not be behind the client's last tid", c)
                        .isGreaterThanOrEqualTo(lastSeen[c]);
                checkInvalidations(WireReads.getInvalidations(conn, lastSeen[c]), lastSeen[c], fileTids,
                        "client " + c + " reconnecting with last tid " + lastSeen[c]);
                lastSeen[c] = registered; // ZEO's client: its cache is now as of the server's tid
            }
        }
        freshOids.clear();
        for (int c = 0; c < CLIENTS; c++) {
            List<Oid> fresh = connections.get(c).newOids();
            assertThat(fresh).as("client %d: new_oids", c).hasSize(100)
                    .allSatisfy(o -> assertThat(o).as("a new oid above every existing one").isGreaterThan(maxOid));
            freshOids.add(fresh);
        }
    }

    /** What ZEO's getInvalidations must answer for {@code since}, given the file (spec §9). */
    private void checkInvalidations(Invalidations actual, Tid since, List<Tid> fileTids, String who) {
        List<Tid> queue = fileTids.subList(Math.max(0, fileTids.size() - QUEUE_SIZE), fileTids.size());
        if (!queue.isEmpty() && !queue.get(0).isAfter(since)) {
            Set<Oid> expected = new TreeSet<>();
            committed.tailMap(since, false).values().forEach(a -> expected.addAll(a.stores.keySet()));
            assertThat(actual).as("%s: the queue (%s .. %s) reaches back to %s, so getInvalidations must answer",
                    who, queue.get(0), queue.get(queue.size() - 1), since).isNotNull();
            assertThat(actual.tid()).as("%s: getInvalidations tid = the newest in the queue", who)
                    .isEqualTo(fileTids.get(fileTids.size() - 1));
            assertThat(new TreeSet<>(actual.oids())).as("%s: exactly the oids changed after %s", who, since)
                    .isEqualTo(expected);
        } else {
            assertThat(actual).as("%s: the queue starts at %s, after %s: getInvalidations must be nil", who,
                    queue.isEmpty() ? "(empty)" : queue.get(0), since).isNull();
        }
    }

    // ---------------------------------------------------------------- one round

    private String stormAndKill(int round, int target) throws Exception {
        RoundProgress progress = new RoundProgress();
        List<StormClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<Oid> own = new ArrayList<>();
            Map<Oid, Tid> ownSerials = new HashMap<>();
            for (Map.Entry<Oid, Integer> e : owner.entrySet()) {
                if (e.getValue() == c) {
                    own.add(e.getKey());
                    ownSerials.put(e.getKey(), latestRevision(e.getKey()));
                }
            }
            own.sort(Oid::compareTo);
            StormClient client = new StormClient(c, round, connections.get(c), random.nextLong(), own, ownSerials,
                    shared, freshOids.get(c), nextSeq[c], lastSeen[c], progress);
            clients.add(client);
            Thread thread = new Thread(client, "storm-client-" + c + "-round-" + round);
            threads.add(thread);
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        boolean reached = progress.awaitAcked(target, ROUND_TIMEOUT);
        int ackedAtKill = progress.ackedSoFar();
        long stormMillis = (System.nanoTime() - started) / 1_000_000;
        if (!reached) {
            StringBuilder why = new StringBuilder("a client stopped before the kill:");
            for (StormClient client : clients) {
                why.append("\n  ").append(client.ended);
            }
            server.kill9();
            joinAll(threads);
            fail(why.toString());
        }
        server.kill9();
        joinAll(threads);

        int acked = 0;
        int conflicts = 0;
        int inDoubt = 0;
        int cut = 0;
        for (int c = 0; c < CLIENTS; c++) {
            StormClient client = clients.get(c);
            ZeoTestClient conn = connections.get(c);
            assertThat(client.ended).as("client %d must only be stopped by the kill", c)
                    .isInstanceOf(ConnectionClosed.class);
            assertThat(client.problems).as("client %d: protocol problems", c).isEmpty();
            assertThat(conn.anomalies()).as("client %d: anomalies", c).isEmpty();
            for (Attempt a : client.attempts) {
                attempts.put(a.key(), a);
                if (a.outcome == Outcome.ACKED) {
                    acked++;
                    Attempt before = committed.put(a.tid, a);
                    assertThat(before).as("two acknowledged commits with tid %s", a.tid).isNull();
                } else if (a.outcome == Outcome.CONFLICT) {
                    conflicts++;
                } else if (a.outcome == Outcome.IN_DOUBT) {
                    inDoubt++;
                } else {
                    cut++;
                }
            }
            assertThat(client.attempts.stream().filter(a -> a.outcome == Outcome.IN_DOUBT)
                    .count()).as("client %d: at most its last transaction is in doubt", c).isLessThanOrEqualTo(1);
            for (Map.Entry<Tid, List<Oid>> inv : client.invalidations.entrySet()) {
                Set<Oid> oids = new TreeSet<>(inv.getValue());
                Set<Oid> other = invalidationsSeen.putIfAbsent(inv.getKey(), oids);
                assertThat(other == null ? oids : other).as("clients disagree on the oids of %s", inv.getKey())
                        .isEqualTo(oids);
            }
            lastSeen[c] = client.lastSeen;
            nextSeq[c] = client.nextSeq();
            conn.close();
        }
        connections.clear();
        assertThat(acked).as("acknowledged commits in round %d", round).isGreaterThanOrEqualTo(ackedAtKill);
        return String.format("kill after %d acks (target %d) at %d ms: %d acknowledged, %d conflicts, %d cut before"
                + " finish, %d in doubt", ackedAtKill, target, stormMillis, acked, conflicts, cut, inDoubt);
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(ROUND_TIMEOUT.toMillis());
            assertThat(t.isAlive()).as("%s must end once the server is dead", t.getName()).isFalse();
        }
    }

    // ---------------------------------------------------------------- verification after a restart

    private String verify(int round) throws Exception {
        try (ZeoTestClient v = connect()) {
            List<FileTransaction> file = WireReads.transactions(v, null);
            int[] inDoubt = checkFileContents(file, round);

            Tid last = file.get(file.size() - 1).tid();
            assertThat(v.lastTransaction()).as("lastTransaction is the file's last transaction").isEqualTo(last);
            Tid lastAcked = committed.values().stream().filter(a -> a.outcome == Outcome.ACKED).map(a -> a.tid)
                    .max(Tid::compareTo).orElseThrow();
            assertThat(last).as("lastTransaction >= the last acknowledged commit").isGreaterThanOrEqualTo(lastAcked);
            for (int c = 0; c < CLIENTS; c++) {
                if (lastSeen[c] != null) {
                    assertThat(last).as("lastTransaction >= the last tid client %d saw", c)
                            .isGreaterThanOrEqualTo(lastSeen[c]);
                }
            }
            for (Map.Entry<Tid, Set<Oid>> inv : invalidationsSeen.entrySet()) {
                Attempt a = committed.get(inv.getKey());
                assertThat(a).as("a client was sent invalidateTransaction(%s), so it must be in the file",
                        inv.getKey()).isNotNull();
                assertThat(inv.getValue()).as("the oids invalidated for %s", inv.getKey())
                        .isEqualTo(new TreeSet<>(a.stores.keySet()));
            }

            int loads = checkLoads(v);

            List<Tid> fileTids = new ArrayList<>(committed.keySet());
            checkInvalidations(WireReads.getInvalidations(v, last), last, fileTids, "probe at the last tid");
            checkInvalidations(WireReads.getInvalidations(v, Tid.ZERO), Tid.ZERO, fileTids, "probe at z64");
            if (fileTids.size() >= QUEUE_SIZE) {
                Tid oldestInQueue = fileTids.get(fileTids.size() - QUEUE_SIZE);
                checkInvalidations(WireReads.getInvalidations(v, oldestInQueue), oldestInQueue, fileTids,
                        "probe at the oldest queued tid");
            }
            if (fileTids.size() > QUEUE_SIZE) {
                Tid justBefore = fileTids.get(fileTids.size() - QUEUE_SIZE - 1);
                checkInvalidations(WireReads.getInvalidations(v, justBefore), justBefore, fileTids,
                        "probe just before the queue");
            }
            assertThat(v.anomalies()).isEmpty();
            return String.format("file: %d transactions; in doubt: %d survived, %d lost; %d loads checked",
                    file.size(), inDoubt[0], inDoubt[1], loads);
        }
    }

    /**
     * Every transaction in the file must be one the clients committed, complete and byte for byte, and together
     * they must be exactly the acknowledged ones plus surviving in-doubt ones; an in-doubt transaction absent
     * now becomes LOST and must never appear later. Returns how many in-doubt transactions of this round
     * survived and how many were lost.
     */
    private int[] checkFileContents(List<FileTransaction> file, int round) {
        Tid previous = null;
        Set<Tid> inFile = new HashSet<>();
        int survived = 0;
        int lost = 0;
        for (FileTransaction t : file) {
            String what = "transaction " + t.tid() + " in the file";
            if (previous != null) {
                assertThat(t.tid()).as("%s: tids strictly increase", what).isGreaterThan(previous);
            }
            previous = t.tid();
            assertThat(t.status()).as("%s: status", what).isEqualTo(" ");
            assertThat(t.records()).as("%s: records", what).isNotEmpty();
            Attempt attempt = null;
            for (FileRecord r : t.records()) {
                assertThat(r.tid()).as("%s: record tid", what).isEqualTo(t.tid());
                assertThat(r.data()).as("%s: record of %s has data", what, r.oid()).isNotNull();
                assertThat(r.dataTxn()).as("%s: plain stores have no back pointer", what).isNull();
                PayloadKey key;
                try {
                    key = StormClient.parse(r.data());
                } catch (RuntimeException e) {
                    throw new AssertionError(what + ": the record of " + r.oid() + " is not a client record"
                            + " (partial or garbled): " + e.getMessage(), e);
                }
                assertThat(key.oid()).as("%s: the record of %s names its oid", what, r.oid()).isEqualTo(r.oid());
                Attempt a = attempts.get(Attempt.key(key.client(), key.seq()));
                assertThat(a).as("%s: written by a transaction a client tried (%s)", what, key).isNotNull();
                if (attempt == null) {
                    attempt = a;
                }
                assertThat(a).as("%s: every record from the same client transaction", what).isSameAs(attempt);
            }
            assertThat(new String(t.description(), StandardCharsets.UTF_8)).as("%s: description", what)
                    .isEqualTo(attempt.description());
            Map<Oid, byte[]> records = new TreeMap<>();
            t.records().forEach(r -> records.put(r.oid(), r.data()));
            assertThat(records.keySet()).as("%s: exactly the oids of %s (nothing missing, nothing extra)", what,
                    attempt).isEqualTo(new TreeSet<>(attempt.stores.keySet()));
            for (Map.Entry<Oid, byte[]> r : records.entrySet()) {
                assertThat(Arrays.equals(r.getValue(), attempt.stores.get(r.getKey())))
                        .as("%s: the data of %s is exactly what %s stored", what, r.getKey(), attempt).isTrue();
            }
            if (attempt.outcome == Outcome.ACKED) {
                assertThat(t.tid()).as("%s: the tid tpc_finish returned for %s", what, attempt).isEqualTo(attempt.tid);
            } else if (attempt.outcome == Outcome.IN_DOUBT) {
                if (!attempt.survived) {
                    attempt.survived = true;
                    attempt.tid = t.tid();
                    committed.put(t.tid(), attempt);
                    if (attempt.round == round) {
                        survived++;
                    }
                } else {
                    assertThat(t.tid()).as("%s: survivor keeps its tid", what).isEqualTo(attempt.tid);
                }
            } else {
                fail(what + " is " + attempt + ", which must never be committed");
            }
            assertThat(inFile.add(t.tid())).isTrue();
        }
        assertThat(inFile).as("the file holds exactly the acknowledged and surviving in-doubt transactions")
                .isEqualTo(committed.keySet());
        for (Attempt a : attempts.values()) {
            if (a.outcome == Outcome.IN_DOUBT && !a.survived) {
                a.outcome = Outcome.LOST;
                lost++;
            }
        }
        for (Map.Entry<Tid, Attempt> e : committed.entrySet()) {
            for (Oid oid : e.getValue().stores.keySet()) {
                owner.putIfAbsent(oid, e.getValue().client);
            }
        }
        return new int[] {survived, lost};
    }

    /**
     * loadSerial and loadBefore of every committed revision, and loadBefore(maxtid) of every object: data,
     * start and end tids exactly as the record of commits says. The calls are pipelined, {@link #LOAD_BATCH} at a
     * time (the server answers reads in parallel, each reply carries its msgid). Returns the number of loads.
     */
    private int checkLoads(ZeoTestClient v) throws Exception {
        Map<Oid, List<Tid>> revisions = new TreeMap<>();
        committed.forEach((tid, a) -> a.stores.keySet()
                .forEach(oid -> revisions.computeIfAbsent(oid, o -> new ArrayList<>()).add(tid)));
        List<LoadCheck> batch = new ArrayList<>();
        int loads = 0;
        for (Map.Entry<Oid, List<Tid>> e : revisions.entrySet()) {
            Oid oid = e.getKey();
            List<Tid> tids = e.getValue();
            for (int i = 0; i < tids.size(); i++) {
                Tid tid = tids.get(i);
                byte[] expected = committed.get(tid).stores.get(oid);
                Tid end = i + 1 < tids.size() ? tids.get(i + 1) : null;
                batch.add(new LoadCheck("loadSerial(" + oid + ", " + tid + ")", v.callAsyncReply("loadSerial", oid,
                        tid), true, expected, tid, null));
                batch.add(new LoadCheck("loadBefore(" + oid + ", " + tid + " + 1)", v.callAsyncReply("loadBefore",
                        oid, tid.next()), false, expected, tid, end));
            }
            Tid newest = tids.get(tids.size() - 1);
            batch.add(new LoadCheck("loadBefore(" + oid + ", maxtid)", v.callAsyncReply("loadBefore", oid, Tid.MAX),
                    false, committed.get(newest).stores.get(oid), newest, null));
            if (batch.size() >= LOAD_BATCH) {
                loads += check(batch);
            }
        }
        return loads + check(batch);
    }

    private static final int LOAD_BATCH = 256;

    /** One pipelined load and what it must give. */
    private record LoadCheck(String what, CompletableFuture<Object> reply, boolean serial, byte[] data, Tid start,
                             Tid end) {
    }

    private static int check(List<LoadCheck> batch) throws Exception {
        for (LoadCheck c : batch) {
            Object reply = WireReads.await(c.reply(), ZeoTestClient.DEFAULT_TIMEOUT, c.what());
            if (c.serial()) {
                assertThat(reply).as(c.what()).isInstanceOf(byte[].class);
                assertThat((byte[]) reply).as(c.what()).isEqualTo(c.data());
                continue;
            }
            LoadResult r = WireReads.loadResult(reply, c.what());
            assertThat(r).as("%s: a revision", c.what()).isNotNull();
            assertThat(r.data()).as("%s: data", c.what()).isEqualTo(c.data());
            assertThat(r.start()).as("%s: start", c.what()).isEqualTo(c.start());
            assertThat(r.end()).as("%s: end", c.what()).isEqualTo(c.end());
        }
        int n = batch.size();
        batch.clear();
        return n;
    }

    private Tid latestRevision(Oid oid) {
        for (Map.Entry<Tid, Attempt> e : committed.descendingMap().entrySet()) {
            if (e.getValue().stores.containsKey(oid)) {
                return e.getKey();
            }
        }
        throw new AssertionError(oid + " has no committed revision");
    }

    private ZeoTestClient connect() throws Exception {
        ZeoTestClient c = ZeoTestClient.connect(server.address());
        c.register("1", false);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
