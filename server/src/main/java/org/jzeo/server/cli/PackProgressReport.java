package org.jzeo.server.cli;

import java.util.Map;
import java.util.Optional;

/**
 * A running pack's progress as server_status's {@code pack-progress} entry carries it (a map: phase, done, total,
 * unit, started), whether it came over msgpack or in the {@code ruok} probe's JSON.
 *
 * @param phase the phase in the server's words, e.g. "copying"
 * @param done  work done in this phase
 * @param total the phase's total (0: unknown)
 * @param unit  "bytes" or "objects"
 */
record PackProgressReport(String phase, long done, long total, String unit) {

    /** The report in {@code value}, or empty when it is not one (an older or another server's entry). */
    static Optional<PackProgressReport> from(Object value) {
        Map<String, Object> m = WireMaps.ifMap(value).orElse(Map.of());
        if (!(m.get("done") instanceof Number done) || !(m.get("total") instanceof Number total)
                || m.get("phase") == null) {
            return Optional.empty();
        }
        Object unit = m.get("unit");
        return Optional.of(new PackProgressReport(WireMaps.text(m.get("phase")), done.longValue(), total.longValue(),
                unit == null ? "bytes" : WireMaps.text(unit)));
    }

    /** "copying: 12.5 MB of 50.0 MB (25%)", "finding reachable objects: 1 of 2 objects (50%)". */
    String describe() {
        if (total <= 0) {
            return phase + ": " + amount(done);
        }
        long percent = Math.min(100, done * 100 / total);
        String doneText = bytes() ? ByteSize.format(done) : Long.toString(done);
        return phase + ": " + doneText + " of " + amount(total) + " (" + percent + "%)";
    }

    private boolean bytes() {
        return "bytes".equals(unit);
    }

    private String amount(long n) {
        return bytes() ? ByteSize.format(n) : n + " " + unit;
    }
}
