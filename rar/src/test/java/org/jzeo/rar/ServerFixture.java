package org.jzeo.rar;

import jakarta.resource.ResourceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.FileStorageConfig;

/** A real server in the test JVM and a started resource adapter with a connection definition pointing at it. */
final class ServerFixture implements AutoCloseable {
    final RunningServer server;
    final JzeoResourceAdapter adapter = new JzeoResourceAdapter();
    final JzeoManagedConnectionFactory factory;
    private boolean serverStopped;

    ServerFixture(Path dir) throws Exception {
        this(dir, false);
    }

    /** With {@code blobs}, the server's storage keeps blobs in {@code dir/server-blobs}. */
    ServerFixture(Path dir, boolean blobs) throws Exception {
        Path data = dir.resolve("Data.fs");
        server = blobs ? RunningServer.start(TestServers.config(data, z -> z).withStorages(List.of(
                FileStorageConfig.of("1", data).withBlobDir(dir.resolve("server-blobs")))))
                : TestServers.start(data);
        adapter.start(null);
        factory = newFactory();
    }

    /** A connection definition for this server, associated with the adapter. */
    JzeoManagedConnectionFactory newFactory() throws ResourceException {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        f.setServerAddresses("127.0.0.1:" + TestServers.address(server).getPort());
        f.setMinDisconnectPoll(1);
        f.setMaxDisconnectPoll(2);
        f.setWaitTimeout(10);
        f.setResourceAdapter(adapter);
        return f;
    }

    JzeoManagedConnection newManagedConnection() throws ResourceException {
        return (JzeoManagedConnection) factory.createManagedConnection(null, null);
    }

    void stopServer() throws InterruptedException {
        server.close();
        serverStopped = true;
    }

    /** Waits until the client noticed the server is gone. */
    static void awaitDisconnected(ClientStorage storage) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (storage.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("storage still connected 10 s after the server stopped");
            }
            Thread.sleep(20);
        }
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        adapter.stop();
        if (!serverStopped) {
            server.close();
        }
    }
}
