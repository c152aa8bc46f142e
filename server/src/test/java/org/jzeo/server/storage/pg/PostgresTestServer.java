package org.jzeo.server.storage.pg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: a private cluster made by {@code initdb} in a temporary folder, listening on a
 * free loopback port, stopped when the JVM exits. It uses the machine's PostgreSQL server programs (Debian's
 * {@code postgresql} package, which {@code .ci/run} installs when they are missing); {@code JZEO_PG_BIN} names
 * another folder of them. As root (PostgreSQL refuses to run as root) the programs run as the {@code postgres} user.
 *
 * <p>Most tests share {@link #shared()} and take a {@link #createDatabase() database of their own}; a test that
 * stops or restarts PostgreSQL {@link #start() starts its own}.
 */
public final class PostgresTestServer implements AutoCloseable {
    /** The cluster's superuser, trusted on loopback. */
    public static final String USER = "jzeo";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresTestServer shared;

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    /** PostgreSQL's max_prepared_transactions: XA needs it above 0. */
    private int maxPreparedTransactions = 64;

    private PostgresTestServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The cluster this test JVM shares, started on first use. */
    public static synchronized PostgresTestServer shared() {
        if (shared == null) {
            shared = start();
            PostgresTestServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "postgres-test-server-stop"));
        }
        return shared;
    }

    /** A new cluster of the caller's own; close it when done. */
    public static PostgresTestServer start() {
        return start(64);
    }

    /** As {@link #start()}, with {@code max_prepared_transactions} set so (0: no prepared transactions, no XA). */
    public static PostgresTestServer start(int maxPreparedTransactions) {
        Path bin = serverPrograms();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dataDir = Files.createTempDirectory("jzeo-pg-");
            if (root) {
                UserPrincipalLookupService users = dataDir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dataDir, users.lookupPrincipalByName("postgres"));
            }
            PostgresTestServer server = new PostgresTestServer(bin, dataDir, freePort(), root);
            server.maxPreparedTransactions = maxPreparedTransactions;
            server.run(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
                    "--auth=trust", "--encoding=UTF8", "--no-instructions"));
            server.startProcess();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a PostgreSQL test cluster", e);
        }
    }

    private static Path serverPrograms() {
        String configured = System.getenv("JZEO_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                                .replaceAll("\\D.*", "0"))));
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL server programs not found in /usr/lib/postgresql/*/bin (set"
                + " JZEO_PG_BIN to their folder): install Debian's postgresql package, as .ci/run does");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startProcess() {
        // Only TCP on loopback: no socket file in a shared folder, so several clusters never collide.
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "60",
                "-l", dataDir.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
                        + " -c max_prepared_transactions=" + maxPreparedTransactions,
                "start"));
    }

    /** Starts again after {@link #stopImmediately()}: PostgreSQL recovers from its WAL. */
    public void restart() {
        startProcess();
    }

    /** Stops at once, without a checkpoint, as a crash would (PostgreSQL's immediate shutdown). */
    public void stopImmediately() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"));
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** A new, empty database with a name no other test of this JVM uses. */
    public String createDatabase() {
        String name = "jzeo_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on port " + port, e);
        }
        return name;
    }

    /** libpq's keyword/value connection string for {@code database}, as {@code <postgresql dsn="...">} takes it. */
    public String dsn(String database) {
        return "host=" + host() + " port=" + port + " dbname=" + database + " user=" + USER;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A plain JDBC connection to {@code database}, for a test's own checks. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    /** The server's log so far, for a failing test's message. */
    public String log() {
        try {
            return Files.readString(dataDir.resolve("server.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            stopImmediately();
        } catch (RuntimeException e) {
            // Already stopped: only the folder is left to remove.
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder is harmless.
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(out, StandardCharsets.UTF_8) + "\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
