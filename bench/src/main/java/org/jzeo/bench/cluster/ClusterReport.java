package org.jzeo.bench.cluster;

import java.util.List;
import java.util.Locale;
import org.jzeo.bench.BenchSupport;

/** The tool's output: a progress line per measurement, then Markdown tables and RESULT lines. */
final class ClusterReport {
    private ClusterReport() {
    }

    static void progress(ThroughputSample s) {
        if (s.phase().equals("idle")) {
            System.out.printf(Locale.ROOT, "idle   %-16s no clients, %.1f s: jzeo servers %s of a core, PostgreSQL %s"
                            + "  load avg %s%n", s.label(), s.cpuSeconds(), percent(s.share(s.serverCpu())),
                    percent(s.share(s.postgresCpu())), BenchSupport.loadAverage());
            return;
        }
        System.out.printf(Locale.ROOT, "%-6s %-16s connections=%-3d ops=%-8d %10s ops/s  jzeo servers CPU %s µs/op"
                        + " (%s of a core)  PostgreSQL CPU %s µs/op (%s)  client CPU %s µs/op  load avg %s%s%n",
                s.phase(), s.label(), s.connections(), s.ops(), BenchSupport.rate(s.rate()),
                micros(s.perOp(s.serverCpu())), percent(s.share(s.serverCpu())), micros(s.perOp(s.postgresCpu())),
                percent(s.share(s.postgresCpu())), micros(s.perOp(s.clientCpu())), BenchSupport.loadAverage(),
                s.failure() == null ? "" : "  FAILED: " + s.failure());
    }

    static void progress(LatencySample s) {
        System.out.printf(Locale.ROOT, "invalidation %-16s %-22s commits=%d after the reply: p50 %s ms p99 %s ms"
                        + " max %s ms; after the request: p50 %s ms; lost %d  load avg %s%s%n", s.label(), s.route(),
                s.count(), millis(LatencySample.quantile(s.fromReply(), 0.5)),
                millis(LatencySample.quantile(s.fromReply(), 0.99)), millis(LatencySample.max(s.fromReply())),
                millis(LatencySample.quantile(s.fromRequest(), 0.5)), s.lost(), BenchSupport.loadAverage(),
                s.failure() == null ? "" : "  FAILED: " + s.failure());
    }

    static void progress(CopyThroughput.Result r) {
        System.out.printf(Locale.ROOT, "copy %s: %,.1f MB in %.1f s = %.1f MB/s%s%s%n", r.direction(),
                r.bytes() / 1048576.0, r.seconds(), r.megabytesPerSecond(),
                r.summary().isEmpty() ? "" : "  (its summary: " + r.summary() + ")",
                r.failure() == null ? "" : "  FAILED: " + r.failure());
    }

    static void throughputTable(String phase, String title, List<ThroughputSample> samples) {
        List<ThroughputSample> rows = samples.stream().filter(s -> s.phase().equals(phase)).toList();
        if (rows.isEmpty()) {
            return;
        }
        double onePostgres = rows.stream().filter(s -> s.storage().equals("PostgreSQL") && s.servers() == 1
                && s.failure() == null).mapToDouble(ThroughputSample::rate).findFirst().orElse(Double.NaN);
        System.out.println();
        System.out.println("### " + title);
        System.out.println();
        System.out.println("| Storage | Servers | Connections | ops/s | ops/s vs 1 PostgreSQL server"
                + " | jzeo servers CPU µs/op | PostgreSQL CPU µs/op | jzeo + PostgreSQL CPU µs/op"
                + " | jzeo servers, % of a core | PostgreSQL, % of a core | client CPU µs/op |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (ThroughputSample s : rows) {
            boolean pg = s.storage().equals("PostgreSQL");
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", s.storage(),
                    s.servers(), s.connections(), s.failure() != null ? "failed" : BenchSupport.rate(s.rate()),
                    pg && s.failure() == null ? ratio(s.rate(), onePostgres) : "—", micros(s.perOp(s.serverCpu())),
                    pg ? micros(s.perOp(s.postgresCpu())) : "—", micros(s.perOp(s.storageSideCpu())),
                    percent(s.share(s.serverCpu())), pg ? percent(s.share(s.postgresCpu())) : "—",
                    micros(s.perOp(s.clientCpu())));
        }
    }

    static void idleTable(List<ThroughputSample> samples) {
        List<ThroughputSample> rows = samples.stream().filter(s -> s.phase().equals("idle")).toList();
        if (rows.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("### Idle: CPU with no client connected, before each step's phases");
        System.out.println();
        System.out.println("| Storage | Servers | Seconds | jzeo servers, % of a core | PostgreSQL, % of a core |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (ThroughputSample s : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %s | %s |%n", s.storage(), s.servers(), s.cpuSeconds(),
                    percent(s.share(s.serverCpu())), s.storage().equals("PostgreSQL")
                            ? percent(s.share(s.postgresCpu())) : "—");
        }
    }

    static void latencyTable(List<LatencySample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("### Invalidation latency: committer's tpc_finish reply → listener's invalidated(tid)");
        System.out.println();
        System.out.println("| Storage | Servers | Committer → listener | Commits | p50 ms | p99 ms | max ms | min ms"
                + " | from tpc_finish sent: p50 ms | p99 ms | Lost |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (LatencySample s : samples) {
            long[] reply = s.fromReply();
            long[] request = s.fromRequest();
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %d | %s | %s | %s | %s | %s | %s | %d%s |%n",
                    s.storage(), s.servers(), s.route(), s.count(), millis(LatencySample.quantile(reply, 0.5)),
                    millis(LatencySample.quantile(reply, 0.99)), millis(LatencySample.max(reply)),
                    millis(LatencySample.min(reply)), millis(LatencySample.quantile(request, 0.5)),
                    millis(LatencySample.quantile(request, 0.99)), s.lost(),
                    s.failure() == null ? "" : " (failed)");
        }
    }

    static void copyTable(List<CopyThroughput.Result> results) {
        if (results.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("### jzeo copy (wall time of the command, JVM start included)");
        System.out.println();
        System.out.println("| Direction | Data.fs MB | Seconds | MB/s | The command's summary |");
        System.out.println("|---|---:|---:|---:|---|");
        for (CopyThroughput.Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %,.1f | %.1f | %s | %s |%n", r.direction(), r.bytes() / 1048576.0,
                    r.seconds(), r.failure() == null ? String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond())
                            : "failed", r.summary().replace("|", "\\|"));
        }
    }

    static void results(List<ThroughputSample> throughput, List<LatencySample> latency,
                        List<CopyThroughput.Result> copies) {
        System.out.println();
        for (ThroughputSample s : throughput) {
            if (s.phase().equals("idle")) {
                System.out.printf(Locale.ROOT, "RESULT idle %s servers=%d jzeo_cpu_core_share=%s"
                                + " postgres_cpu_core_share=%s%n", s.storage(), s.servers(),
                        share(s.share(s.serverCpu())), share(s.share(s.postgresCpu())));
                continue;
            }
            System.out.printf(Locale.ROOT, "RESULT %s %s servers=%d connections=%d ops_per_s=%s jzeo_cpu_us_per_op=%s"
                            + " postgres_cpu_us_per_op=%s%s%n", s.phase(), s.storage(), s.servers(), s.connections(),
                    s.failure() == null ? String.format(Locale.ROOT, "%.0f", s.rate()) : "failed",
                    micros(s.perOp(s.serverCpu())), micros(s.perOp(s.postgresCpu())),
                    s.failure() == null ? "" : " FAILED");
        }
        for (LatencySample s : latency) {
            System.out.printf(Locale.ROOT, "RESULT invalidation %s servers=%d route=\"%s\" commits=%d p50_ms=%s"
                            + " p99_ms=%s max_ms=%s from_request_p50_ms=%s lost=%d%s%n", s.storage(), s.servers(),
                    s.route(), s.count(), millis(LatencySample.quantile(s.fromReply(), 0.5)),
                    millis(LatencySample.quantile(s.fromReply(), 0.99)), millis(LatencySample.max(s.fromReply())),
                    millis(LatencySample.quantile(s.fromRequest(), 0.5)), s.lost(),
                    s.failure() == null ? "" : " FAILED");
        }
        for (CopyThroughput.Result r : copies) {
            System.out.printf(Locale.ROOT, "RESULT copy \"%s\" mb=%.1f seconds=%.1f mb_per_s=%s%n", r.direction(),
                    r.bytes() / 1048576.0, r.seconds(), r.failure() == null
                            ? String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond()) : "failed");
        }
    }

    static String micros(double v) {
        return v < 0 || Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, v < 100 ? "%.1f" : "%.0f", v);
    }

    static String percent(double share) {
        return share < 0 || Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String share(double v) {
        return v < 0 || Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "—" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
