package org.jzeo.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsAreCumulativeAndTheCountIsTheInfBucket() {
        LatencyHistogram h = new LatencyHistogram(new double[] {0.001, 0.01, 0.1});
        h.record(500_000);        // 0.5 ms
        h.record(1_000_000);      // exactly 1 ms: le="0.001" includes it
        h.record(5_000_000);      // 5 ms
        h.record(2_000_000_000L); // 2 s: only +Inf

        LatencyHistogram.Snapshot s = h.snapshot();

        assertThat(s.cumulativeCounts()).containsExactly(2, 3, 3, 4);
        assertThat(s.count()).isEqualTo(4);
        assertThat(s.sumSeconds()).isCloseTo(2.0065, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.meanSeconds()).isCloseTo(2.0065 / 4, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void negativeDurationsCountAsZeroAndAnEmptyHistogramHasMeanZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.snapshot().meanSeconds()).isZero();

        h.record(-5);

        assertThat(h.snapshot().cumulativeCounts()[0]).isEqualTo(1);
        assertThat(h.snapshot().sumSeconds()).isZero();
    }

    @Test
    void boundsMustIncrease() {
        assertThatThrownBy(() -> new LatencyHistogram(new double[] {0.1, 0.1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LatencyHistogram(new double[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentRecordingLosesNothing() throws InterruptedException {
        LatencyHistogram h = new LatencyHistogram();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    h.record(i * 1000L);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(h.snapshot().count()).isEqualTo(40_000);
    }
}
