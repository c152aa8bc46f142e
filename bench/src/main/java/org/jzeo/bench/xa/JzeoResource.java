package org.jzeo.bench.xa;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.transaction.xa.XAResource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.StorageXAResource;

/**
 * A second jzeo server process (own Data.fs, fsync on, like the first): each thread has a ledger object counting its
 * transfers, read and written once per transfer, so that both XA resources really make their prepare and their
 * commit durable. Its clients mirror the first server's: as many ClientStorages as the configuration has.
 */
final class JzeoResource implements SecondResource {
    private final ServerProcess server;
    private final String address;
    private final Oid[] ledgers;
    private final int size;
    private final List<ClientConnectionFactory> factories = new ArrayList<>();

    JzeoResource(Path dir, List<String> jvmOptions, int maxThreads, int size) throws Exception {
        Files.createDirectories(dir);
        this.size = size;
        this.server = ServerProcess.start(dir.resolve("Data.fs"), dir.resolve("server.log"), jvmOptions, 120);
        InetSocketAddress bound = server.address();
        this.address = bound.getAddress().getHostAddress() + ":" + bound.getPort();
        System.out.println("# second resource: jzeo server pid " + server.pid() + " on " + address
                + " (fsync on), log " + server.log());
        ledgers = new Oid[maxThreads];
        try (ClientConnectionFactory f = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = f.getConnection()) {
            c.begin();
            for (int t = 0; t < maxThreads; t++) {
                ledgers[t] = c.newOid();
                c.write(ledgers[t], count(0), List.of());
            }
            c.commit();
        }
    }

    @Override
    public String name() {
        return "jzeo #2";
    }

    @Override
    public void open(int threads, int storages) {
        for (int i = 0; i < storages; i++) {
            ClientStorage storage = new ClientStorage(ClientOptions.of(address));
            factories.add(new ClientConnectionFactory(storage, true, threads,
                    ClientConnectionFactory.DEFAULT_OBJECT_CACHE_SIZE));
        }
    }

    @Override
    public Session session(int thread, boolean xa) {
        StorageConnection connection = factories.get(thread % factories.size()).getConnection();
        XAResource resource = xa ? StorageXAResource.of(connection) : null;
        Oid ledger = ledgers[thread];
        return new Session() {
            @Override
            public XAResource xaResource() {
                return resource;
            }

            @Override
            public void record(long id, int t, Oid src, Oid dst) {
                if (!xa && !connection.inTransaction()) {
                    connection.begin();
                }
                long transfers = ByteBuffer.wrap(connection.read(ledger).payload()).getLong();
                connection.write(ledger, count(transfers + 1), List.of());
            }

            @Override
            public void commitLocal() {
                connection.commit();
            }

            @Override
            public void rollbackLocal() {
                if (!xa && connection.inTransaction()) {
                    connection.abort();
                }
            }

            @Override
            public void close() {
                connection.close();
            }
        };
    }

    /** A ledger's state: the count of transfers, padded to the accounts' size. */
    private byte[] count(long transfers) {
        return ByteBuffer.allocate(Math.max(size, Long.BYTES)).putLong(transfers).array();
    }

    @Override
    public void release() {
        factories.forEach(ClientConnectionFactory::close);
        factories.clear();
    }

    @Override
    public long cpuNanos() {
        return server.cpuNanos();
    }

    @Override
    public boolean verify(long recorded, long[] perThread) {
        long total = 0;
        boolean ok = true;
        try (ClientConnectionFactory f = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = f.getConnection()) {
            for (int t = 0; t < ledgers.length; t++) {
                long transfers = ByteBuffer.wrap(c.read(ledgers[t]).payload()).getLong();
                total += transfers;
                ok &= t < perThread.length && transfers == perThread[t];
            }
        }
        System.out.printf(Locale.ROOT, "%n# jzeo #2 ledgers count %,d transfers, %,d recorded%n", total, recorded);
        return ok && total == recorded;
    }

    @Override
    public void close() throws InterruptedException {
        release();
        System.out.println("# second server stopped (SIGTERM), exit status " + server.stop(60));
    }
}
