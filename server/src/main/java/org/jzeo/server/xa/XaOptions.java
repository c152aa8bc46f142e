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
 * @param compactThreshold  how many bytes the prepared log grows past its size after the last compaction (and
 *                          at least by that size) before it is compacted once no branch is prepared (default
 *                          1 MiB); it is also compacted at every start
 * @param outcomeLimit      {@code xa-outcome-limit}: how many completed outcomes are remembered at most; past it
 *                          the oldest are forgotten before their retention ends (each costs a few hundred bytes of
 *                          heap, and a day of outcomes at a high XA rate would not fit); heuristic outcomes
 *                          count too but are never forgotten for it (they wait for {@code xa_forget})
 */
public record XaOptions(Optional<Duration> heuristicTimeout, Duration outcomeRetention, long compactThreshold,
                        int outcomeLimit) {
    public static final Duration DEFAULT_OUTCOME_RETENTION = Duration.ofHours(24);
    public static final long DEFAULT_COMPACT_THRESHOLD = 1 << 20;
    /** About 30 MB of heap; minutes of outcomes even at the highest XA rates measured (bench/README.md). */
    public static final int DEFAULT_OUTCOME_LIMIT = 100_000;

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
        if (outcomeLimit < 1) {
            throw new IllegalArgumentException("xa-outcome-limit must be 1 or more: " + outcomeLimit);
        }
    }

    public static XaOptions defaults() {
        return new XaOptions(Optional.empty(), DEFAULT_OUTCOME_RETENTION, DEFAULT_COMPACT_THRESHOLD,
                DEFAULT_OUTCOME_LIMIT);
    }
}
