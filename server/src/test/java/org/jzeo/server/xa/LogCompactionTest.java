package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the XA log is compacted: by its growth since the last compaction, so the rewriting stays amortised. */
class LogCompactionTest {
    private static final long MIB = 1 << 20;

    @Test
    void aFreshLogIsCompactedPastTheThresholdOnceNoBranchIsPrepared() {
        assertThat(LogCompaction.compactionDue(MIB, 0, MIB, true)).isFalse();
        assertThat(LogCompaction.compactionDue(MIB + 1, 0, MIB, true)).isTrue();
        assertThat(LogCompaction.compactionDue(MIB + 1, 0, MIB, false)).isFalse();
        assertThat(LogCompaction.compactionDue(16 * MIB + 1, 0, MIB, false)).isTrue();
    }

    @Test
    void rememberedOutcomesLargerThanTheThresholdDoNotCompactAtEveryCommit() {
        long live = 3 * MIB; // what the last compaction kept: outcomes within their retention
        assertThat(LogCompaction.compactionDue(live + 200, live, MIB, true)).isFalse();
        assertThat(LogCompaction.compactionDue(live + MIB + 1, live, MIB, true)).isFalse();
        assertThat(LogCompaction.compactionDue(2 * live + 1, live, MIB, true)).isTrue();
        assertThat(LogCompaction.compactionDue(live + 16 * MIB, live, MIB, false)).isFalse();
        assertThat(LogCompaction.compactionDue(live + 16 * MIB + 1, live, MIB, false)).isTrue();
    }

    @Test
    void aLiveSetLargerThanSixteenThresholdsForcesAtItsOwnSize() {
        long live = 40 * MIB;
        assertThat(LogCompaction.compactionDue(live + 16 * MIB + 1, live, MIB, false)).isFalse();
        assertThat(LogCompaction.compactionDue(2 * live + 1, live, MIB, false)).isTrue();
    }
}
