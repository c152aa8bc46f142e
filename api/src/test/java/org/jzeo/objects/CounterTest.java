package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;

/** The size counter (BTrees.Length): concurrent additions add up, never conflict. */
class CounterTest {
    private final States states = new States();

    @Test
    void addsSetsAndMarksChangesOnlyWhenTheValueMoves() {
        Counter c = new Counter(3);
        assertThat(c.add(4)).isEqualTo(7);
        assertThat(c.jzeoChanged).isTrue();
        c.jzeoChanged = false;
        c.add(0);
        c.set(7);
        assertThat(c.jzeoChanged).isFalse();
        c.set(-2);
        assertThat(c.get()).isEqualTo(-2);
        assertThat(c.jzeoChanged).isTrue();
    }

    @Test
    void concurrentAdditionsMergeAsMinePlusCommittedMinusOld() {
        Counter old = new Counter(10);
        Counter committed = states.copy(old);
        Counter mine = states.copy(old);
        committed.add(5);
        mine.add(-3);
        Counter merged = (Counter) states.copy(mine).resolveConflict(states.copy(old), states.copy(committed));
        assertThat(merged.get()).isEqualTo(12);
        assertThat(new Counter(1).resolveConflict(null, new Counter(2))).as("made by both").isNull();
    }

    @Test
    void theSessionMergesCounterStates() {
        ObjectSession session = new ObjectSession(States.CODEC, null, 10);
        Oid oid = Oid.of(3);
        StoredObject merged = session.resolve(oid, stored(oid, new Counter(100)), stored(oid, new Counter(101)),
                stored(oid, new Counter(150)));
        assertThat(((Counter) states.decode(merged.payload())).get()).isEqualTo(151);
    }

    private StoredObject stored(Oid oid, Counter c) {
        return new StoredObject(oid, Tid.of(1), states.encode(c), List.of());
    }
}
