package org.jzeo.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.bench.BenchSupport;
import org.jzeo.bench.server.ServerProcess;

/**
 * The jzeo server processes that serve one storage: one server of a Data.fs, or any number of servers of one
 * PostgreSQL database (all started from the same zeo.conf). Servers are added one at a time, so that the same
 * populated database is measured behind 1, then 2, then 3 servers.
 */
final class ServerCluster implements AutoCloseable {
    private final String storage;
    private final Path dir;
    private final Path dataFs;
    private final Path zeoConf;
    private final List<String> jvmOptions;
    private final int timeout;
    private final List<ServerProcess> servers = new ArrayList<>();
    /** A run stopped with Ctrl-C must not leave server processes behind: they would hold ports and files. */
    private final Thread killOnExit = new Thread(this::killAll, "cluster-bench-kill-servers");

    private ServerCluster(String storage, Path dir, Path dataFs, Path zeoConf, List<String> jvmOptions, int timeout) {
        this.storage = storage;
        this.dir = dir;
        this.dataFs = dataFs;
        this.zeoConf = zeoConf;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.timeout = timeout;
    }

    /** One server of a new Data.fs in {@code dir}: the reference the PostgreSQL figures are compared with. */
    static ServerCluster fileStorage(Path dir, List<String> jvmOptions, int timeout) throws IOException {
        Files.createDirectories(dir);
        BenchSupport.deleteDataFs(dir);
        return new ServerCluster("FileStorage", dir, dir.resolve("Data.fs"), null, jvmOptions, timeout);
    }

    /**
     * Servers of the PostgreSQL database {@code dsn} (libpq keyword/value), configured as RelStorage's
     * {@code <relstorage>} section in {@code dir/zeo.conf}. {@code poolSize}: database connections per server.
     */
    static ServerCluster postgres(Path dir, String dsn, int poolSize, List<String> jvmOptions, int timeout)
            throws IOException {
        Files.createDirectories(dir);
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, String.join("\n",
                "%import relstorage",
                "<zeo>",
                "  address 127.0.0.1:0",
                "</zeo>",
                "<relstorage 1>",
                "  pool-size " + poolSize,
                "  <postgresql>",
                "    dsn " + dsn,
                "  </postgresql>",
                "</relstorage>",
                ""));
        return new ServerCluster("PostgreSQL", dir, null, conf, jvmOptions, timeout);
    }

    String storage() {
        return storage;
    }

    boolean isPostgres() {
        return zeoConf != null;
    }

    int size() {
        return servers.size();
    }

    /** Starts one more server and waits until it is ready. */
    ServerProcess addServer() throws IOException, InterruptedException {
        if (!isPostgres() && !servers.isEmpty()) {
            throw new IllegalStateException("a Data.fs has one server");
        }
        int n = servers.size() + 1;
        Path log = dir.resolve("server-" + n + ".log");
        ServerProcess s = isPostgres() ? ServerProcess.startWithConfig(zeoConf, log, jvmOptions, timeout)
                : ServerProcess.start(dataFs, log, jvmOptions, timeout);
        servers.add(s);
        if (servers.size() == 1) {
            Runtime.getRuntime().addShutdownHook(killOnExit);
        }
        System.out.println("# " + storage + " server " + n + " pid " + s.pid() + " ready on " + s.address()
                + ", log " + s.log());
        return s;
    }

    List<InetSocketAddress> addresses() {
        return servers.stream().map(ServerProcess::address).toList();
    }

    InetSocketAddress address(int index) {
        return servers.get(index).address();
    }

    /** The sum of the servers' CPU so far (user + system, ns), or -1 if one cannot be read. */
    long cpuNanos() {
        long sum = 0;
        for (ServerProcess s : servers) {
            long ns = s.cpuNanos();
            if (ns < 0) {
                return -1;
            }
            sum += ns;
        }
        return sum;
    }

    private void killAll() {
        for (ServerProcess s : List.copyOf(servers)) {
            ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!servers.isEmpty()) {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException e) {
                // the JVM is already exiting: the hook runs
            }
        }
        for (ServerProcess s : servers) {
            int status = s.stop(60);
            System.out.println("# " + storage + " server pid " + s.pid() + " stopped (SIGTERM), exit status " + status);
        }
        servers.clear();
    }
}
