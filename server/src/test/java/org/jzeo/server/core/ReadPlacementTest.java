package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rule that moves one-record reads between the event loop and the read pool, on a clock the test turns. */
class ReadPlacementTest {
    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final ReadPlacement placement = new ReadPlacement("1", now::get);

    private static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private void advance(long ms) {
        now.addAndGet(millis(ms));
    }

    @Test
    void fastReadsStayOnTheEventLoop() {
        for (int i = 0; i < 100_000; i++) {
            placement.took(TimeUnit.MICROSECONDS.toNanos(900));
        }
        assertThat(placement.inline()).isTrue();
    }

    @Test
    void oneLongPauseBelowTheBudgetIsNotASlowDisk() {
        placement.took(millis(40));
        advance(1_000);
        placement.took(millis(40));
        assertThat(placement.inline()).as("40 ms in each of two windows").isTrue();
    }

    @Test
    void aFewSlowReadsAmongManyFastOnesAreABusyMachineNotASlowDisk() {
        for (int i = 0; i < 10_000; i++) {
            placement.took(TimeUnit.MICROSECONDS.toNanos(5));
        }
        for (int i = 0; i < 10; i++) {
            placement.took(millis(10));
        }
        assertThat(placement.inline()).as("100 ms of slow reads, 10 in 10 010").isTrue();
        for (int i = 0; i < 200; i++) {
            placement.took(millis(10));
        }
        assertThat(placement.inline()).as("210 slow reads in 10 210: one in 50").isFalse();
    }

    @Test
    void slowReadsAddingUpToTheBudgetWithinAWindowMoveReadsToThePool() {
        placement.took(millis(20));
        advance(300);
        placement.took(millis(20));
        assertThat(placement.inline()).isTrue();
        advance(300);
        placement.took(millis(10));
        assertThat(placement.inline()).as("50 ms of slow reads within a second").isFalse();
    }

    @Test
    void readsComeBackAfterAQuietPeriodWithoutSlowReads() {
        placement.took(millis(60));
        assertThat(placement.inline()).isFalse();
        advance(9_000);
        placement.took(millis(5)); // a slow read on the pool: the disk is still slow
        advance(9_000);
        assertThat(placement.inline()).as("9 s after the last slow read").isFalse();
        advance(1_000);
        assertThat(placement.inline()).as("10 s after the last slow read").isTrue();
        placement.took(millis(45));
        assertThat(placement.inline()).as("the budget starts again").isTrue();
    }
}
