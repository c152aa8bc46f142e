package org.jzeo.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application API over a real server in this JVM: snapshots, own writes, pooling, and life without a server. */
class StorageConnectionTest {
    @TempDir
    Path dir;
    private RunningServer server;
    private String address;

    @BeforeEach
    void startServer() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"));
        address = "127.0.0.1:" + TestServers.address(server).getPort();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTransactionKeepsItsSnapshotWhileOthersCommit() {
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection reader = factory.getConnection();
             StorageConnection writer = factory.getConnection()) {
            Oid x = write(writer, null, "x1");
            reader.begin();
            assertThat(text(reader.read(x))).isEqualTo("x1");
            write(writer, x, "x2");
            Tid t2 = writer.lastTransaction();
            assertThat(text(reader.read(x))).as("same transaction, same snapshot").isEqualTo("x1");
            reader.abort();
            reader.begin();
            assertThat(reader.read(x).serial()).isEqualTo(t2);
            assertThat(text(reader.read(x))).as("the next transaction sees the commit").isEqualTo("x2");
            reader.abort();
        }
    }

    @Test
    void aTransactionReadsItsOwnWritesAndNothingLeaksBeforeCommit() {
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection a = factory.getConnection();
             StorageConnection b = factory.getConnection()) {
            a.begin();
            Oid x = a.newOid();
            a.write(x, bytes("draft"), List.of());
            assertThat(text(a.read(x))).isEqualTo("draft");
            assertThat(b.exists(x)).as("not visible before commit").isFalse();
            a.abort();
            assertThat(a.exists(x)).as("aborted").isFalse();
            assertThatThrownBy(() -> a.read(x)).isInstanceOf(POSKeyException.class);
            assertThatThrownBy(() -> a.write(x, bytes("no"), List.of()))
                    .as("writes need a transaction").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aPooledConnectionReadsItsObjectsFromMemory() {
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address))) {
            ClientStorage storage = factory.storage();
            StorageConnection first = factory.getConnection();
            Oid x = write(first, null, "hot");
            first.begin();
            assertThat(text(first.read(x))).isEqualTo("hot");
            first.commit();
            first.close();
            long loads = storage.networkLoads();
            long cacheHits = storage.cacheStats().hits();

            StorageConnection again = factory.getConnection();
            assertThat(again).as("the pool hands the connection back").isSameAs(first);
            again.begin();
            assertThat(text(again.read(x))).isEqualTo("hot");
            again.abort();
            again.close();
            assertThat(storage.networkLoads()).as("no load went to the server").isEqualTo(loads);
            assertThat(storage.cacheStats().hits()).as("nor to the disk cache").isEqualTo(cacheHits);
        }
    }

    @Test
    void withoutAServerCachedReadsAreServedAndEverythingElseFailsFastNamingTheAddress() {
        ClientOptions options = ClientOptions.of(address).withClient("offline").withVar(dir)
                .withDisconnectPoll(Duration.ofMillis(100), Duration.ofMillis(200));
        Oid cached;
        Oid notCached;
        try (ClientConnectionFactory factory = new ClientConnectionFactory(options);
             ClientConnectionFactory other = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = factory.getConnection();
             StorageConnection o = other.getConnection()) {
            cached = write(c, null, "kept");
            notCached = write(o, null, "only on the server");
            c.begin();
            assertThat(text(c.read(cached))).isEqualTo("kept");
            c.abort();
        }
        server.close();
        server = null;

        try (ClientConnectionFactory factory = new ClientConnectionFactory(
                options.withWait(false, Duration.ofSeconds(1)));
             StorageConnection c = factory.getConnection()) {
            assertThat(factory.storage().isConnected()).isFalse();
            c.begin();
            assertThat(text(c.read(cached))).as("served from the persistent cache").isEqualTo("kept");
            assertThatThrownBy(() -> c.read(notCached)).isInstanceOf(DisconnectedException.class)
                    .hasMessageContaining(address);
            assertThatThrownBy(c::newOid).isInstanceOf(DisconnectedException.class).hasMessageContaining(address);
            c.write(cached, bytes("change"), List.of());
            assertThatThrownBy(c::commit).isInstanceOf(DisconnectedException.class);
        }
        assertThatThrownBy(() -> new ClientStorage(options.withWait(true, Duration.ofMillis(500))))
                .as("waiting for a server that does not come").isInstanceOf(DisconnectedException.class)
                .hasMessageContaining(address);
    }

    /** Commits {@code text} to {@code oid} (a new object when null); returns the oid. */
    private static Oid write(StorageConnection c, Oid oid, String text) {
        c.begin();
        Oid target = oid == null ? c.newOid() : oid;
        c.write(target, bytes(text), List.of());
        c.commit();
        return target;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredObject object) {
        return new String(object.payload(), StandardCharsets.UTF_8);
    }
}
