package org.jzeo.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.bench.BenchSupport;
import org.jzeo.bench.server.ZeoRequests;
import org.jzeo.server.cli.AdminConnection;

/**
 * One throughput phase over a cluster: {@code perServer} blocking connections to each server (one outstanding
 * request per connection, each on its own thread, no client cache), started together, run {@code warmup}
 * seconds unmeasured and then {@code duration} seconds measured. An operation counts if it starts and completes
 * inside the measured window; CPU is read at the window's start and end.
 * <ul>
 *   <li><b>load</b>: {@code loadBefore(random populated oid, max tid)}, a stock client's request with an empty
 *       cache;</li>
 *   <li><b>commit</b>: 1-object update transactions (tpc_begin, storea with the serial of the last commit, vote,
 *       tpc_finish); connection i of n updates objects i, i + n, i + 2n, ... so no two connections ever conflict.
 *       Every other connection, on every server, receives the invalidations and skips them.</li>
 * </ul>
 */
final class ThroughputPhase {
    private static final byte[] USER = "clusterbench".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DESC = "update".getBytes(StandardCharsets.UTF_8);

    private final ServerCluster cluster;
    private final LongSupplier postgresCpu;
    private final Population population;
    private final int perServer;
    private final double warmup;
    private final double duration;
    private final Duration timeout;

    /** {@code postgresCpu}: PostgreSQL's CPU so far in ns (-1: none or unknown). */
    ThroughputPhase(ServerCluster cluster, LongSupplier postgresCpu, Population population, int perServer,
                    double warmup, double duration, Duration timeout) {
        this.cluster = cluster;
        this.postgresCpu = postgresCpu;
        this.population = population;
        this.perServer = perServer;
        this.warmup = warmup;
        this.duration = duration;
        this.timeout = timeout;
    }

    private interface Operation {
        void run() throws IOException;
    }

    private Operation operation(String phase, AdminConnection client, int index, int count) {
        byte[][] oids = population.oids;
        byte[][] serials = population.serials;
        int n = oids.length;
        int size = population.size;
        if (phase.equals("load")) {
            return () -> {
                List<Object> r = client.loadBefore(Oid.fromBytes(oids[ThreadLocalRandom.current().nextInt(n)]),
                        Tid.MAX);
                if (r == null || ((byte[]) r.get(0)).length != size) {
                    throw new IOException("unexpected loadBefore result for an existing object: " + r);
                }
            };
        }
        byte[] data = ZeoRequests.record(size, 100 + index);
        // ZEO's transaction ids are the client's own: unique per connection is enough.
        long[] txn = {((long) index + 1) << 32};
        int[] next = {index};
        return () -> {
            int i = next[0];
            next[0] = i + count < n ? i + count : index;
            serials[i] = ZeoRequests.updateOne(client, ++txn[0], USER, DESC, oids[i], serials[i], data);
        };
    }

    ThroughputSample run(String phase) throws InterruptedException {
        List<InetSocketAddress> servers = cluster.addresses();
        int count = servers.size() * perServer;
        if (phase.equals("commit") && count > population.count()) {
            return failed(phase, count, "only " + population.count() + " objects for " + count + " connections");
        }
        List<AdminConnection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                // Round-robin: connection i goes to server i mod servers, so every server has perServer of them.
                clients.add(Connections.open(servers.get(i % servers.size()), timeout));
            }
        } catch (IOException | RuntimeException e) {
            clients.forEach(AdminConnection::close);
            return failed(phase, count, "cannot connect: " + e);
        }
        long warmNanos = (long) (warmup * 1e9);
        long measureNanos = (long) (duration * 1e9);
        CountDownLatch go = new CountDownLatch(1);
        LongAdder measured = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] startTime = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Operation op = operation(phase, clients.get(i), i, count);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    long measureStart = startTime[0] + warmNanos;
                    long measureEnd = measureStart + measureNanos;
                    while (failure.get() == null) {
                        long t0 = System.nanoTime();
                        if (t0 >= measureEnd) {
                            break;
                        }
                        op.run();
                        if (t0 >= measureStart && System.nanoTime() < measureEnd) {
                            measured.increment();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "cluster-" + phase + "-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        startTime[0] = System.nanoTime();
        go.countDown();
        long measureStart = startTime[0] + warmNanos;
        long measureEnd = measureStart + measureNanos;
        sleepUntil(measureStart, failure);
        long server0 = cluster.cpuNanos();
        long pg0 = postgresCpu.getAsLong();
        long own0 = BenchSupport.processCpuNanos();
        long m0 = System.nanoTime();
        sleepUntil(measureEnd, failure);
        long m1 = System.nanoTime();
        long server1 = cluster.cpuNanos();
        long pg1 = postgresCpu.getAsLong();
        long own1 = BenchSupport.processCpuNanos();
        long joinDeadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
        }
        boolean overran = threads.stream().anyMatch(Thread::isAlive);
        clients.forEach(AdminConnection::close); // also unblocks an overrunning worker
        for (Thread t : threads) {
            t.join(5_000);
        }
        String problem = failure.get() != null ? String.valueOf(failure.get())
                : overran ? "workers overran the phase by " + timeout.toSeconds() + " s" : null;
        return new ThroughputSample(cluster.storage(), servers.size(), count, phase, measured.sum(), duration,
                (m1 - m0) / 1e9, difference(server0, server1), difference(pg0, pg1), difference(own0, own1), problem);
    }

    /**
     * The servers' and PostgreSQL's CPU with no client connected, over {@code seconds}: what they spend on their
     * own (PostgreSQL's background processes, the servers' polling and pools), which the phases' µs per operation
     * include. Phase "idle", no operations.
     */
    ThroughputSample idle(double seconds) throws InterruptedException {
        long server0 = cluster.cpuNanos();
        long pg0 = postgresCpu.getAsLong();
        long m0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long m1 = System.nanoTime();
        long server1 = cluster.cpuNanos();
        long pg1 = postgresCpu.getAsLong();
        return new ThroughputSample(cluster.storage(), cluster.size(), 0, "idle", 0, seconds, (m1 - m0) / 1e9,
                difference(server0, server1), difference(pg0, pg1), -1, null);
    }

    private ThroughputSample failed(String phase, int count, String why) {
        return new ThroughputSample(cluster.storage(), cluster.size(), count, phase, 0, 0, 0, -1, -1, -1, why);
    }

    private static long difference(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static void sleepUntil(long nanoTime, AtomicReference<Throwable> failure) throws InterruptedException {
        while (failure.get() == null) {
            long left = nanoTime - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }
}
