package org.jzeo.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jzeo.client.Credentials;
import org.jzeo.protocol.Requests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo pack}: zeopack. Packs storages of running servers over the ZEO protocol, each on its own read-only
 * connection (pack is allowed there), as of one pack time. While it waits it prints the pack's progress every
 * second (read with server_status on a second connection), then the time taken and the sizes before and after.
 * Exit status 0 when every storage was packed (or, with {@code --no-wait}, its pack started), 1 when any failed,
 * 2 for a usage error.
 */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack storages of running ZEO/jzeo servers (zeopack).",
            "The pack time is now, or --time, minus --days; history before it is removed and unreachable objects"
                + " are garbage-collected."})
final class PackCommand implements Callable<Integer> {
    @Parameters(paramLabel = "HOST:PORT[:STORAGE]", arity = "0..*",
            description = "A TCP server to pack (default 127.0.0.1:8100; also [ipv6]:port or a bare port on"
                    + " 127.0.0.1).")
    List<String> servers = new ArrayList<>();

    @Option(names = {"-u", "--unix"}, paramLabel = "PATH[:STORAGE]",
            description = "A Unix-socket server to pack (repeatable).")
    List<String> unixSockets = new ArrayList<>();

    @Option(names = {"-S", "--storage"}, paramLabel = "NAME", defaultValue = "1",
            description = "Storage for servers given without :STORAGE (default ${DEFAULT-VALUE}).")
    String storage;

    @Option(names = {"-d", "--days"}, paramLabel = "DAYS", defaultValue = "0",
            description = "Pack objects older than this many days before the pack time (default 0).")
    double days;

    @Option(names = {"-t", "--time"}, paramLabel = "TIME",
            description = "Pack time instead of now: HH[:MM[:SS]] today (local time), epoch seconds, or ISO-8601"
                    + " (2024-05-01, 2024-05-01T12:00, 2024-05-01T12:00:00Z).")
    String time;

    @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Wait until the pack has finished (default); --no-wait returns once it has started.")
    boolean waitForPack;

    @Mixin
    TimeoutOption timeout;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    CredentialOptions credentialOptions;

    /** How often a waiting pack shows its progress. */
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

    /** Progress replaces itself on one line on a terminal; plain lines otherwise. */
    boolean terminal = ProgressPrinter.stdoutIsATerminal();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<ServerSpec> targets = targets();
        double packTime;
        try {
            packTime = PackTime.resolve(time, days, Instant.now(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        AdminTls tls = tlsOptions.settings();
        Credentials credentials = credentialOptions.credentials();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean failed = false;
        for (ServerSpec target : targets) {
            try (AdminConnection c = open(target, tls, credentials)) {
                Instant asOf = Instant.ofEpochMilli((long) (packTime * 1000));
                if (waitForPack) {
                    out.println("jzeo pack: packed " + target.describe() + " as of " + asOf
                            + packAndWatch(c, target, tls, credentials, packTime, out));
                } else {
                    c.call(timeout.duration(), new Requests.Pack(packTime, false));
                    out.println("jzeo pack: started packing " + target.describe() + " as of " + asOf);
                }
            } catch (IOException | RuntimeException e) {
                err.printf("jzeo pack: %s: %s%n", target.describe(), Failures.describe(e));
                failed = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.printf("jzeo pack: %s: interrupted while waiting for the pack%n", target.describe());
                failed = true;
                break;
            }
            out.flush();
        }
        out.flush();
        err.flush();
        return failed ? 1 : 0;
    }

    /**
     * A read-only connection registered with the target's storage (ZEO allows pack there), signed on first when
     * credentials are given (packing then needs the admin right).
     */
    private AdminConnection open(ServerSpec target, AdminTls tls, Credentials credentials) throws IOException {
        AdminConnection c = AdminConnection.open(target.socketAddress(), target.address(), timeout.duration(), tls,
                credentials);
        try {
            c.register(target.storage(), true);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Packs and waits, showing the pack's progress every second while it runs; returns the rest of the summary:
     * " in 12.3 s; size 50.2 MB before, 12.0 MB after".
     */
    private String packAndWatch(AdminConnection c, ServerSpec target, AdminTls tls, Credentials credentials,
                                double packTime, PrintWriter out)
            throws IOException, InterruptedException {
        Long before = size(c);
        long started = System.nanoTime();
        CompletableFuture<Object> pack = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                pack.complete(c.call(null, new Requests.Pack(packTime, true)));
            } catch (IOException | RuntimeException e) {
                pack.completeExceptionally(e);
            }
        }, "jzeo-pack-call");
        caller.setDaemon(true);
        caller.start();
        ProgressPrinter printer = new ProgressPrinter(out, terminal);
        try (PackWatcher watcher = new PackWatcher(() -> open(target, tls, credentials), PROGRESS_INTERVAL, printer,
                "jzeo pack: " + target.describe() + ": ")) {
            watcher.await(pack);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Long after = size(c);
        String sizes = before == null || after == null ? ""
                : "; size " + ByteSize.format(before) + " before, " + ByteSize.format(after) + " after";
        return String.format(Locale.ROOT, " in %.1f s%s", seconds, sizes);
    }

    /** The storage's size as get_info reports it, or null when the server does not say. */
    private static Long size(AdminConnection c) throws IOException {
        return WireMaps.stringKeys(c.call("get_info"), "get_info").get("size") instanceof Number n
                ? n.longValue() : null;
    }

    List<ServerSpec> targets() {
        List<ServerSpec> targets = new ArrayList<>();
        try {
            for (String s : servers) {
                targets.add(ServerSpec.tcp(s, storage));
            }
            for (String s : unixSockets) {
                targets.add(ServerSpec.unix(s, storage));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (targets.isEmpty()) {
            targets.add(ServerSpec.defaultServer(storage)); // as up and status: jzeo serve's default address
        }
        return targets;
    }
}
