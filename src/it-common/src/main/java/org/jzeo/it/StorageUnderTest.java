package org.jzeo.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.server.auth.PasswordDatabase;
import org.jzeo.server.auth.PasswordFileWriter;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.Credentials;
import javax.transaction.xa.Xid;
import org.jzeo.protocol.WireMessage;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.process.ZeoProxy;

/**
 * The jzeo storage server an application server under test talks to: a server in its own process (so that it can
 * be killed for real), reached by the container through a {@link ZeoProxy} whose address never changes, so that a
 * test can kill the server at an exact protocol step and restart it where the container looks for it.
 */
public final class StorageUnderTest implements AutoCloseable {
    /** The user the tests' own client signs on as on an authenticated server: an admin (it reads every branch). */
    public static final ServerUser TESTS = new ServerUser("jzeo-tests", "tests-secret", "admin");

    private volatile ServerProcess server;
    private final ZeoProxy proxy;
    /** Who {@link #directClient()} signs on as; null on a server without authentication. */
    private final Credentials testCredentials;

    private StorageUnderTest(ServerProcess server, Credentials testCredentials) throws IOException {
        this.server = server;
        this.proxy = new ZeoProxy(server.address());
        this.testCredentials = testCredentials;
    }

    /** Starts a server for {@code folder/Data.fs} on a free loopback port, and the proxy in front of it. */
    public static StorageUnderTest start(Path folder) throws IOException, InterruptedException {
        return new StorageUnderTest(ServerProcess.start(folder.resolve("Data.fs")), null);
    }

    /**
     * Starts a server for {@code folder/Data.fs} that refuses unauthenticated connections: {@code folder/zeo.conf}
     * with {@code authentication-protocol scram-sha-256}, a password file {@code folder/passwords} holding {@code
     * users} and {@link #TESTS}, and an {@code <access>} section (inside {@code <zeo>}) giving each its right and
     * everyone else none.
     */
    public static StorageUnderTest startAuthenticated(Path folder, List<ServerUser> users)
            throws IOException, InterruptedException {
        List<ServerUser> all = new ArrayList<>(users);
        all.add(TESTS);
        Path passwords = folder.resolve("passwords");
        PasswordDatabase database = PasswordDatabase.empty("jzeo");
        for (ServerUser user : all) {
            database = database.withUser(user.name(), ScramVerifier.of(user.password().toCharArray()));
        }
        PasswordFileWriter.write(passwords, database);
        List<String> conf = new ArrayList<>(List.of("<zeo>", "  address 127.0.0.1:0",
                "  authentication-protocol scram-sha-256",
                "  authentication-database " + passwords.toAbsolutePath(), "  <access>", "    default none"));
        all.forEach(user -> conf.add("    user " + user.name() + " " + user.right()));
        conf.addAll(List.of("  </access>", "</zeo>", "<filestorage>",
                "  path " + folder.resolve("Data.fs").toAbsolutePath(), "</filestorage>"));
        Path zeoConf = Files.write(folder.resolve("zeo.conf"), conf);
        return new StorageUnderTest(ServerProcess.start(zeoConf),
                Credentials.of(TESTS.name(), TESTS.password()));
    }

    /** What the server process logged so far (its stderr); a restarted server's log starts afresh. */
    public List<String> serverLog() {
        return server.log();
    }

    /** The address to configure in the container's connection factory (the proxy's). */
    public String containerAddress() {
        return proxy.hostPort();
    }

    /** A Java SE client straight to the server: the tests' own view of the storage. */
    public ClientConnectionFactory directClient() {
        return new ClientConnectionFactory(ClientOptions.of(server.hostPort()).withCredentials(testCredentials));
    }

    /** How many calls of the protocol method {@code method} came from the container so far. */
    public long containerCalls(String method) {
        return proxy.calls(method);
    }

    /** How many calls of {@code method} from the container the server answered so far. */
    public long containerCallsAnswered(String method) {
        return proxy.answered(method);
    }

    /** Kills the server with SIGKILL. */
    public void kill9() throws InterruptedException {
        server.kill9();
    }

    /** A new server process for the same Data.fs at the same address, once the old one is gone. */
    public void restart() throws IOException, InterruptedException {
        server = server.restart();
    }

    /**
     * Arms the proxy: when the container next sends an XA commit, the server is killed before the commit reaches it
     * (the branch stays prepared in the server's prepared log) and the container's connection is cut.
     */
    public void killOnNextXaCommit() {
        proxy.interceptCall(XaWire.COMMIT, () -> {
            try {
                server.kill9();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing the server", e);
            }
        });
    }

    /** The xid of the XA commit the armed kill caught, once it happened within {@code timeout}; else null. */
    public Xid awaitKilledOnXaCommit(Duration timeout) throws InterruptedException {
        WireMessage caught = proxy.awaitTrap(timeout.toMillis());
        return caught == null ? null : XaWire.decode(caught.args().get(0));
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server.close();
        }
    }
}
