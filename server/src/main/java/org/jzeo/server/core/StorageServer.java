package org.jzeo.server.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.server.metrics.ServerMetrics;
import org.jzeo.server.metrics.StorageMetrics;
import org.jzeo.server.auth.Authenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storages a server shares and the threads it serves them with, independent of the network: the read pool
 * (bounded: storage reads), the commit pool (transactional calls; a voter may wait for object locks, so it grows
 * with the number of committing clients) and a scheduler for transaction timeouts.
 */
public final class StorageServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

    private final Map<String, ServedStorage> storages = new LinkedHashMap<>();
    private final Map<String, Boolean> packGc = new LinkedHashMap<>();
    private final MethodTable methods = MethodTable.standard();
    private final ExecutorService readPool;
    private final ExecutorService commitPool;
    private final ScheduledExecutorService scheduler;
    private volatile long blobMaxSize;
    private volatile Authenticator authenticator;

    public StorageServer(int readThreads) {
        this.readPool = Executors.newFixedThreadPool(readThreads, named("jzeo-read"));
        this.commitPool = Executors.newCachedThreadPool(named("jzeo-commit"));
        java.util.concurrent.ScheduledThreadPoolExecutor timers =
                new java.util.concurrent.ScheduledThreadPoolExecutor(1, named("jzeo-timeout"));
        // Every connection of a server with authentication arms a sign-on timer that is almost always cancelled:
        // cancelled timers leave the queue at once instead of piling up until they would have fired.
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Adds a storage under its name; {@code gc} is the storage's pack-gc setting. */
    public void add(ServedStorage storage, boolean gc) {
        if (storages.putIfAbsent(storage.name(), storage) != null) {
            throw new IllegalArgumentException("two storages named '" + storage.name() + "'");
        }
        packGc.put(storage.name(), gc);
        // Before any client can connect: prepared XA branches take their locks again.
        storage.xa().start(scheduler);
    }

    /** Sets the largest blob a client may store ({@code blob-max-size}, bytes; 0: no limit). Before start. */
    public void setBlobMaxSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("blob-max-size " + bytes);
        }
        this.blobMaxSize = bytes;
    }

    /** Requires every connection to sign on, with the rights {@code auth} gives. Before start. */
    public void setAuthenticator(Authenticator auth) {
        this.authenticator = auth;
    }

    /** The server's authentication, null when clients need not sign on. */
    public Authenticator authenticator() {
        return authenticator;
    }

    long blobMaxSize() {
        return blobMaxSize;
    }

    public ServedStorage storage(String name) {
        return storages.get(name);
    }

    public Collection<ServedStorage> storages() {
        return storages.values();
    }

    /** What the server publishes for monitoring: the live metrics of every storage, in the order added. */
    public ServerMetrics metrics() {
        return () -> storages.values().stream().<StorageMetrics>map(ServedStorageMetrics::new).toList();
    }

    private final Object sessionsMonitor = new Object();
    private int liveSessions;

    /** A session for a new connection that completed the handshake. */
    /** A session for a connection whose client showed {@code clientCertificate} (null: none, or no TLS). */
    public ZeoSession newSession(Peer peer, java.security.cert.X509Certificate clientCertificate) {
        synchronized (sessionsMonitor) {
            liveSessions++;
        }
        return new ZeoSession(this, peer, clientCertificate);
    }

    void sessionEnded() {
        synchronized (sessionsMonitor) {
            liveSessions--;
            sessionsMonitor.notifyAll();
        }
    }

    private void awaitNoSessions(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (sessionsMonitor) {
            while (liveSessions > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    LOG.warn("{} connection(s) still shutting down; going on", liveSessions);
                    return;
                }
                sessionsMonitor.wait(left);
            }
        }
    }

    /** server_status of every storage, by name: what the {@code ruok} probe answers. */
    public Map<String, Object> status() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (ServedStorage s : storages.values()) {
            all.put(s.name(), s.status(timeoutsRunning()));
        }
        return all;
    }

    MethodTable methods() {
        return methods;
    }

    ExecutorService readPool() {
        return readPool;
    }

    ExecutorService commitPool() {
        return commitPool;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    boolean packGc(String storage) {
        return packGc.getOrDefault(storage, true);
    }

    boolean timeoutsRunning() {
        return !scheduler.isShutdown();
    }

    /**
     * Closes every connection, lets in-flight work finish (a finishing commit completes; others abort when their
     * connection goes), then closes the storages, which saves their indexes.
     */
    @Override
    public void close() {
        for (ServedStorage s : storages.values()) {
            s.closeAll("server shutting down");
        }
        try {
            awaitNoSessions(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readPool.shutdown();
        commitPool.shutdown();
        try {
            if (!commitPool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("transactional work still running after 30 s; closing the storages anyway");
            }
            readPool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        for (ServedStorage s : storages.values()) {
            try {
                s.xa().close();
            } catch (RuntimeException e) {
                LOG.error("closing the XA log of storage '{}' failed", s.name(), e);
            }
            try {
                s.storage().close();
            } catch (RuntimeException e) {
                LOG.error("closing storage '{}' failed", s.name(), e);
            }
        }
    }
}
