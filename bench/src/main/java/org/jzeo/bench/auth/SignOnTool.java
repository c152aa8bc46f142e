package org.jzeo.bench.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jzeo.auth.Scram;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.Credentials;
import org.jzeo.server.auth.PasswordDatabase;
import org.jzeo.server.auth.PasswordFileWriter;
import org.jzeo.server.cli.AdminConnection;

/**
 * What signing on costs a new connection: connect + handshake + register against a server without authentication,
 * then the same with a SCRAM-SHA-256 sign-on before register, from {@code --threads} clients at once, each phase
 * {@code --connections} times; prints per-connection latency (p50/p99), connections per second, the server's CPU per
 * connection (from /proc) and the client's PBKDF2 alone (the part of a sign-on that is deliberately slow).
 *
 * <p>{@code java -cp bench/target/jzeo-benchmarks.jar org.jzeo.bench.auth.SignOnTool [--connections N] [--threads T]}
 */
public final class SignOnTool {
    private SignOnTool() {
    }

    public static void main(String[] args) throws Exception {
        int connections = intOption(args, "--connections", 2000);
        int threads = intOption(args, "--threads", 4);
        Path dir = Files.createTempDirectory("jzeo-signon-bench");
        Path users = dir.resolve("users");
        PasswordFileWriter.write(users, PasswordDatabase.empty("bench")
                .withUser("bench", ScramVerifier.of("bench-password".toCharArray())));
        System.out.printf("# %d connections per phase from %d threads; %d cores%n", connections, threads,
                Runtime.getRuntime().availableProcessors());
        long pbkdf2 = pbkdf2Nanos(200);
        System.out.printf("client PBKDF2-HMAC-SHA-256, %d iterations: %.2f ms%n", Scram.DEFAULT_ITERATIONS,
                pbkdf2 / 1e6);
        Phase plain = run(dir, "plain", null, null, connections, threads);
        Phase signed = run(dir, "scram", users, Credentials.of("bench", "bench-password"), connections, threads);
        System.out.println();
        System.out.println("| | p50 ms | p99 ms | connections/s | server CPU per connection |");
        System.out.println("|---|---|---|---|---|");
        for (Phase p : List.of(plain, signed)) {
            System.out.printf("| %s | %.2f | %.2f | %.0f | %.0f µs |%n", p.name, p.p50 / 1e6, p.p99 / 1e6,
                    p.perSecond, p.serverCpuPerConnection / 1e3);
        }
        System.out.printf("sign-on adds %.2f ms at p50 (%.1fx plain)%n", (signed.p50 - plain.p50) / 1e6,
                (double) signed.p50 / plain.p50);
    }

    private record Phase(String name, long p50, long p99, double perSecond, double serverCpuPerConnection) {
    }

    private static Phase run(Path dir, String name, Path users, Credentials credentials, int connections,
                             int threads) throws Exception {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, "<zeo>\n"
                + (users == null ? "" : "  authentication-protocol scram-sha-256\n  authentication-database " + users
                + "\n") + "</zeo>\n<mappingstorage 1>\n</mappingstorage>\n");
        try (ServerProcess server = ServerProcess.startWithConfig(conf, dir.resolve(name + ".log"), List.of(), 60)) {
            connectAll(server, credentials, Math.min(200, connections), threads);   // warm-up
            long cpuBefore = server.cpuNanos();
            long start = System.nanoTime();
            long[] latencies = connectAll(server, credentials, connections, threads);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = server.cpuNanos() - cpuBefore;
            Arrays.sort(latencies);
            return new Phase(name, latencies[latencies.length / 2], latencies[(int) (latencies.length * 0.99)],
                    connections / seconds, (double) cpu / connections);
        }
    }

    private static long[] connectAll(ServerProcess server, Credentials credentials, int connections, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                done.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try (AdminConnection c = AdminConnection.open(server.address(), "bench", Duration.ofSeconds(30))) {
                        if (credentials != null) {
                            c.signOn(credentials);
                        }
                        c.register("1", true);
                    }
                    return System.nanoTime() - t0;
                }));
            }
            long[] latencies = new long[connections];
            for (int i = 0; i < connections; i++) {
                latencies[i] = done.get(i).get();
            }
            return latencies;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long pbkdf2Nanos(int rounds) {
        byte[] salt = Scram.randomSalt();
        char[] password = "bench-password".toCharArray();
        for (int i = 0; i < rounds / 4; i++) {
            Scram.saltedPassword(password, salt, Scram.DEFAULT_ITERATIONS);
        }
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            Scram.saltedPassword(password, salt, Scram.DEFAULT_ITERATIONS);
        }
        return (System.nanoTime() - start) / rounds;
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
