package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.net.ServerAddress;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client with {@code read-only-fallback} and two addresses: the writable server is down, so it works on the
 * read-only one (a copy of the same data), and switches to the writable one as soon as it comes up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadOnlyFallbackTest {
    @TempDir
    Path dir;
    ServerProcess readOnly;
    ServerProcess writable;

    @AfterEach
    void stopServers() {
        if (readOnly != null) {
            readOnly.close();
        }
        if (writable != null) {
            writable.close();
        }
    }

    @Test
    void startsOnTheReadOnlyServerWhileTheWritableIsDownAndSwitchesWhenItComesUp() throws Exception {
        // The same database for both servers: written once, then copied.
        Path original = dir.resolve("original/Data.fs");
        Files.createDirectories(original.getParent());
        Map<Oid, String> objects;
        Tid lastTid;
        RunningServer maker = TestServers.start(original);
        try (ClientStorage s = Clients.open(Clients.options("127.0.0.1:" + TestServers.address(maker).getPort()))) {
            objects = Clients.createObjects(s, "ro", 5);
            lastTid = s.lastTransaction();
        } finally {
            maker.close();
        }
        Path readOnlyData = copy(original, dir.resolve("read-only/Data.fs"));
        Path writableData = copy(original, dir.resolve("writable/Data.fs"));

        readOnly = ServerProcess.start(readOnlyData, 0, "--read-only");
        int writablePort = ServerProcess.freePort();
        String writableAddress = "127.0.0.1:" + writablePort;
        ClientOptions options = Clients.options(writableAddress, readOnly.hostPort()).withReadOnlyFallback(true);

        EventRecorder events = new EventRecorder();
        try (ClientStorage client = Clients.open(options, events)) {
            // On the read-only server: reads work, writes are refused.
            EventRecorder.Connected first = events.await(EventRecorder.Connected.class, 0);
            assertThat(first.readOnly()).isTrue();
            assertThat(port(first.address())).isEqualTo(readOnly.address().getPort());
            assertThat(client.isReadOnly()).isTrue();
            assertThat(client.lastTransaction()).isEqualTo(lastTid);
            objects.forEach((oid, v) -> assertThat(Clients.current(client, oid)).isEqualTo(v));
            Oid some = objects.keySet().iterator().next();
            assertThat(catchThrowable(() -> Clients.change(client, Map.of(some, "refused"))))
                    .isInstanceOf(ReadOnlyException.class);

            int mark = events.size();
            writable = ServerProcess.start(writableData, writablePort);

            // It switches by itself, and writes then succeed.
            EventRecorder.Connected second = events.await(EventRecorder.Connected.class, c -> !c.readOnly(), mark,
                    Await.TIMEOUT);
            assertThat(port(second.address())).isEqualTo(writablePort);
            assertThat(events.events(EventRecorder.CacheDropped.class)).isEmpty();
            System.out.println("read-only fallback: client events " + events.events());
            Await.until("the client is connected to the writable server", () -> client.isConnected()
                    && client.connectedAddress() != null && port(client.connectedAddress()) == writablePort);
            assertThat(client.isReadOnly()).isFalse();
            Tid tid = Clients.change(client, Map.of(some, "written after the switch"));
            assertThat(tid).isGreaterThan(lastTid);
            assertThat(Clients.current(client, some)).isEqualTo("written after the switch");
        }
        // The write went to the writable server, not the read-only copy.
        try (ClientStorage check = Clients.open(Clients.options(writable))) {
            assertThat(Clients.current(check, objects.keySet().iterator().next()))
                    .isEqualTo("written after the switch");
        }
        try (ClientStorage check = Clients.open(Clients.options(readOnly).withReadOnly(true))) {
            assertThat(check.lastTransaction()).isEqualTo(lastTid);
        }
    }

    private static int port(ServerAddress address) {
        return ((ServerAddress.Tcp) address).port();
    }

    private static Path copy(Path dataFile, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Files.copy(dataFile, to);
        Path index = dataFile.resolveSibling(dataFile.getFileName() + ".jzindex");
        if (Files.exists(index)) {
            Files.copy(index, to.resolveSibling(to.getFileName() + ".jzindex"));
        }
        return to;
    }
}
