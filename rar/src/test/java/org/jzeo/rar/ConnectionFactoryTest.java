package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.CommException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application's connection factory, with a container pool, without one, and when the server is away. */
class ConnectionFactoryTest {
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void handlesComeFromTheContainersPool() throws Exception {
        PoolingConnectionManager pool = new PoolingConnectionManager();
        StorageConnectionFactory factory = (StorageConnectionFactory) fixture.factory.createConnectionFactory(pool);

        StorageConnection first = factory.getConnection();
        assertThat(first).isInstanceOf(JzeoConnection.class);
        first.close();
        StorageConnection second = factory.getConnection();
        second.close();

        assertThat(pool.created).hasSize(1); // the closed connection was matched and reused
        assertThat(pool.idle).containsExactlyElementsOf(pool.created);
    }

    @Test
    void withoutAContainerEachHandleHasItsOwnConnection() throws Exception {
        StorageConnectionFactory factory = (StorageConnectionFactory) fixture.factory.createConnectionFactory();
        Oid oid;
        try (StorageConnection c = factory.getConnection()) {
            c.begin();
            oid = c.newOid();
            c.write(oid, text("standalone"), List.of());
            c.commit();
        }
        try (StorageConnection c = factory.getConnection()) {
            assertThat(text(c.read(oid).payload())).isEqualTo("standalone");
        }
        StorageConnection closed = factory.getConnection();
        JzeoManagedConnection managed = ((JzeoConnection) closed).managedConnection();
        closed.close();
        assertThat(managed.isDestroyed()).isTrue();
    }

    @Test
    void anUnreachableServerIsADisconnection() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        JzeoManagedConnectionFactory nowhere = fixture.newFactory();
        nowhere.setServerAddresses("127.0.0.1:" + freePort);
        nowhere.setWaitTimeout(1);

        assertThatThrownBy(() -> nowhere.createManagedConnection(null, null)).isInstanceOf(CommException.class)
                .hasCauseInstanceOf(DisconnectedException.class);
        StorageConnectionFactory factory = (StorageConnectionFactory) nowhere.createConnectionFactory(
                new PoolingConnectionManager());
        assertThatThrownBy(factory::getConnection).isInstanceOf(DisconnectedException.class)
                .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
    }

    @Test
    void containerExceptionsAreTranslated() {
        ResourceException wrapped = new ResourceException("pool says no",
                new CommException("comm", new DisconnectedException("gone")));
        assertThat(JzeoConnectionFactory.translate(wrapped)).isInstanceOf(DisconnectedException.class)
                .hasCause(wrapped);
        assertThat(JzeoConnectionFactory.translate(new ResourceException("pool exhausted")))
                .isExactlyInstanceOf(StorageException.class).hasMessageContaining("pool exhausted");
    }

    @Test
    void factoriesSerializeByTheirConfiguration() throws Exception {
        JzeoManagedConnectionFactory copy = roundTrip(fixture.factory);
        assertThat(copy).isEqualTo(fixture.factory);
        assertThat(copy.getResourceAdapter()).isNull(); // the container associates it again

        JzeoConnectionFactory connections = (JzeoConnectionFactory) fixture.factory.createConnectionFactory();
        javax.naming.Reference reference = new javax.naming.Reference(JzeoConnectionFactory.class.getName());
        connections.setReference(reference);
        assertThat(connections.getReference()).isSameAs(reference);
        assertThat(roundTrip(connections)).isNotNull();
    }

    @Test
    void stoppingTheAdapterClosesItsStorages() throws Exception {
        JzeoManagedConnection mc = fixture.newManagedConnection();
        fixture.adapter.stop();
        assertThat(mc.storage().isConnected()).isFalse();
        assertThatThrownBy(fixture::newManagedConnection).isInstanceOf(ResourceException.class)
                .hasMessageContaining("is stopped");
    }

    @Test
    void aFactoryUsedBeforeTheAdapterStartsGetsItsStorageAndStartKeepsIt() throws Exception {
        JzeoResourceAdapter adapter = new JzeoResourceAdapter();
        StorageRegistry early = adapter.registry(); // as WildFly's recovery scan may do before start()
        adapter.start(null);
        assertThat(adapter.registry()).isSameAs(early);
        adapter.stop();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
