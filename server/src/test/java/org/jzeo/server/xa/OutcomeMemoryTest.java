package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.junit.jupiter.api.Test;

/** Remembered outcomes: bounded by the limit and the retention, heuristic ones kept until forgotten. */
class OutcomeMemoryTest {
    private static final long NOW = 1_000_000_000L;

    private static WireXid xid(int n) {
        return new WireXid(1, ("outcome-" + n).getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static OutcomeMemory memory(Duration retention, int limit) {
        XaOptions options = new XaOptions(Optional.empty(), retention, XaOptions.DEFAULT_COMPACT_THRESHOLD, limit);
        return new OutcomeMemory("1", new MemoryStorage("1"), options,
                InstantSource.fixed(Instant.ofEpochMilli(NOW)));
    }

    @Test
    void trimForgetsTheOldestCompletedOutcomesButNoHeuristicOne() {
        OutcomeMemory memory = memory(Duration.ofHours(1), 2);
        memory.put(xid(1), Outcome.heuristic(NOW, null));
        memory.put(xid(2), Outcome.committed(NOW, Tid.of(5), List.of(Oid.of(1))));
        memory.put(xid(3), Outcome.rolledBack(NOW));
        memory.put(xid(4), Outcome.committed(NOW, Tid.of(6), List.of()));

        memory.trim();

        assertThat(memory.size()).isEqualTo(2);
        assertThat(memory.contains(xid(1))).as("heuristic, waits for xa_forget").isTrue();
        assertThat(memory.contains(xid(2))).isFalse();
        assertThat(memory.contains(xid(3))).isFalse();
        assertThat(memory.contains(xid(4))).isTrue();
    }

    @Test
    void outcomesPastTheRetentionAreForgottenExceptHeuristicOnes() {
        OutcomeMemory memory = memory(Duration.ofSeconds(10), 100);
        memory.put(xid(1), Outcome.committed(NOW - 11_000, Tid.of(5), List.of()));
        memory.put(xid(2), Outcome.heuristic(NOW - 11_000, null));
        memory.put(xid(3), Outcome.rolledBack(NOW - 9_000));

        memory.forgetExpired();

        assertThat(memory.contains(xid(1))).isFalse();
        assertThat(memory.heuristic()).containsExactly(xid(2));
        assertThat(memory.contains(xid(3))).isTrue();
    }

    @Test
    void theRecordsRememberEveryOutcomeOldestFirst() {
        OutcomeMemory memory = memory(Duration.ofHours(1), 100);
        memory.put(xid(1), Outcome.committed(NOW, Tid.of(5), List.of(Oid.of(7))));
        memory.put(xid(2), Outcome.rolledBack(NOW));
        memory.put(xid(3), Outcome.heuristic(NOW, null));

        assertThat(memory.records()).containsExactly(
                new XaLogRecord.Committed(xid(1), NOW, Tid.of(5), List.of(Oid.of(7))),
                new XaLogRecord.RolledBack(xid(2), NOW),
                new XaLogRecord.HeuristicRollback(xid(3), NOW, ""));
    }
}
