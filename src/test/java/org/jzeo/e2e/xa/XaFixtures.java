package org.jzeo.e2e.xa;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.server.process.ServerProcess;

/** What the XA crash tests share: servers with a short lock wait, clients, objects, waits on conditions. */
final class XaFixtures {
    /** Generous: 2 shared cores, other builds beside these tests. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private XaFixtures() {
    }

    /**
     * A server in its own JVM for {@code dir/Data.fs} whose vote waits at most 1 s for another transaction's object
     * lock ({@code lock-wait}, only in a configuration file; {@code -f} replaces its storage).
     */
    static ServerProcess server(Path dir, String... extraArgs) throws IOException, InterruptedException {
        List<String> config = serverConfig(dir);
        String[] args = new String[extraArgs.length + config.size()];
        config.toArray(args);
        System.arraycopy(extraArgs, 0, args, config.size(), extraArgs.length);
        return ServerProcess.start(dir.resolve("Data.fs"), args);
    }

    /**
     * The arguments ({@code -C dir/zeo.conf}) of {@link #server}'s configuration, written to {@code dir}: for a test
     * that starts the server itself (armed with a crash point, on a port it keeps).
     */
    static List<String> serverConfig(Path dir) throws IOException {
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, "<zeo>\n  address 127.0.0.1:0\n  lock-wait 1s\n</zeo>\n<mappingstorage/>\n");
        return List.of("-C", conf.toString());
    }

    /** A client that finds a restarted server quickly. */
    static ClientConnectionFactory factory(String hostPort) {
        return new ClientConnectionFactory(ClientOptions.of(hostPort)
                .withDisconnectPoll(Duration.ofMillis(100), Duration.ofMillis(500))
                .withWait(true, Duration.ofSeconds(30)));
    }

    /** A new object holding {@code value}, referenced from the root. */
    static Oid newObject(ClientConnectionFactory factory, String value) {
        try (StorageConnection c = factory.getConnection()) {
            c.begin();
            Oid oid = c.newOid();
            c.write(oid, text(value), List.of());
            c.write(c.rootOid(), text("root"), List.of(oid));
            c.commit();
            return oid;
        }
    }

    /** The object's current value, read by a new client (no cache shared with anyone). */
    static String readFresh(String hostPort, Oid oid) {
        try (ClientConnectionFactory fresh = factory(hostPort); StorageConnection c = fresh.getConnection()) {
            return new String(c.read(oid).payload(), StandardCharsets.UTF_8);
        }
    }

    /** How many revisions the object has (the server's history, up to 100). */
    static int revisions(ClientConnectionFactory factory, Oid oid) {
        try (StorageConnection c = factory.getConnection()) {
            return c.history(oid, 100).size();
        }
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String gtrid(Xid xid) {
        return HexFormat.of().formatHex(xid.getGlobalTransactionId());
    }

    /** Waits until {@code condition} holds, checking every few milliseconds; AssertionError after the timeout. */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 20_000_000);
        }
    }
}
