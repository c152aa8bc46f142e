package org.jzeo.client.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TracingCache records what the cache did; CacheTrace reads it back; the simulator replays it. */
class CacheTraceTest {
    @TempDir
    Path dir;

    @Test
    void everyOperationIsTracedInOrder() throws IOException {
        Path trace = dir.resolve("cache.trace");
        try (TracingCache c = TracingCache.wrap(DiskCache.temporary(1 << 20), trace)) {
            c.loadBefore(Oid.of(1), Tid.of(5));
            c.store(Oid.of(1), Tid.of(4), null, new byte[30]);
            c.loadBefore(Oid.of(1), Tid.of(5));
            c.invalidate(Oid.of(1), Tid.of(6));
            c.drop(Oid.of(1));
            c.clear();
        }
        List<TraceEvent> events = CacheTrace.readAll(trace);
        assertThat(events).extracting(TraceEvent::type).containsExactly(TraceEvent.Type.LOAD_MISS,
                TraceEvent.Type.STORE, TraceEvent.Type.LOAD_HIT, TraceEvent.Type.INVALIDATE, TraceEvent.Type.DROP,
                TraceEvent.Type.CLEAR);
        assertThat(events.get(1)).extracting(TraceEvent::oid, TraceEvent::tid, TraceEvent::size)
                .containsExactly(1L, 4L, 30);
        assertThat(events.get(2).size()).isEqualTo(30);
        assertThat(events.get(3).tid()).isEqualTo(6L);
        assertThat(events.get(0).timeMillis()).isPositive();

        List<CacheSimulator.Result> r = CacheSimulator.compare(sink -> CacheTrace.replay(trace, sink),
                List.of(1L << 20));
        assertThat(r.get(0).hits()).isEqualTo(1);
        assertThat(r.get(0).misses()).isEqualTo(1);
    }

    @Test
    void appendingKeepsEarlierEventsAndACutTraceLosesOnlyItsLastRecord() throws IOException {
        Path trace = dir.resolve("cache.trace");
        for (int i = 0; i < 2; i++) {
            try (CacheTrace.Writer w = CacheTrace.append(trace)) {
                w.write(new TraceEvent(1, TraceEvent.Type.STORE, i, 2, 3));
            }
        }
        assertThat(CacheTrace.readAll(trace)).hasSize(2);
        byte[] all = Files.readAllBytes(trace);
        Files.write(trace, java.util.Arrays.copyOf(all, all.length - 3));
        assertThat(CacheTrace.readAll(trace)).hasSize(1);
    }

    @Test
    void aFileThatIsNotATraceIsRefused() throws IOException {
        Path other = dir.resolve("other");
        Files.writeString(other, "not a trace");
        assertThatThrownBy(() -> CacheTrace.readAll(other)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a jzeo cache trace");
        assertThatThrownBy(() -> CacheTrace.append(other)).isInstanceOf(IOException.class);
    }
}
