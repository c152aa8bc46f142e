package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the XA log is compacted: by its growth since the last compaction, so the rewriting stays amortised. */
class XaCompactionTriggerTest {
    private static final long MIB = 1 << 20;

    @Test
    void aFreshLogIsCompactedPastTheThresholdOnceNoBranchIsPrepared() {
        assertThat(XaBranches.compactionDue(MIB, 0, MIB, true)).isFalse();
        assertThat(XaBranches.compactionDue(MIB + 1, 0, MIB, true)).isTrue();
        assertThat(XaBranches.compactionDue(MIB + 1, 0, MIB, false)).isFalse();
        assertThat(XaBranches.compactionDue(16 * MIB + 1, 0, MIB, false)).isTrue();
    }

    @Test
    void rememberedOutcomesLargerThanTheThresholdDoNotCompactAtEveryCommit() {
        long live = 3 * MIB; // what the last compaction kept: outcomes within their retention
        assertThat(XaBranches.compactionDue(live + 200, live, MIB, true)).isFalse();
        assertThat(XaBranches.compactionDue(live + MIB + 1, live, MIB, true)).isFalse();
        assertThat(XaBranches.compactionDue(2 * live + 1, live, MIB, true)).isTrue();
        assertThat(XaBranches.compactionDue(live + 16 * MIB, live, MIB, false)).isFalse();
        assertThat(XaBranches.compactionDue(live + 16 * MIB + 1, live, MIB, false)).isTrue();
    }

    @Test
    void aLiveSetLargerThanSixteenThresholdsForcesAtItsOwnSize() {
        long live = 40 * MIB;
        assertThat(XaBranches.compactionDue(live + 16 * MIB + 1, live, MIB, false)).isFalse();
        assertThat(XaBranches.compactionDue(2 * live + 1, live, MIB, false)).isTrue();
    }
}
