package org.jzeo.server.process;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ConnectionClosed;
import org.jzeo.server.testclient.ReplyValues;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.record.JzeoRecord;

/**
 * One committing client of {@link KillDuringCommitStormTest}, for one round (one server process): commits in a
 * loop on its own connection until the connection ends, and records what happened to every transaction it tried.
 *
 * <p>Each transaction writes one or two of the client's own objects (nobody else writes them, so they never
 * conflict), sometimes a shared object (read just before, so other clients' commits in between make it
 * conflict) and sometimes creates a new object. A transaction counts as {@link Outcome#ACKED} only once
 * {@code tpc_finish} has returned its tid.
 *
 * <p>It also checks what ZEO's client relies on (spec §6, §7): the tids the connection reveals through
 * {@code invalidateTransaction} and its own {@code tpc_finish} replies strictly increase in arrival order.
 */
final class StormClient implements Runnable {
    /** What became of one transaction, as far as this client can tell. */
    enum Outcome {
        /** tpc_finish returned a tid: it must survive any crash. */
        ACKED,
        /** vote failed with a conflict: it must never be in the file. */
        CONFLICT,
        /** The connection ended before tpc_finish was sent: it cannot be in the file. */
        CUT_BEFORE_FINISH,
        /** tpc_finish was sent but no reply came: it may or may not have been committed. */
        IN_DOUBT,
        /** IN_DOUBT and not in the file after the restart (set by the test): it must never appear later. */
        LOST
    }

    /** One transaction this client tried; outcome and tid are set by the client, then by the verification. */
    static final class Attempt {
        final int client;
        final long seq;
        final int round;
        final Map<Oid, byte[]> stores;
        Outcome outcome;
        /** The committed tid: from tpc_finish (ACKED) or, for an IN_DOUBT that survived, from the file. */
        Tid tid;
        boolean survived;

        Attempt(int client, long seq, int round, Map<Oid, byte[]> stores) {
            this.client = client;
            this.seq = seq;
            this.round = round;
            this.stores = stores;
        }

        long key() {
            return key(client, seq);
        }

        static long key(int client, long seq) {
            return client * 1_000_000_000L + seq;
        }

        String description() {
            return description(client, seq);
        }

        static String description(int client, long seq) {
            return "storm c=" + client + " s=" + seq;
        }

        @Override
        public String toString() {
            return description() + " (round " + round + ", " + outcome + (tid == null ? "" : " " + tid)
                    + ", oids " + stores.keySet() + ")";
        }
    }

    /** A record payload: who wrote it in which transaction, for which oid, then padding. */
    private static final Pattern PAYLOAD = Pattern.compile("^storm c=(\\d+) s=(\\d+) r=(\\d+) o=([0-9a-f]{16}) ");

    /** The transaction a record belongs to, as its payload says; null if it is not a storm record. */
    record PayloadKey(int client, long seq, Oid oid) {
    }

    static byte[] record(int client, long seq, int round, Oid oid, Random random) {
        StringBuilder text = new StringBuilder("storm c=").append(client).append(" s=").append(seq).append(" r=")
                .append(round).append(" o=").append(String.format("%016x", oid.value())).append(' ');
        int padding = random.nextInt(800);
        for (int i = 0; i < padding; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return JzeoRecord.encode(List.of(), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a record written by {@link #record}; throws if it is not one (torn, foreign or garbage). */
    static PayloadKey parse(byte[] data) {
        String text = new String(JzeoRecord.decode(data).payload(), StandardCharsets.UTF_8);
        Matcher m = PAYLOAD.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("not a storm record: " + text.substring(0, Math.min(60,
                    text.length())));
        }
        return new PayloadKey(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                Oid.of(Long.parseUnsignedLong(m.group(4), 16)));
    }

    private final int id;
    private final int round;
    private final ZeoTestClient connection;
    private final Random random;
    private final List<Oid> own;
    private final Map<Oid, Tid> ownSerials;
    private final List<Oid> shared;
    private final Deque<Oid> freshOids;
    private final RoundProgress progress;
    private long nextSeq;
    private long nextMsgid = 1_000_000_000L;

    final List<Attempt> attempts = new ArrayList<>();
    /** Every invalidateTransaction received: tid and oids. */
    final Map<Tid, List<Oid>> invalidations = new LinkedHashMap<>();
    /** Protocol problems seen (tids not increasing, conflicts on own objects, odd vote results...). */
    final List<String> problems = new ArrayList<>();
    /** The newest tid this connection revealed (invalidation or own finish): ZEO's cache "last tid". */
    Tid lastSeen;
    int conflicts;
    /** Why the loop ended: null while running, else the exception (ConnectionClosed when killed). */
    Throwable ended;

    private final List<Callback> pendingCallbacks = new ArrayList<>();

    StormClient(int id, int round, ZeoTestClient connection, long seed, List<Oid> own, Map<Oid, Tid> ownSerials,
                List<Oid> shared, List<Oid> freshOids, long firstSeq, Tid lastSeen, RoundProgress progress) {
        this.id = id;
        this.round = round;
        this.connection = connection;
        this.random = new Random(seed);
        this.own = new ArrayList<>(own);
        this.ownSerials = new LinkedHashMap<>(ownSerials);
        this.shared = List.copyOf(shared);
        this.freshOids = new ArrayDeque<>(freshOids);
        this.nextSeq = firstSeq;
        this.lastSeen = lastSeen;
        this.progress = progress;
    }

    long nextSeq() {
        return nextSeq;
    }

    @Override
    public void run() {
        try {
            while (true) {
                commitOne();
            }
        } catch (ConnectionClosed e) {
            ended = e;
        } catch (Throwable t) {
            ended = t;
        } finally {
            // Invalidations that arrived after the last finish still count as seen.
            absorbCallbacks(Integer.MAX_VALUE);
            progress.clientEnded();
        }
    }

    private void commitOne() {
        long seq = nextSeq++;
        Map<Oid, byte[]> stores = new LinkedHashMap<>();
        Map<Oid, Tid> serials = new LinkedHashMap<>();
        int ownCount = Math.min(own.size(), 1 + random.nextInt(2));
        List<Oid> candidates = new ArrayList<>(own);
        for (int i = 0; i < ownCount; i++) {
            Oid oid = candidates.remove(random.nextInt(candidates.size()));
            stores.put(oid, record(id, seq, round, oid, random));
            serials.put(oid, ownSerials.get(oid));
        }
        if (random.nextInt(3) == 0) {
            Oid oid = shared.get(random.nextInt(shared.size()));
            LoadResult current = connection.loadBefore(oid, Tid.MAX);
            if (current == null || current.end() != null) {
                problems.add("loadBefore(" + oid + ", maxtid) must give the current revision, got " + current);
                return;
            }
            stores.put(oid, record(id, seq, round, oid, random));
            serials.put(oid, current.start());
        }
        Oid created = null;
        if (random.nextInt(6) == 0 && !freshOids.isEmpty()) {
            created = freshOids.removeFirst();
            stores.put(created, record(id, seq, round, created, random));
            serials.put(created, Tid.ZERO);
        }
        Attempt attempt = new Attempt(id, seq, round, stores);
        attempt.outcome = Outcome.CUT_BEFORE_FINISH;
        attempts.add(attempt);

        long txn = ((long) (id + 1) << 40) | seq;
        connection.send("tpc_begin", txn, ("client " + id).getBytes(StandardCharsets.UTF_8),
                attempt.description().getBytes(StandardCharsets.UTF_8), Map.of(), null, " ");
        for (Map.Entry<Oid, byte[]> store : stores.entrySet()) {
            connection.send("storea", store.getKey(), serials.get(store.getKey()), store.getValue(), txn);
        }
        Object voted;
        try {
            voted = connection.call("vote", txn);
            // Client-side conflict resolution (the server's default): conflicts come back as maps from the vote.
            if (voted instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map) {
                throw ReplyValues.conflictFromVote(list.get(0), "vote");
            }
        } catch (ConflictException e) {
            attempt.outcome = Outcome.CONFLICT;
            conflicts++;
            if (!shared.contains(e.oid())) {
                problems.add(attempt.description() + ": conflict on " + e.oid()
                        + ", which only this client writes: " + e.getMessage());
            }
            connection.call("tpc_abort", txn);
            return;
        }
        if (!(voted instanceof List) || !((List<?>) voted).isEmpty()) {
            problems.add(attempt.description() + ": vote must return [] (no resolution on the server), got "
                    + voted);
        }
        attempt.outcome = Outcome.IN_DOUBT;
        long msgid = nextMsgid++;
        Tid tid = WireReads.tid(connection.callWithMsgid(msgid, "tpc_finish", txn), "tpc_finish");
        attempt.outcome = Outcome.ACKED;
        attempt.tid = tid;
        for (Oid oid : stores.keySet()) {
            if (!shared.contains(oid)) {
                ownSerials.put(oid, tid);
            }
        }
        if (created != null) {
            own.add(created);
        }
        // Everything that arrived before the finish reply must be older than it; the reply comes next.
        absorbCallbacks(connection.indexOfReply(msgid));
        reveal(tid, "its own tpc_finish reply");
        progress.acked();
    }

    /** Takes the callbacks that arrived before history index {@code before}, in arrival order. */
    private void absorbCallbacks(int before) {
        pendingCallbacks.addAll(connection.drainCallbacks());
        pendingCallbacks.sort(Comparator.comparingInt(Callback::arrivalSequence));
        while (!pendingCallbacks.isEmpty() && pendingCallbacks.get(0).arrivalSequence() < before) {
            Callback cb = pendingCallbacks.remove(0);
            if (Callback.INVALIDATE_TRANSACTION.equals(cb.name())) {
                Tid tid = cb.invalidatedTid();
                if (invalidations.put(tid, cb.invalidatedOids()) != null) {
                    problems.add("invalidateTransaction for " + tid + " came twice");
                }
                reveal(tid, "invalidateTransaction");
            } else if (!Callback.INFO.equals(cb.name())) {
                problems.add("unexpected callback " + cb.name());
            }
        }
    }

    private void reveal(Tid tid, String how) {
        if (lastSeen != null && !tid.isAfter(lastSeen)) {
            problems.add("client " + id + ": " + how + " revealed " + tid + " after " + lastSeen
                    + " (tids must strictly increase per connection)");
        }
        if (lastSeen == null || tid.isAfter(lastSeen)) {
            lastSeen = tid;
        }
    }
}
