package org.jzeo.testing.crashfs;

/**
 * What one simulated power loss kept of the changes that were not durable.
 *
 * @param keepBias the chance each unforced change had to survive whole (0, 0.5 or 1, chosen from the seed)
 */
public record PowerLossReport(double keepBias, int writesKept, int writesLost, int writesTorn, int writesZeroed,
                              int entriesKept, int entriesLost) {

    /** Unforced writes or directory entries that did not survive whole. */
    public int damaged() {
        return writesLost + writesTorn + writesZeroed + entriesLost;
    }
}
