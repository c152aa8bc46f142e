package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** S3-FIFO against FIFO on the same traces: a property of the policies, not of timing. */
class CacheSimulatorTest {
    private static final int OBJECTS = 20_000;
    private static final long LOADS = 400_000;

    @Test
    void s3FifoBeatsFifoOnZipfAtEverySize() throws Exception {
        CacheSimulator.TraceSource zipf = SyntheticTraces.zipf(OBJECTS, LOADS, 1.0, SyntheticTraces.DEFAULT_SEED);
        assertBeatsFifo(zipf);
    }

    @Test
    void s3FifoBeatsFifoOnScansAtEverySize() throws Exception {
        CacheSimulator.TraceSource scan = SyntheticTraces.scan(OBJECTS, LOADS, SyntheticTraces.DEFAULT_SEED);
        assertBeatsFifo(scan);
    }

    private static void assertBeatsFifo(CacheSimulator.TraceSource trace) throws Exception {
        List<Long> sizes = CacheSimulator.defaultSizes(CacheSimulator.workingSetBytes(trace));
        List<CacheSimulator.Result> results = CacheSimulator.compare(trace, sizes);
        assertThat(results).hasSize(6);
        for (int i = 0; i < results.size(); i += 2) {
            CacheSimulator.Result s3 = results.get(i);
            CacheSimulator.Result fifo = results.get(i + 1);
            assertThat(s3.policy()).isEqualTo("s3-fifo");
            assertThat(fifo.policy()).isEqualTo("fifo");
            assertThat(s3.hits() + s3.misses()).isEqualTo(LOADS);
            assertThat(s3.hitRatio()).as("S3-FIFO vs FIFO at %d bytes", s3.cacheBytes())
                    .isGreaterThan(fifo.hitRatio());
        }
    }

    @Test
    void workingSetCountsEveryObjectOnceWithItsRecordSize() throws Exception {
        CacheSimulator.TraceSource zipf = SyntheticTraces.zipf(100, 10_000, 1.0, 1);
        long ws = CacheSimulator.workingSetBytes(zipf);
        assertThat(ws).isLessThanOrEqualTo(CacheFileFormat.DATA_START + 100 * CacheFileFormat.blockSize(300));
        assertThat(ws).isGreaterThan(CacheFileFormat.DATA_START + 90 * CacheFileFormat.blockSize(300));
    }

    @Test
    void invalidationsDropsAndClearAreReplayed() throws Exception {
        List<TraceEvent> events = List.of(
                new TraceEvent(0, TraceEvent.Type.LOAD_MISS, 1, 5, 0),
                new TraceEvent(0, TraceEvent.Type.STORE, 1, 4, 100),
                new TraceEvent(0, TraceEvent.Type.LOAD_HIT, 1, 5, 100),
                new TraceEvent(0, TraceEvent.Type.INVALIDATE, 1, 6, 0),
                new TraceEvent(0, TraceEvent.Type.LOAD_MISS, 1, 7, 0),
                new TraceEvent(0, TraceEvent.Type.LOAD_HIT, 1, 7, 100),
                new TraceEvent(0, TraceEvent.Type.CLEAR, 0, 0, 0),
                new TraceEvent(0, TraceEvent.Type.LOAD_MISS, 1, 7, 0));
        List<CacheSimulator.Result> r = CacheSimulator.compare(sink -> events.forEach(sink), List.of(1L << 20));
        assertThat(r.get(0).hits()).isEqualTo(2);
        assertThat(r.get(0).misses()).isEqualTo(3);
    }
}
