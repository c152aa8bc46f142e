package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * transaction-timeout (zeo-protocol §8.7): a client that votes and then never finishes has its connection closed
 * once it has held its locks for the timeout, which aborts its transaction and lets the next voter go on.
 */
class TransactionTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aClientThatHangsAfterVoteIsDisconnectedAndTheWaiterCommits() throws Exception {
        // ZEO's words on ZEO's logger at CRITICAL: what its checkTimeout test and operators' monitors look for.
        Logger zeoLog = (Logger) LoggerFactory.getLogger("ZEO.StorageServer");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        zeoLog.addAppender(logged);
        try {
            hangAfterVote();
        } finally {
            zeoLog.detachAppender(logged);
        }
        assertThat(logged.list).as("the timeout logged on ZEO.StorageServer")
                .anySatisfy(event -> {
                    assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                    assertThat(event.getMarkerList()).contains(LogMarkers.CRITICAL);
                    assertThat(event.getFormattedMessage()).contains("Transaction timeout after 1.0 seconds");
                });
    }

    private void hangAfterVote() throws Exception {
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withTransactionTimeout(Optional.of(TIMEOUT)).withLockWait(LOCK_WAIT));
             ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient hung = WireCommits.connect(server);
             ZeoTestClient waiter = WireCommits.connect(server)) {
            assertThat(WireCommits.serverStatus(setup).get("timeout-thread-is-alive"))
                    .as("server_status timeout-thread-is-alive with a timeout configured").isEqualTo(Boolean.TRUE);
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());

            WireCommits.begin(hung, 10);
            WireCommits.store(hung, 10, x, created, text("never committed"));
            long voteSent = System.nanoTime();
            assertThat(hung.call("vote", 10L)).isEqualTo(List.of());

            WireCommits.begin(waiter, 20);
            WireCommits.store(waiter, 20, x, created, text("x by the waiter"));
            CompletableFuture<Object> vote = waiter.callAsyncReply("vote", 20L);

            assertThat(hung.awaitClosed(Duration.ofSeconds(15))).as("the hung client's connection is closed")
                    .isTrue();
            long heldMillis = (System.nanoTime() - voteSent) / 1_000_000;
            assertThat(hung.closedReason()).isEqualTo("the server closed the connection");
            assertThat(heldMillis).as("ms from the hung client's vote to its disconnect: not before the timeout")
                    .isGreaterThanOrEqualTo(TIMEOUT.toMillis());

            assertThat(vote.get(10, TimeUnit.SECONDS)).as("the waiter's vote, once the hung transaction is aborted")
                    .isEqualTo(List.of());
            Tid committed = WireCommits.tid(waiter.call("tpc_finish", 20L), "waiter's tpc_finish");
            // The waiter waited about a second for the lock; that must not count against its own timeout.
            assertThat(waiter.call("ping")).isNull();
            assertThat(waiter.isClosed()).as("the waiter's connection stays open").isFalse();

            assertThat(setup.loadBefore(x, Tid.MAX).start()).isEqualTo(committed);
            assertThat(WireCommits.text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by the waiter");
            Map<String, Object> status = WireCommits.serverStatus(setup);
            assertThat(status.get("active_txns")).as("the hung transaction was aborted").isEqualTo(0L);
            assertThat(status.get("connections")).as("the hung client is gone").isEqualTo(2L);
        }
    }

    @Test
    void withoutATimeoutTheStatusSaysStub() throws Exception {
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"));
             ZeoTestClient client = WireCommits.connect(server)) {
            assertThat(WireCommits.serverStatus(client).get("timeout-thread-is-alive"))
                    .as("server_status timeout-thread-is-alive without transaction-timeout").isEqualTo("stub");
        }
    }
}
