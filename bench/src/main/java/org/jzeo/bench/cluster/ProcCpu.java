package org.jzeo.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/PID/stat}: user + system, optionally with the CPU of its children that
 * it has already waited for (cutime, cstime). Linux's USER_HZ is 100: the readings have 10 ms ticks.
 */
final class ProcCpu {
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private ProcCpu() {
    }

    /** utime + stime of {@code pid} in ns, or -1 if the process is gone or unreadable. */
    static long ownNanos(long pid) {
        long[] f = fields(pid);
        return f == null ? -1 : (f[UTIME] + f[STIME]) * NANOS_PER_TICK;
    }

    /**
     * utime + stime + cutime + cstime of {@code pid} in ns, or -1: the process and its children that ended and were
     * reaped. A parent that reaps its children (PostgreSQL's postmaster does) thus keeps their CPU once they exit.
     */
    static long withReapedChildrenNanos(long pid) {
        long[] f = fields(pid);
        return f == null ? -1 : (f[UTIME] + f[STIME] + f[CUTIME] + f[CSTIME]) * NANOS_PER_TICK;
    }

    /** The parent pid of {@code pid}, or -1. */
    static long parent(long pid) {
        long[] f = fields(pid);
        return f == null ? -1 : f[PPID];
    }

    // Indexes into the fields after "(comm) ": state is 0, so field N of proc(5) is at N - 3.
    private static final int PPID = 1;
    private static final int UTIME = 11;
    private static final int STIME = 12;
    private static final int CUTIME = 13;
    private static final int CSTIME = 14;

    private static long[] fields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // comm may hold spaces and parentheses: the fields start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long[] values = new long[CSTIME + 1];
            for (int i = PPID; i <= CSTIME; i++) {
                values[i] = Long.parseLong(f[i]);
            }
            return values;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
