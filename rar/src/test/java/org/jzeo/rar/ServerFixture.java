package org.jzeo.rar;

import jakarta.resource.ResourceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;

/** A real server in the test JVM and a started resource adapter with a connection definition pointing at it. */
final class ServerFixture implements AutoCloseable {
    final RunningServer server;
    final JzeoResourceAdapter adapter = new JzeoResourceAdapter();
    final JzeoManagedConnectionFactory factory;
    private boolean serverStopped;

    ServerFixture(Path dir) throws Exception {
        server = TestServers.start(dir.resolve("Data.fs"));
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
