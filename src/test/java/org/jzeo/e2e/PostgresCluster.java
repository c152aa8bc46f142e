package org.jzeo.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.storage.pg.PostgresTestServer;

/**
 * Several jzeo server processes serving one PostgreSQL database, each started from the same zeo.conf (RelStorage's
 * {@code <relstorage>} section) on a port of its own, as the README's "Scaling out" section configures them.
 */
public final class PostgresCluster implements AutoCloseable {
    private final Path config;
    private final List<ServerProcess> servers = new ArrayList<>();

    private PostgresCluster(Path config) {
        this.config = config;
    }

    /** {@code count} servers over a new database of {@code pg}; the config and the servers' logs go in {@code dir}. */
    public static PostgresCluster start(PostgresTestServer pg, Path dir, int count)
            throws IOException, InterruptedException {
        Path config = dir.resolve("zeo.conf");
        Files.writeString(config, String.join("\n",
                "%import relstorage",
                "<zeo>",
                "  address 127.0.0.1:0",
                "  lock-wait 2s",
                "</zeo>",
                "<relstorage 1>",
                "  poll-interval 1",
                "  pool-size 4",
                "  <postgresql>",
                "    dsn " + pg.dsn(pg.createDatabase()),
                "  </postgresql>",
                "</relstorage>",
                ""));
        PostgresCluster cluster = new PostgresCluster(config);
        try {
            for (int i = 0; i < count; i++) {
                cluster.servers.add(ServerProcess.start(config));
            }
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public ServerProcess server(int i) {
        return servers.get(i);
    }

    public List<ServerProcess> servers() {
        return List.copyOf(servers);
    }

    /** Every server's address, starting with server {@code first}: a client that prefers that one, then the next. */
    public String[] addressesFrom(int first) {
        String[] addresses = new String[servers.size()];
        for (int i = 0; i < servers.size(); i++) {
            addresses[i] = servers.get((first + i) % servers.size()).hostPort();
        }
        return addresses;
    }

    @Override
    public void close() {
        for (ServerProcess s : servers) {
            s.close();
        }
    }
}
