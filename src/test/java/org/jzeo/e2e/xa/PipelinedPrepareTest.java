package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;
import static org.jzeo.e2e.xa.XaFixtures.text;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;
import org.jzeo.protocol.WireMessage;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.process.ZeoProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client storage carries the XA branches of many threads over one connection, one transaction at a time on
 * the wire. A prepare gives that turn back once its {@code xa_vote} is sent, not when the reply (which waits for
 * the server's fsync) comes back: otherwise every thread's prepare waits for the previous one's fsync in turn. A
 * proxy holds the reply to the first vote; the second thread's vote must reach the server meanwhile.
 */
class PipelinedPrepareTest {
    @TempDir
    Path dir;

    @Test
    void aSecondBranchIsVotedOnTheSameConnectionWhileTheFirstPreparesReplyIsOutstanding() throws Exception {
        try (ServerProcess server = XaFixtures.server(dir);
             ClientConnectionFactory direct = XaFixtures.factory(server.hostPort());
             ZeoProxy proxy = new ZeoProxy(server.address());
             ClientConnectionFactory viaProxy = XaFixtures.factory(proxy.hostPort())) {
            Oid first = XaFixtures.newObject(direct, "first 0");
            Oid second = XaFixtures.newObject(direct, "second 0");
            Tid created = direct.storage().lastTransaction();
            XaFixtures.until("the proxied client to see the creations", TIMEOUT,
                    () -> !viaProxy.storage().lastTransaction().isBefore(created));
            Xid firstXid = xid("pipelined-1");
            Xid secondXid = xid("pipelined-2");
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try (StorageConnection c1 = viaProxy.getConnection();
                 StorageConnection c2 = viaProxy.getConnection()) {
                StorageXAResource xa1 = StorageXAResource.of(c1);
                StorageXAResource xa2 = StorageXAResource.of(c2);
                assertThat(xa1.isSameRM(xa2)).as("both branches go through one client storage").isTrue();
                // Cached now, so that nothing before the second vote needs an answer from the server: anything
                // the server sends after the held reply waits with it.
                c1.read(first);
                c2.read(second);

                proxy.holdReplyTo(XaWire.VOTE, release);
                CompletableFuture<Integer> firstPrepare = prepareAsync(c1, xa1, firstXid, first, "first 1", threads);
                WireMessage heldReply = proxy.awaitTrap(TIMEOUT.toMillis());
                assertThat(heldReply).as("the server answered the first xa_vote (held by the proxy)").isNotNull();
                assertThat(heldReply.isError()).as("a success: " + heldReply).isFalse();

                CompletableFuture<Integer> secondPrepare =
                        prepareAsync(c2, xa2, secondXid, second, "second 1", threads);
                XaFixtures.until("the second xa_vote to reach the server while the first reply is held", TIMEOUT,
                        () -> proxy.calls(XaWire.VOTE) == 2);
                assertThat(firstPrepare).as("the first prepare still waits for its reply").isNotDone();

                release.countDown();
                assertThat(firstPrepare.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(XAResource.XA_OK);
                assertThat(secondPrepare.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(XAResource.XA_OK);
                xa1.commit(firstXid, false);
                xa2.commit(secondXid, false);
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
            assertThat(XaFixtures.readFresh(server.hostPort(), first)).isEqualTo("first 1");
            assertThat(XaFixtures.readFresh(server.hostPort(), second)).isEqualTo("second 1");
            assertThat(direct.storage().recoverPrepared()).isEmpty();
        }
    }

    /** A branch on {@code c} writing {@code value} to {@code oid}, prepared on one of {@code threads}. */
    private static CompletableFuture<Integer> prepareAsync(StorageConnection c, StorageXAResource xa, Xid xid,
                                                           Oid oid, String value, ExecutorService threads) {
        return CompletableFuture.supplyAsync(() -> {
            xa(() -> xa.start(xid, XAResource.TMNOFLAGS));
            c.write(oid, text(value), List.of());
            xa(() -> xa.end(xid, XAResource.TMSUCCESS));
            return xa(() -> xa.prepare(xid));
        }, threads);
    }

    private static Xid xid(String gtrid) {
        return new WireXid(0x4A5A, gtrid.getBytes(StandardCharsets.UTF_8), "jzeo".getBytes(StandardCharsets.UTF_8));
    }

    @FunctionalInterface
    private interface XaCall<T> {
        T call() throws Exception;
    }

    @FunctionalInterface
    private interface XaStep {
        void run() throws Exception;
    }

    private static <T> T xa(XaCall<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void xa(XaStep step) {
        xa(() -> {
            step.run();
            return null;
        });
    }
}
