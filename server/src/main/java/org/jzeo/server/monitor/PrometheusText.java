package org.jzeo.server.monitor;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.jzeo.server.metrics.LatencyHistogram;

/**
 * The {@code /metrics} page: every storage's figures in the Prometheus text exposition format (version 0.0.4),
 * one metric family per figure with a {@code storage} label. Histograms have cumulative {@code _bucket} lines
 * ending at {@code le="+Inf"}, whose value equals {@code _count}.
 */
public final class PrometheusText {
    /** The Content-Type of the exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    public static String render(List<StorageFigures> storages) {
        StringBuilder out = new StringBuilder();
        gauge(out, storages, "jzeo_connections", "Clients registered with the storage.",
                StorageFigures::connections);
        counter(out, storages, "jzeo_loads_total", "Object loads served (loadBefore, loadSerial).",
                StorageFigures::loads);
        counter(out, storages, "jzeo_stores_total", "Object stores received (storea).", StorageFigures::stores);
        counter(out, storages, "jzeo_commits_total", "Transactions committed.", StorageFigures::commits);
        counter(out, storages, "jzeo_aborts_total", "Transactions aborted (tpc_abort, failed vote, disconnect).",
                StorageFigures::aborts);
        counter(out, storages, "jzeo_conflicts_total", "Conflict errors reported to clients.",
                StorageFigures::conflicts);
        counter(out, storages, "jzeo_conflicts_resolved_total", "Conflicts resolved on the server.",
                StorageFigures::conflictsResolved);
        List<StorageFigures> counting = storages.stream().filter(s -> s.lockWaits() >= 0).toList();
        counter(out, counting, "jzeo_lock_waits_total",
                "Object-lock acquisitions that had to wait for another transaction.", StorageFigures::lockWaits);
        gauge(out, storages, "jzeo_active_transactions", "Transactions between tpc_begin and their end.",
                StorageFigures::activeTransactions);
        gauge(out, storages, "jzeo_votes_waiting", "Votes in progress (waiting for object locks or checking).",
                StorageFigures::waiting);
        gaugeDouble(out, storages, "jzeo_last_transaction_timestamp_seconds",
                "Time of the last committed transaction (its tid), as epoch seconds; 0 when empty.",
                StorageFigures::lastTransactionEpochSeconds);
        gauge(out, storages, "jzeo_objects", "Objects in the storage.", StorageFigures::objects);
        gauge(out, storages, "jzeo_size_bytes", "Size of the storage in bytes.", StorageFigures::sizeBytes);
        histogram(out, storages, "jzeo_load_duration_seconds", "Server time of object loads.", true);
        histogram(out, storages, "jzeo_commit_duration_seconds", "Server time of commits (vote plus tpc_finish).",
                false);
        return out.toString();
    }

    private static void counter(StringBuilder out, List<StorageFigures> storages, String name, String help,
                                ToLongFunction<StorageFigures> value) {
        header(out, name, help, "counter");
        for (StorageFigures s : storages) {
            sample(out, name, s, "", Long.toString(value.applyAsLong(s)));
        }
    }

    private static void gauge(StringBuilder out, List<StorageFigures> storages, String name, String help,
                              ToLongFunction<StorageFigures> value) {
        header(out, name, help, "gauge");
        for (StorageFigures s : storages) {
            sample(out, name, s, "", Long.toString(value.applyAsLong(s)));
        }
    }

    private static void gaugeDouble(StringBuilder out, List<StorageFigures> storages, String name, String help,
                                    ToDoubleFunction<StorageFigures> value) {
        header(out, name, help, "gauge");
        for (StorageFigures s : storages) {
            sample(out, name, s, "", number(value.applyAsDouble(s)));
        }
    }

    private static void histogram(StringBuilder out, List<StorageFigures> storages, String name, String help,
                                  boolean loads) {
        header(out, name, help, "histogram");
        for (StorageFigures s : storages) {
            LatencyHistogram.Snapshot h = loads ? s.loadLatency() : s.commitLatency();
            double[] bounds = h.boundsSeconds();
            long[] counts = h.cumulativeCounts();
            for (int i = 0; i < bounds.length; i++) {
                sample(out, name + "_bucket", s, ",le=\"" + number(bounds[i]) + "\"", Long.toString(counts[i]));
            }
            sample(out, name + "_bucket", s, ",le=\"+Inf\"", Long.toString(h.count()));
            sample(out, name + "_sum", s, "", number(h.sumSeconds()));
            sample(out, name + "_count", s, "", Long.toString(h.count()));
        }
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, StorageFigures s, String moreLabels, String value) {
        out.append(name).append("{storage=\"").append(labelValue(s.name())).append('"').append(moreLabels)
                .append("} ").append(value).append('\n');
    }

    /** A label value with the format's escapes: backslash, double quote and line feed. */
    static String labelValue(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A float without exponent or trailing zeros ("0.00025", "1", "2.5"), as Prometheus clients print bounds. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
