package org.jzeo.server.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * How far a running pack has got: its phase and the work done of that phase's total. One immutable snapshot, so
 * the packing thread can publish it through a volatile field and any thread read it without locking.
 *
 * @param phase   what the pack is doing now
 * @param done    work done in this phase, in the phase's {@link Phase#unit() unit}
 * @param total   the phase's total (0 when unknown); in the phases that copy new transactions it grows with them
 * @param started when the pack began
 */
public record PackProgress(Phase phase, long done, long total, Instant started) {

    /** A pack's phases, in the order it runs them. */
    public enum Phase {
        /** Reading the transactions up to the pack time: which revision of each object is current then. */
        ANALYSING("analysing", "bytes"),
        /** Garbage collection: following references from the root through the revisions current at the pack time. */
        FINDING_REACHABLE("finding reachable objects", "objects"),
        /** Writing the kept revisions before the pack time to the new file. */
        COPYING("copying", "bytes"),
        /** Copying the transactions after the pack time, including those committed while packing. */
        COPYING_NEW("copying newer transactions", "bytes"),
        /** Commits stopped: the last transactions copied and the new file put in place. */
        SWAPPING("swapping in the packed file", "bytes");

        private final String label;
        private final String unit;

        Phase(String label, String unit) {
            this.label = label;
            this.unit = unit;
        }

        /** The phase in an operator's words, e.g. "copying". */
        public String label() {
            return label;
        }

        /** What {@link #done} and {@link #total} count: "bytes" or "objects". */
        public String unit() {
            return unit;
        }
    }

    public PackProgress {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(started, "started");
    }
}
