package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.CrashPoints;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pack killed with SIGKILL at each step of its swap (after the hard link, after the rename, after the directory
 * sync), reached deterministically while a client commits: after the restart every commit the client saw
 * acknowledged is there, and a new pack succeeds.
 */
class PackSwapCrashPointTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int OBJECTS = 4;

    @TempDir
    Path dir;

    private static ZeoTestClient connect(ServerProcess server) throws java.io.IOException {
        ZeoTestClient client = ZeoTestClient.connect(server.address());
        client.register("1", false);
        return client;
    }

    private static byte[] value(String text) {
        return JzeoRecord.encode(List.of(), text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] record) {
        return new String(JzeoRecord.decode(record).payload(), StandardCharsets.UTF_8);
    }

    @Test
    void aPackKilledAtEachStepOfItsSwapWhileAClientCommitsLosesNoAcknowledgedCommit() throws Exception {
        for (String point : List.of(CrashPoints.PACK_LINKED, CrashPoints.PACK_RENAMED, CrashPoints.PACK_SYNCED)) {
            Path data = Files.createDirectories(dir.resolve(point)).resolve("Data.fs");
            Map<Oid, String> acknowledged = new ConcurrentHashMap<>();
            List<Oid> oids;
            try (ServerProcess server = ServerProcess.startArmed(point, data);
                 ZeoTestClient setup = connect(server);
                 ZeoTestClient committer = connect(server);
                 ZeoTestClient packer = connect(server)) {
                oids = setup.newOids(OBJECTS);
                Map<Oid, byte[]> first = new java.util.HashMap<>();
                first.put(Oid.of(0), JzeoRecord.encode(oids, new byte[0]));
                oids.forEach(oid -> first.put(oid, value(oid + " 0")));
                Tid created = setup.commit(1, first, Map.of());
                Map<Oid, Tid> serials = new ConcurrentHashMap<>();
                oids.forEach(oid -> {
                    serials.put(oid, created);
                    acknowledged.put(oid, oid + " 0");
                });
                // Revisions for the pack to remove.
                for (int round = 1; round <= 3; round++) {
                    commitRound(setup, round + 1, round, oids, serials, acknowledged);
                }
                CountDownLatch committing = new CountDownLatch(1);
                Thread commits = new Thread(() -> {
                    for (int round = 4; ; round++) {
                        try {
                            commitRound(committer, round + 10, round, oids, serials, acknowledged);
                        } catch (RuntimeException serverGone) {
                            return;
                        }
                        committing.countDown();
                    }
                }, "committer");
                commits.start();
                committing.await();
                packer.send("pack", System.currentTimeMillis() / 1000.0 + 1, true);
                server.awaitCrashPoint(WAIT);
                server.kill9();
                commits.join(WAIT.toMillis());
                assertThat(commits.isAlive()).as("the committer saw the server go").isFalse();
            }
            try (ServerProcess again = ServerProcess.start(data);
                 ZeoTestClient c = connect(again)) {
                for (Oid oid : oids) {
                    String current = text(c.loadBefore(oid, Tid.MAX).data());
                    assertThat(round(current)).as("%s after a kill at %s: not older than acknowledged", oid, point)
                            .isGreaterThanOrEqualTo(round(acknowledged.get(oid)));
                }
                c.call("pack", System.currentTimeMillis() / 1000.0 + 1, true);
                for (Oid oid : oids) {
                    assertThat(round(text(c.loadBefore(oid, Tid.MAX).data())))
                            .as("%s after a second pack", oid).isGreaterThanOrEqualTo(round(acknowledged.get(oid)));
                }
            }
        }
    }

    /** Commits round {@code round} of every object; records it as acknowledged once the commit returns. */
    private static void commitRound(ZeoTestClient client, long txn, int round, List<Oid> oids,
                                    Map<Oid, Tid> serials, Map<Oid, String> acknowledged) {
        Map<Oid, byte[]> stores = new java.util.HashMap<>();
        oids.forEach(oid -> stores.put(oid, value(oid + " " + round)));
        Tid tid = client.commit(txn, stores, Map.copyOf(serials));
        oids.forEach(oid -> {
            serials.put(oid, tid);
            acknowledged.put(oid, oid + " " + round);
        });
    }

    private static int round(String text) {
        return Integer.parseInt(text.substring(text.lastIndexOf(' ') + 1));
    }
}
