package org.jzeo.server.xa;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a server keeps XA branches (xa-mapping spec, "Timeouts" and "What the server keeps durable").
 *
 * @param heuristicTimeout  {@code xa-heuristic-timeout}: how long a prepared branch may wait for its commit or
 *                          rollback before the server rolls it back heuristically (never less than the branch's own
 *                          transaction timeout); empty (the default): never
 * @param outcomeRetention  {@code xa-outcome-retention}: how long the outcome of a completed branch is remembered
 *                          for repeated commits and rollbacks (default 24 hours); heuristic outcomes are kept until
 *                          {@code xa_forget} whatever this says
 * @param compactThreshold  the prepared log's size in bytes above which it is compacted once no branch is
 *                          prepared (default 1 MiB); it is also compacted at every start
 */
public record XaOptions(Optional<Duration> heuristicTimeout, Duration outcomeRetention, long compactThreshold) {
    public static final Duration DEFAULT_OUTCOME_RETENTION = Duration.ofHours(24);
    public static final long DEFAULT_COMPACT_THRESHOLD = 1 << 20;

    public XaOptions {
        Objects.requireNonNull(heuristicTimeout, "heuristicTimeout");
        Objects.requireNonNull(outcomeRetention, "outcomeRetention");
        heuristicTimeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("xa-heuristic-timeout must be positive: " + t);
            }
        });
        if (outcomeRetention.isNegative()) {
            throw new IllegalArgumentException("xa-outcome-retention must not be negative: " + outcomeRetention);
        }
    }

    public static XaOptions defaults() {
        return new XaOptions(Optional.empty(), DEFAULT_OUTCOME_RETENTION, DEFAULT_COMPACT_THRESHOLD);
    }
}
