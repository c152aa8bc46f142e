package org.jzeo.client.cache;

/**
 * What {@link DiskCache} found when it opened its file: a new file, a file reused with its entries, or a file
 * discarded (moved to {@code <file>.bad}) for {@code reason}.
 */
public record OpenReport(Outcome outcome, String reason) {
    /** How the file was opened. */
    public enum Outcome {
        CREATED, REUSED, DISCARDED
    }

    public boolean wasDiscarded() {
        return outcome == Outcome.DISCARDED;
    }
}
