package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server listens on Unix-domain sockets and on IPv6 as well as on IPv4. */
class TransportsTest {
    @TempDir
    Path dir;

    @Test
    void servesOverAUnixDomainSocket() throws Exception {
        Path socket = dir.resolve("zeo.sock");
        try (RunningServer server = RunningServer.start(TestServers.config(dir.resolve("Data.fs"),
                z -> z.withAddress(new ListenAddress.Unix(socket))))) {
            assertThat(socket).exists();
            Cli.Result up = Cli.run("up", "-u", socket.toString());
            assertThat(up.exitCode()).as(up.err()).isZero();
            Cli.Result status = Cli.run("status", "-u", socket.toString());
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).contains("connections");
        }
    }

    @Test
    void servesOverIpv6Loopback() throws Exception {
        InetAddress loopback6 = InetAddress.getByName("::1");
        try (ServerSocket probe = new ServerSocket(0, 1, loopback6)) {
            Assumptions.assumeTrue(probe.getInetAddress() instanceof Inet6Address, "no IPv6 loopback here");
        } catch (java.io.IOException e) {
            Assumptions.abort("IPv6 loopback not available: " + e.getMessage());
        }
        try (RunningServer server = RunningServer.start(TestServers.config(dir.resolve("Data.fs"),
                z -> z.withAddress(new ListenAddress.Tcp("::1", 0))));
             ZeoTestClient c = ZeoTestClient.connect((InetSocketAddress) server.addresses().get(0))) {
            assertThat(((InetSocketAddress) server.addresses().get(0)).getAddress()).isInstanceOf(Inet6Address.class);
            c.register("1", false);
            Oid oid = c.newOids().get(0);
            Tid tid = c.commit(1, Map.of(oid, JzeoRecord.encode(List.of(), new byte[] {7})), Map.of());
            assertThat(c.loadBefore(oid, Tid.MAX).start()).isEqualTo(tid);
        }
    }
}
