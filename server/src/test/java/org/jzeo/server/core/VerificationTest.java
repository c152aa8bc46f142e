package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache verification after a reconnect (zeo-protocol §9): a client that was away asks getInvalidations(its last
 * tid) and is told which oids changed, that nothing changed, or (nil) that it must drop its cache.
 */
class VerificationTest {
    @TempDir
    Path dir;

    /** getInvalidations' reply as [tid, oids], or null for nil. */
    private record Answer(Tid tid, List<Oid> oids) {
    }

    private static Answer getInvalidations(ZeoTestClient client, Tid since) {
        Object reply = client.call("getInvalidations", since);
        if (reply == null) {
            return null;
        }
        List<?> pair = (List<?>) reply;
        assertThat(pair).as("getInvalidations reply [tid, oids]").hasSize(2);
        List<Oid> oids = ((List<?>) pair.get(1)).stream().map(o -> Oid.fromBytes((byte[]) o)).toList();
        return new Answer(WireCommits.tid(pair.get(0), "getInvalidations tid"), oids);
    }

    @Test
    void aReconnectingClientLearnsWhatChangedWhileItWasAway() throws Exception {
        Path data = dir.resolve("Data.fs");
        Oid x;
        Oid y;
        Oid z;
        Tid away;
        Tid latest;
        try (RunningServer server = TestServers.start(data)) {
            try (ZeoTestClient other = WireCommits.connect(server)) {
                List<Oid> oids = other.newOids(4);
                x = oids.get(0);
                y = oids.get(1);
                z = oids.get(2);
                Oid untouched = oids.get(3);
                try (ZeoTestClient client = WireCommits.connect(server)) {
                    Tid t0 = client.commit(1, Map.of(x, text("x0"), y, text("y0"), z, text("z0"),
                            untouched, text("u0")), Map.of());
                    away = client.lastTransaction();
                    assertThat(away).isEqualTo(t0);
                }
                // While the client is away: three commits, y twice.
                Tid t1 = other.commit(2, Map.of(x, text("x1")), Map.of(x, away));
                Tid t2 = other.commit(3, Map.of(y, text("y1")), Map.of(y, away));
                latest = other.commit(4, Map.of(y, text("y2"), z, text("z1")), Map.of(y, t2, z, away));
                assertThat(List.of(t1, t2, latest)).isSorted();
            }

            try (ZeoTestClient client = ZeoTestClient.connect(TestServers.address(server))) {
                assertThat(client.register("1", false)).as("register returns the storage's last transaction")
                        .isEqualTo(latest);
                Answer hit = getInvalidations(client, away);
                assertThat(hit).as("getInvalidations(the tid the client left at) is a hit").isNotNull();
                assertThat(hit.tid()).as("the newest tid").isEqualTo(latest);
                assertThat(hit.oids()).as("every oid changed while away, once each, and no other")
                        .containsExactlyInAnyOrder(x, y, z);

                Answer upToDate = getInvalidations(client, latest);
                assertThat(upToDate).as("getInvalidations(latest)").isEqualTo(new Answer(latest, List.of()));
                assertThat(client.anomalies()).isEmpty();
            }
        }

        // The queue is rebuilt from the file when the server starts: the same question gets the same answer.
        try (RunningServer restarted = TestServers.start(data);
             ZeoTestClient client = WireCommits.connect(restarted)) {
            Answer hit = getInvalidations(client, away);
            assertThat(hit).as("after a restart, getInvalidations(the tid the client left at)").isNotNull();
            assertThat(hit.tid()).isEqualTo(latest);
            assertThat(hit.oids()).containsExactlyInAnyOrder(x, y, z);
        }
    }

    @Test
    void aClientAwayForMoreCommitsThanTheQueueHoldsMustDropItsCache() throws Exception {
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"), z -> z.withInvalidationQueueSize(2));
             ZeoTestClient other = WireCommits.connect(server)) {
            Oid x = other.newOids(1).get(0);
            Tid away = other.commit(1, Map.of(x, text("x0")), Map.of());
            Tid t1 = other.commit(2, Map.of(x, text("x1")), Map.of(x, away));
            try (ZeoTestClient client = WireCommits.connect(server)) {
                // The queue holds [away, t1]: the client's tid is still in it.
                assertThat(getInvalidations(client, away)).as("one commit while away, queue of 2")
                        .isEqualTo(new Answer(t1, List.of(x)));
            }
            Tid t2 = other.commit(3, Map.of(x, text("x2")), Map.of(x, t1));
            Tid t3 = other.commit(4, Map.of(x, text("x3")), Map.of(x, t2));
            try (ZeoTestClient client = WireCommits.connect(server)) {
                assertThat(getInvalidations(client, away)).as("three commits while away, queue of 2: nil").isNull();
                assertThat(getInvalidations(client, t1)).as("t1 fell out of the queue [t2, t3] too").isNull();
                assertThat(getInvalidations(client, t2)).as("t2 is the oldest in the queue")
                        .isEqualTo(new Answer(t3, List.of(x)));
                assertThat(getInvalidations(client, t3)).isEqualTo(new Answer(t3, List.of()));
                assertThat(client.anomalies()).isEmpty();
            }
        }
    }
}
