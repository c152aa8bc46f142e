package org.jzeo.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jzeo.server.core.ServedStorage;

/**
 * server_status maps of one or more storages as a text table: one row per key (in the server's order), one
 * column per storage, left-aligned, with a header row naming the storages. nil prints as "-"; a running pack's
 * progress (jzeo's {@code pack-progress}) as "copying: 12.5 MB of 50.0 MB (25%)".
 */
final class StatusTable {
    private StatusTable() {
    }

    static String render(Map<String, Map<String, Object>> byStorage) {
        Set<String> keys = new LinkedHashSet<>();
        byStorage.values().forEach(status -> keys.addAll(status.keySet()));
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("storage");
        header.addAll(byStorage.keySet());
        rows.add(header);
        for (String key : keys) {
            List<String> row = new ArrayList<>();
            row.add(key);
            for (Map<String, Object> status : byStorage.values()) {
                row.add(cell(key, status.get(key)));
            }
            rows.add(row);
        }
        return layout(rows);
    }

    /** ZEO's server answers "stub" for the timeout thread when no transaction-timeout is set: say that. */
    private static final String NO_TIMEOUT = "no (no transaction-timeout)";

    private static String cell(String key, Object value) {
        if ("timeout-thread-is-alive".equals(key) && "stub".equals(value)) {
            return NO_TIMEOUT;
        }
        if (ServedStorage.PACK_PROGRESS.equals(key)) {
            Optional<PackProgressReport> pack = PackProgressReport.from(value);
            if (pack.isPresent()) {
                return pack.get().describe();
            }
        }
        if (value == null) {
            return "-";
        }
        if (value instanceof byte[] bytes) {
            StringBuilder hex = new StringBuilder();
            for (byte b : bytes) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        }
        if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return Long.toString(d.longValue());
        }
        return value.toString();
    }

    private static String layout(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row.get(i));
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
