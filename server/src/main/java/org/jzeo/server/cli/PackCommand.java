package org.jzeo.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jzeo.protocol.Requests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo pack}: zeopack. Packs storages of running servers over the ZEO protocol, each on its own read-only
 * connection (pack is allowed there), as of one pack time. Exit status 0 when every storage was packed (or, with
 * {@code --no-wait}, its pack started), 1 when any failed, 2 for a usage error.
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean failed = false;
        for (ServerSpec target : targets) {
            try (AdminConnection c = AdminConnection.open(target.socketAddress(), target.address(),
                    timeout.duration())) {
                c.register(target.storage(), true);
                c.call(waitForPack ? null : timeout.duration(), new Requests.Pack(packTime, waitForPack));
                out.printf("jzeo pack: %s %s as of %s%n", waitForPack ? "packed" : "started packing",
                        target.describe(), Instant.ofEpochMilli((long) (packTime * 1000)));
            } catch (IOException | RuntimeException e) {
                err.printf("jzeo pack: %s: %s%n", target.describe(), Failures.describe(e));
                failed = true;
            }
        }
        out.flush();
        err.flush();
        return failed ? 1 : 0;
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
