package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection lost mid-commit aborts its transaction at once (zeo-protocol §8.6): its object locks are free for
 * the next client long before the 30 s lock wait, and nothing it stored becomes visible.
 */
class DisconnectMidCommitTest {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    /** Far below LOCK_WAIT: a vote or commit that only got through because the lock wait ran out fails this. */
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private RunningServer server;

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withLockWait(LOCK_WAIT));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aClientThatDisconnectsAfterVoteReleasesItsLocksAtOnce() throws Exception {
        try (ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient waiter = WireCommits.connect(server).withCallTimeout(PROMPT)) {
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());

            ZeoTestClient leaver = WireCommits.connect(server);
            WireCommits.begin(leaver, 10);
            WireCommits.store(leaver, 10, x, created, text("never committed"));
            assertThat(leaver.call("vote", 10L)).isEqualTo(List.of());

            WireCommits.begin(waiter, 20);
            WireCommits.store(waiter, 20, x, created, text("x by the waiter"));
            CompletableFuture<Object> vote = waiter.callAsyncReply("vote", 20L);
            WireCommits.await("the waiter's vote waits inside the server", PROMPT,
                    () -> Long.valueOf(1).equals(WireCommits.serverStatus(setup).get("waiting")) || vote.isDone());
            assertThat(vote).as("the waiter's vote while the leaver holds X").isNotDone();

            long closedAt = System.nanoTime();
            leaver.close();
            assertThat(vote.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the waiter's vote succeeds once the leaver is gone").isEqualTo(List.of());
            long waitedMillis = (System.nanoTime() - closedAt) / 1_000_000;
            Tid tid = WireCommits.tid(waiter.call("tpc_finish", 20L), "waiter's tpc_finish");
            assertThat(setup.loadBefore(x, Tid.MAX).start()).isEqualTo(tid);
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by the waiter");
            assertThat(waitedMillis).as("ms from the disconnect to the waiter's vote reply").isLessThan(
                    PROMPT.toMillis());
            System.out.printf("disconnect after vote: the waiter's vote came %d ms after the disconnect%n",
                    waitedMillis);
        }
    }

    @Test
    void afterTheDisconnectANewCommitOfTheSameObjectSucceedsPromptly() throws Exception {
        try (ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient next = WireCommits.connect(server).withCallTimeout(PROMPT)) {
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());

            ZeoTestClient leaver = WireCommits.connect(server);
            WireCommits.begin(leaver, 10);
            WireCommits.store(leaver, 10, x, created, text("never committed"));
            assertThat(leaver.call("vote", 10L)).isEqualTo(List.of());
            leaver.close();

            // No waiting for anything: the commit is sent right after the close and must not take the lock wait.
            long start = System.nanoTime();
            Tid tid = next.commit(20, Map.of(x, text("x by next")), Map.of(x, created));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("ms for the commit right after the disconnect").isLessThan(PROMPT.toMillis());
            assertThat(setup.loadBefore(x, Tid.MAX).start()).isEqualTo(tid);
            assertThat(setup.loadBefore(x, Tid.MAX).end()).isNull();
            // The server counts the transaction out just after it sends the finish reply: poll, within a bound.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            Object active = WireCommits.serverStatus(setup).get("active_txns");
            while (!Long.valueOf(0).equals(active) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                active = WireCommits.serverStatus(setup).get("active_txns");
            }
            assertThat(active).as("active_txns once the commit is done").isEqualTo(0L);
        }
    }

    @Test
    void aClientThatDisconnectsWhileWaitingForALockLeavesNoLockBehind() throws Exception {
        try (ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient holder = WireCommits.connect(server).withCallTimeout(PROMPT);
             ZeoTestClient next = WireCommits.connect(server).withCallTimeout(PROMPT)) {
            List<Oid> oids = setup.newOids(2);
            Oid x = oids.get(0);
            Oid y = oids.get(1);
            Tid created = setup.commit(1, Map.of(x, text("x0"), y, text("y0")), Map.of());

            WireCommits.begin(holder, 10);
            WireCommits.store(holder, 10, y, created, text("y by the holder"));
            assertThat(holder.call("vote", 10L)).isEqualTo(List.of());

            // The leaver locks X (lower oid, taken first) and waits for Y, then goes away.
            ZeoTestClient leaver = WireCommits.connect(server);
            WireCommits.begin(leaver, 30);
            WireCommits.store(leaver, 30, x, created, text("x by the leaver"));
            WireCommits.store(leaver, 30, y, created, text("y by the leaver"));
            CompletableFuture<Object> leaverVote = leaver.callAsyncReply("vote", 30L);
            WireCommits.await("the leaver's vote waits inside the server", PROMPT,
                    () -> Long.valueOf(1).equals(WireCommits.serverStatus(setup).get("waiting"))
                            || leaverVote.isDone());
            assertThat(leaverVote).isNotDone();
            leaver.close();
            WireCommits.await("the leaver's wait has ended in the server", PROMPT,
                    () -> Long.valueOf(0).equals(WireCommits.serverStatus(setup).get("waiting")));

            Tid yTid = WireCommits.tid(holder.call("tpc_finish", 10L), "holder's tpc_finish");
            long start = System.nanoTime();
            Tid xTid = next.commit(40, Map.of(x, text("x by next")), Map.of(x, created));
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms to commit X after the leaver went away")
                    .isLessThan(PROMPT.toMillis());
            assertThat(xTid).isGreaterThan(yTid);
            assertThat(text(setup.loadBefore(y, Tid.MAX).data())).isEqualTo("y by the holder");
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by next");
        }
    }
}
