package org.jzeo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.protocol.WireMessage;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's half of the XA mapping against a scripted server: what each XAResource call sends, and how each
 * server answer becomes an XA result or error code (xa-mapping spec).
 */
class StorageXAResourceTest {
    private static final Tid LAST = Tid.fromHex("03e8000000000001");
    private static final Tid COMMITTED = Tid.fromHex("03e8000000000002");
    private static final Oid X = Oid.of(5);
    private static final WireXid XID = new WireXid(4660, new byte[] {1, 2}, new byte[] {3});

    private ScriptedServer server;
    private ClientConnectionFactory factory;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedServer(LAST, Map.of(XaWire.INFO_KEY, List.of(XaWire.EXTENSION)));
        ClientStorage storage = new ClientStorage(ClientOptions.of(server.address())
                .withWait(true, Duration.ofSeconds(30)), DiskCache.temporary(1 << 20));
        factory = new ClientConnectionFactory(storage, true, 0, 100);
    }

    @AfterEach
    void stop() throws Exception {
        factory.close();
        server.close();
    }

    @Test
    void aBranchWithoutWritesIsReadOnlyAndNeedsNoServer() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            xa.start(XID, XAResource.TMNOFLAGS);
            xa.end(XID, XAResource.TMSUCCESS);
            assertThat(xa.prepare(XID)).isEqualTo(XAResource.XA_RDONLY);
        }
    }

    @Test
    void prepareSendsTheBufferedWritesThenXaVoteWithTheXidAndTheTimeout() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            xa.setTransactionTimeout(30);
            CompletableFuture<Integer> prepared = CompletableFuture.supplyAsync(() -> call(() -> {
                xa.start(XID, XAResource.TMNOFLAGS);
                c.write(X, "data".getBytes(), List.of()); // loads X first, for the serial to check
                xa.end(XID, XAResource.TMSUCCESS);
                return xa.prepare(XID);
            }));
            answerLoad();
            assertThat(server.nextCall().name()).isEqualTo("tpc_begin");
            assertThat(server.nextCall().name()).isEqualTo("storea");
            WireMessage vote = server.nextCall();
            assertThat(vote.name()).isEqualTo(XaWire.VOTE);
            assertThat(XaWire.decode(vote.args().get(1))).isEqualTo(XID);
            assertThat(vote.args().get(2)).isEqualTo(30L);
            server.sendTogether(server.reply(vote, List.of()));
            assertThat(prepared.get()).isEqualTo(XAResource.XA_OK);

            CompletableFuture<Void> committed = CompletableFuture.runAsync(() -> call(() -> {
                xa.commit(XID, false);
                return null;
            }));
            WireMessage commit = server.nextCall();
            assertThat(commit.name()).isEqualTo(XaWire.COMMIT);
            assertThat(XaWire.decode(commit.args().get(0))).isEqualTo(XID);
            server.sendTogether(server.reply(commit, List.of(COMMITTED.toBytes(), List.of(X.toBytes()))));
            committed.get();
            assertThat(factory.storage().lastTransaction()).as("the commit's tid is known").isEqualTo(COMMITTED);
            assertThat(new String(factory.storage().loadBefore(X, COMMITTED.next()).data()))
                    .as("the branch's own data is cached as current, no load needed").contains("data");
        }
    }

    @Test
    void theServersXaErrorCodesComeBackAsTheyAre() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> call(() -> {
                xa.commit(XID, false);
                return null;
            }));
            WireMessage call = server.nextCall();
            server.sendTogether(server.error(call, XaWire.ERROR_CLASS,
                    Map.of("errorCode", (long) XAException.XA_HEURRB, "message", "rolled back heuristically")));
            assertThatThrownBy(commit::get).hasCauseInstanceOf(XaFailure.class)
                    .satisfies(e -> assertThat(((XaFailure) e.getCause()).code).isEqualTo(XAException.XA_HEURRB));
        }
    }

    @Test
    void aLostConnectionIsRmfailNeverRmerr() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> call(() -> {
                xa.commit(XID, false);
                return null;
            }));
            server.nextCall();
            server.close(); // the reply never comes
            assertThatThrownBy(commit::get).hasCauseInstanceOf(XaFailure.class)
                    .satisfies(e -> assertThat(((XaFailure) e.getCause()).code).isEqualTo(XAException.XAER_RMFAIL));
        }
    }

    @Test
    void recoverListsTheServersXidsOnlyAtTheStartOfAScan() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            CompletableFuture<javax.transaction.xa.Xid[]> recovered = CompletableFuture.supplyAsync(
                    () -> call(() -> xa.recover(XAResource.TMSTARTRSCAN)));
            WireMessage call = server.nextCall();
            assertThat(call.name()).isEqualTo(XaWire.RECOVER);
            server.sendTogether(server.reply(call, List.of(XaWire.encode(XID))));
            assertThat(Arrays.asList(recovered.get())).containsExactly(XID);
            assertThat(xa.recover(XAResource.TMENDRSCAN)).isEmpty();
        }
    }

    @Test
    void startAndEndFollowTheBranchRules() throws Exception {
        try (StorageConnection c = factory.getConnection()) {
            XAResource xa = StorageXAResource.of(c);
            xa.start(XID, XAResource.TMNOFLAGS);
            assertThatThrownBy(() -> xa.start(XID, XAResource.TMNOFLAGS)).isInstanceOf(XAException.class)
                    .satisfies(e -> assertThat(((XAException) e).errorCode).isEqualTo(XAException.XAER_DUPID));
            assertThatThrownBy(c::commit).as("the transaction manager commits, not the application")
                    .isInstanceOf(IllegalStateException.class);
            xa.end(XID, XAResource.TMFAIL);
            assertThatThrownBy(() -> xa.prepare(XID)).isInstanceOf(XAException.class)
                    .satisfies(e -> assertThat(((XAException) e).errorCode).isEqualTo(XAException.XA_RBROLLBACK));
            xa.rollback(XID); // ended here: no server call needed
            WireXid unknown = new WireXid(1, new byte[] {9}, new byte[0]);
            assertThatThrownBy(() -> xa.start(unknown, XAResource.TMJOIN)).isInstanceOf(XAException.class)
                    .satisfies(e -> assertThat(((XAException) e).errorCode).isEqualTo(XAException.XAER_NOTA));
        }
    }

    /** The write's serial: the client loads the object at the branch's snapshot; it does not exist yet. */
    private void answerLoad() throws Exception {
        WireMessage load = server.nextCall();
        assertThat(load.name()).isEqualTo("loadBefore");
        server.sendTogether(server.error(load, "ZODB.POSException.POSKeyError", List.of(X.toBytes())));
    }

    /** An XAException carried out of a CompletableFuture. */
    static final class XaFailure extends RuntimeException {
        final int code;

        XaFailure(XAException e) {
            super(e);
            this.code = e.errorCode;
        }
    }

    private interface XaCall<T> {
        T run() throws XAException;
    }

    private static <T> T call(XaCall<T> body) {
        try {
            return body.run();
        } catch (XAException e) {
            throw new XaFailure(e);
        }
    }
}
