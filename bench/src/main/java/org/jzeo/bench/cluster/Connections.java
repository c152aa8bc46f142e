package org.jzeo.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jzeo.server.cli.AdminConnection;

/** Blocking ZEO connections as the benchmark's stock-client-like workers use them: registered to storage "1". */
final class Connections {
    private Connections() {
    }

    static AdminConnection open(InetSocketAddress address, Duration timeout) throws IOException {
        AdminConnection client = AdminConnection.open(address, "cluster bench " + address.getPort(), timeout);
        try {
            client.register("1", false);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
