package org.jzeo.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.bench.server.ZeoRequests;
import org.jzeo.client.ClientListener;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.TransactionCall;
import org.jzeo.server.cli.AdminConnection;

/**
 * How long a commit takes to reach another client as an invalidation. A committer (a blocking connection, as in
 * the throughput phases) commits 1-object transactions one after the other through server A; a listener (jzeo's
 * Java client, {@link ClientStorage}) connected to server B notes when {@link ClientListener#invalidated} is
 * called for each tid. Both run in this JVM, so one {@link System#nanoTime()} clock times both ends: the delay is
 * from the committer having the tpc_finish reply to the listener being told (and, for reference, from the
 * committer sending tpc_finish; see {@link LatencySample}). The committer waits for each
 * invalidation before its next commit, so the figure is that of an otherwise idle cluster, without queueing.
 * The first {@code warmupCommits} commits are not measured (class loading, JIT, connection pools).
 */
final class InvalidationLatency {
    private static final byte[] USER = "clusterbench".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DESC = "invalidation latency".getBytes(StandardCharsets.UTF_8);

    /** How long an invalidation may take before it counts as lost. */
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(5);
    /** Lost invalidations after which the run stops: the route is broken, not slow. */
    private static final int MAX_LOST = 5;

    /** A tid the listener was told about, and when. */
    private record Arrival(long tid, long nanoTime) {
    }

    private final Population population;
    private final int commits;
    private final int warmupCommits;
    private final Duration timeout;

    InvalidationLatency(Population population, int commits, int warmupCommits, Duration timeout) {
        this.population = population;
        this.commits = commits;
        this.warmupCommits = warmupCommits;
        this.timeout = timeout;
    }

    /** Commits through {@code committerServer} of {@code cluster}, listens on {@code listenerServer} (0-based). */
    LatencySample measure(ServerCluster cluster, int committerServer, int listenerServer) throws InterruptedException {
        String route = committerServer == listenerServer ? "both on server " + (committerServer + 1)
                : "server " + (committerServer + 1) + " → server " + (listenerServer + 1);
        long[] fromReply = new long[commits];
        long[] fromRequest = new long[commits];
        int measured = 0;
        int lost = 0;
        String failure = null;
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        InetSocketAddress b = cluster.address(listenerServer);
        ClientOptions options = ClientOptions.of(b.getHostString() + ":" + b.getPort())
                .withCacheSize(1024 * 1024).withWait(true, timeout);
        try (ClientStorage listener = new ClientStorage(options);
             AdminConnection committer = Connections.open(cluster.address(committerServer), timeout)) {
            listener.addListener(new ClientListener() {
                @Override
                public void invalidated(Tid tid, Collection<Oid> oids) {
                    arrivals.add(new Arrival(tid.value(), System.nanoTime()));
                }
            });
            if (!listener.awaitConnected(timeout)) {
                throw new IOException("the listener did not connect to " + b + " within " + timeout);
            }
            byte[] data = ZeoRequests.record(population.size, 7);
            int objects = population.count();
            for (int i = 0; i < warmupCommits + commits; i++) {
                int object = i % objects;
                long txn = i + 1;
                // A stock client's 1-object commit (as ZeoRequests.updateOne), timed around tpc_finish.
                committer.send(new Requests.TpcBegin(txn, USER, DESC, Map.of(), null, " "));
                committer.send(new Requests.Store(Oid.fromBytes(population.oids[object]),
                        Tid.fromBytes(population.serials[object]), data, txn));
                ZeoRequests.checkVote(committer.call(null, new TransactionCall(TransactionCall.VOTE, txn)));
                long requested = System.nanoTime();
                byte[] tid = (byte[]) committer.call(null, new TransactionCall(TransactionCall.FINISH, txn));
                long finished = System.nanoTime();
                population.serials[object] = tid;
                Long arrived = awaitArrival(arrivals, Tid.fromBytes(tid).value());
                if (i < warmupCommits) {
                    continue; // a lost warm-up invalidation is not counted either
                }
                if (arrived == null) {
                    if (++lost >= MAX_LOST) {
                        failure = lost + " invalidations did not arrive within " + ARRIVAL_TIMEOUT.toSeconds() + " s";
                        break;
                    }
                } else {
                    fromReply[measured] = arrived - finished;
                    fromRequest[measured++] = arrived - requested;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = String.valueOf(e);
        }
        return new LatencySample(cluster.storage(), cluster.size(), route, Arrays.copyOf(fromReply, measured),
                Arrays.copyOf(fromRequest, measured), lost, failure);
    }

    /** When the listener was told of {@code tid}, or null if not within the timeout; earlier tids are skipped. */
    private Long awaitArrival(BlockingQueue<Arrival> arrivals, long tid) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        while (true) {
            Arrival a = arrivals.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                return null;
            }
            if (a.tid() == tid) {
                return a.nanoTime();
            }
            if (a.tid() > tid) {
                return null; // told of a later tid but never of ours: lost (nobody else commits meanwhile)
            }
        }
    }
}
