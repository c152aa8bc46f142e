package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several clients of one real server process: they see each other's commits, and stale writes conflict. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientServerTest {
    @TempDir
    static Path dir;
    static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoClientsSeeEachOthersCommits() throws Exception {
        try (ClientStorage a = Clients.open(Clients.options(server));
             ClientStorage b = Clients.open(Clients.options(server));
             ClientConnectionFactory fa = new ClientConnectionFactory(a);
             ClientConnectionFactory fb = new ClientConnectionFactory(b);
             StorageConnection ca = fa.getConnection();
             StorageConnection cb = fb.getConnection()) {
            Oid x = newOid(ca);
            Tid t1 = Clients.commit(ca, Map.of(x, "x by A"));
            Clients.awaitSeen(b, t1);
            cb.begin();
            assertThat(Clients.read(cb, x)).isEqualTo("x by A");
            Oid y = cb.newOid();
            cb.write(y, "y by B".getBytes(), java.util.List.of());
            cb.write(x, "x by B".getBytes(), java.util.List.of());
            Tid t2 = cb.commit();
            assertThat(t2).isGreaterThan(t1);

            Clients.awaitSeen(a, t2);
            ca.begin();
            assertThat(Clients.read(ca, y)).isEqualTo("y by B");
            assertThat(Clients.read(ca, x)).isEqualTo("x by B");
            assertThat(ca.read(x).serial()).isEqualTo(t2);
            ca.abort();
            assertThat(a.lastTransaction()).isEqualTo(t2);
            assertThat(b.lastTransaction()).isEqualTo(t2);
        }
    }

    @Test
    void aThirdClientWithAStaleSnapshotGetsAConflictOnWriteOrAtCommit() throws Exception {
        try (ClientStorage a = Clients.open(Clients.options(server));
             ClientStorage c = Clients.open(Clients.options(server));
             ClientConnectionFactory fa = new ClientConnectionFactory(a);
             ClientConnectionFactory fc = new ClientConnectionFactory(c);
             StorageConnection ca = fa.getConnection();
             StorageConnection cc = fc.getConnection()) {
            Oid x = newOid(ca);
            Oid y = newOid(ca);
            Tid t1 = Clients.commit(ca, Map.of(x, "x1", y, "y1"));
            Clients.awaitSeen(c, t1);

            // The client already knows of the newer commit when it writes: refused at once.
            cc.begin();
            assertThat(Clients.read(cc, x)).isEqualTo("x1");
            Tid t2 = Clients.commit(ca, Map.of(x, "x2"));
            Clients.awaitSeen(c, t2);
            Throwable onWrite = catchThrowable(() -> cc.write(x, "x from a stale snapshot".getBytes(),
                    java.util.List.of()));
            assertThat(onWrite).isInstanceOf(ConflictException.class);
            assertThat(((ConflictException) onWrite).oid()).isEqualTo(x);
            assertThat(((ConflictException) onWrite).isRetryable()).isTrue();
            cc.abort();

            // The client may not know yet (no wait for the invalidation): refused on write or by the server at
            // commit, never committed over the newer state.
            cc.begin();
            assertThat(Clients.read(cc, y)).isEqualTo("y1");
            Tid t3 = Clients.commit(ca, Map.of(y, "y3"));
            Throwable onWriteOrCommit = catchThrowable(() -> {
                cc.write(y, "y from a stale snapshot".getBytes(), java.util.List.of());
                cc.commit();
            });
            cc.abort();
            assertThat(onWriteOrCommit).isInstanceOf(ConflictException.class);
            assertThat(((ConflictException) onWriteOrCommit).oid()).isEqualTo(y);

            // Nothing stale went through; a retry on a fresh snapshot succeeds.
            Clients.awaitSeen(c, t3);
            assertThat(Clients.current(c, x)).isEqualTo("x2");
            assertThat(Clients.current(c, y)).isEqualTo("y3");
            Tid t4 = Clients.commit(cc, Map.of(y, "y by C after retry"));
            Clients.awaitSeen(a, t4);
            assertThat(Clients.current(a, y)).isEqualTo("y by C after retry");
        }
    }

    @Test
    void aConnectionReadingOutsideATransactionSeesTheLatestStateItsClientKnowsOf() throws Exception {
        try (ClientStorage a = Clients.open(Clients.options(server));
             ClientStorage b = Clients.open(Clients.options(server));
             ClientConnectionFactory fa = new ClientConnectionFactory(a);
             ClientConnectionFactory fb = new ClientConnectionFactory(b);
             StorageConnection ca = fa.getConnection();
             StorageConnection cb = fb.getConnection()) {
            Oid x = newOid(ca);
            Tid t1 = Clients.commit(ca, Map.of(x, "first"));
            Clients.awaitSeen(b, t1);
            assertThat(cb.inTransaction()).isFalse();
            assertThat(Clients.read(cb, x)).isEqualTo("first");

            Tid t2 = Clients.commit(ca, Map.of(x, "second"));
            Clients.awaitSeen(b, t2);
            assertThat(Clients.current(b, x)).isEqualTo("second");
            // StorageConnection: "Outside a transaction each read sees the latest state the client knows of."
            assertThat(cb.read(x).serial()).isEqualTo(t2);
            assertThat(Clients.read(cb, x)).isEqualTo("second");
        }
    }

    private static Oid newOid(StorageConnection c) {
        c.begin();
        Oid oid = c.newOid();
        c.abort();
        return oid;
    }
}
