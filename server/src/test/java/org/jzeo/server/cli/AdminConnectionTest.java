package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.ServerException;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminConnectionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void callsGetTheirRepliesAndErrorRepliesBecomeJzeoExceptions() throws Exception {
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"));
             AdminConnection c = AdminConnection.open(TestServers.address(server), "test", TIMEOUT)) {
            assertThatThrownBy(() -> c.register("nope", true)).isInstanceOf(ServerException.class)
                    .hasMessageContaining("unknown storage: nope");
            assertThat(c.register("1", true)).isEqualTo(Tid.ZERO);
            assertThat(c.call("ping")).isNull();
            assertThatThrownBy(() -> c.call("loadBefore", new byte[8], Tid.MAX))
                    .isInstanceOf(POSKeyException.class);
            assertThat(c.call("lastTransaction")).isEqualTo(new byte[8]);
        }
    }

    @Test
    void probeReturnsTheRuokJson() throws Exception {
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"))) {
            String json = AdminConnection.probe(TestServers.address(server), "test", TIMEOUT);

            assertThat(json).startsWith("{\"1\": {\"connections\": 0, ");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> AdminConnection.open(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), "silent",
                    Duration.ofMillis(300)))
                    .isInstanceOf(AdminConnection.NoAnnouncementException.class)
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("silent: the server sent no announcement within 0.3 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aPickleServerIsRefusedWithTheReason() throws Exception {
        try (ServerSocket zeo4 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = zeo4.accept(); DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                    out.writeInt(2);
                    out.write(new byte[] {'Z', '5'});
                    out.flush();
                    s.getInputStream().read();
                } catch (java.io.IOException e) {
                    // the client hangs up
                }
            });
            server.start();
            assertThatThrownBy(() -> AdminConnection.open(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), zeo4.getLocalPort()), "zeo4", TIMEOUT))
                    .isInstanceOf(java.net.ProtocolException.class).hasMessageContaining("pickle encoding");
            server.join(5000);
        }
    }
}
