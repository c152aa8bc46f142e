package org.jzeo.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU a local PostgreSQL server spends, from {@code /proc}: its postmaster (found by the port on its command
 * line) with the children it has reaped, plus its live children (backends, checkpointer, WAL writer, autovacuum).
 * A backend alive at one reading and gone at the next is counted in both: first among the children, then in the
 * postmaster's cutime/cstime, so differences between two readings stay right.
 */
final class PostgresProcesses {
    private final long postmaster;

    private PostgresProcesses(long postmaster) {
        this.postmaster = postmaster;
    }

    /** The postgres server listening on {@code port}, started with {@code -p PORT} (as pg_ctl -o passes it). */
    static PostgresProcesses onPort(int port) throws IOException {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                List<String> args = commandLine(proc);
                if (!args.isEmpty() && args.get(0).endsWith("postgres")) {
                    int p = args.indexOf("-p");
                    if (p >= 0 && p + 1 < args.size() && args.get(p + 1).equals(Integer.toString(port))) {
                        return new PostgresProcesses(Long.parseLong(proc.getFileName().toString()));
                    }
                }
            }
        }
        throw new IOException("no postgres process started with -p " + port + " found in /proc");
    }

    long postmasterPid() {
        return postmaster;
    }

    /** The postmaster's and all its children's CPU so far, in ns, or -1 if the postmaster is gone. */
    long cpuNanos() {
        long total = ProcCpu.withReapedChildrenNanos(postmaster);
        if (total < 0) {
            return -1;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (ProcCpu.parent(pid) == postmaster) {
                    total += Math.max(0, ProcCpu.ownNanos(pid)); // 0 if it ended meanwhile: then it is in cutime
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    private static List<String> commandLine(Path proc) {
        try {
            String raw = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
