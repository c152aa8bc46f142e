package org.jzeo.server.monitor;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The plain-text report of the {@code monitor-address} listener, in the layout of ZEO 4's monitor server: a
 * version line, the time, a blank line, then per storage a {@code Storage: name} line, one {@code Key: value}
 * line per figure and a blank line. ZEO 4's lines come first and unchanged; jzeo's additions follow. Every
 * figure line except {@code Server started} has exactly one colon and a number after it, so tools written for
 * ZEO 4's report (which split each line at the colon and parse a float) keep working.
 */
public final class MonitorReport {
    /** Python's {@code time.ctime()}: the day of the month padded with a space. */
    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private MonitorReport() {
    }

    public static String render(String version, ZonedDateTime now, List<StorageFigures> storages) {
        StringBuilder out = new StringBuilder();
        out.append("ZEO monitor server version ").append(version).append('\n');
        out.append(CTIME.format(now)).append('\n');
        out.append('\n');
        for (StorageFigures s : storages) {
            out.append("Storage: ").append(s.name()).append('\n');
            line(out, "Server started", s.started());
            line(out, "Clients", s.connections());
            // ZEO 5 and jzeo have no verification phase; kept so that ZEO 4 parsers find the line.
            line(out, "Clients verifying", 0);
            line(out, "Active transactions", s.activeTransactions());
            line(out, "Commits", s.commits());
            line(out, "Aborts", s.aborts());
            line(out, "Loads", s.loads());
            line(out, "Stores", s.stores());
            line(out, "Conflicts", s.conflicts());
            line(out, "Conflicts resolved", s.conflictsResolved());
            if (s.lockWaits() >= 0) {
                line(out, "Lock waits", s.lockWaits());
            }
            line(out, "Votes waiting", s.waiting());
            line(out, "Objects", s.objects());
            line(out, "Size", s.sizeBytes());
            line(out, "Last transaction time", decimal(s.lastTransactionEpochSeconds(), 6));
            line(out, "Load time mean ms", decimal(s.loadLatency().meanSeconds() * 1000, 3));
            line(out, "Commit time mean ms", decimal(s.commitLatency().meanSeconds() * 1000, 3));
            out.append('\n');
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }

    private static String decimal(double value, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", value);
    }
}
