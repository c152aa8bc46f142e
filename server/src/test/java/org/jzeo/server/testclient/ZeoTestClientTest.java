package org.jzeo.server.testclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ZeoTestClient} against {@link ScriptedZeoServer}, a fake server the test plays by hand. */
class ZeoTestClientTest {
    private static final Duration WAIT = ScriptedZeoServer.WAIT;
    private static final Oid OID = Oid.of(1);
    private static final Tid TID_A = Tid.of(0x040d2d5a1f226633L);
    private static final Tid TID_B = Tid.of(0x040d2d5a23caf722L);
    private static final byte[] DATA = {1, 2, 3};
    private static final long TXN = 140466271124368L;

    private final MessageCodec codec = new MessageCodec();

    /** The server is played on another thread while the test thread makes blocking calls. */
    interface ServerScript {
        void run() throws Exception;
    }

    @Nested
    class Handshakes {
        @Test
        void answersM5ToAnM5Server() throws IOException {
            try (ScriptedZeoServer server = ScriptedZeoServer.m5();
                    ZeoTestClient client = ZeoTestClient.connect(server.address())) {
                assertThat(server.nextPayload()).isEqualTo(Handshake.clientReply());
                client.send("set_client_label", "test");
                assertThat(server.expectCall("set_client_label").args()).containsExactly("test");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"Z5", "M4", "M3101", "M6"})
        void rejectsEveryOtherAnnouncementShowingItsBytes(String announcement) throws IOException {
            byte[] bytes = announcement.getBytes(StandardCharsets.US_ASCII);
            try (ScriptedZeoServer server = ScriptedZeoServer.announcing(bytes)) {
                assertThatThrownBy(() -> ZeoTestClient.connect(server.address()))
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining(ZeoTestClient.show(SizedFrames.frame(bytes)))
                        .hasMessageContaining("\"...." + announcement + "\"");
                assertThat(server.awaitClientGone()).as("the client closed the socket").isTrue();
            }
        }

        @Test
        void rejectsAServerThatIsNotZeoWithoutReadingItsAnnouncedLength() throws IOException {
            byte[] http = "HTTP/1.0 400 Bad Request\r\n".getBytes(StandardCharsets.US_ASCII);
            try (ScriptedZeoServer server = new ScriptedZeoServer(http)) {
                assertThatThrownBy(() -> ZeoTestClient.connect(server.address()))
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("got 48 54 54 50 (\"HTTP\")")
                        .hasMessageContaining("a frame of 1213486160 bytes is no ZEO handshake");
            }
        }

        @Test
        void rejectsAnIncompleteAnnouncementAfterTheTimeout() throws IOException {
            try (ScriptedZeoServer server = new ScriptedZeoServer(new byte[] {0, 0, 0, 2, 'M'})) {
                assertThatThrownBy(() -> ZeoTestClient.connect(server.address(), Duration.ofMillis(300)))
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("got 00 00 00 02 4d (\"....M\")")
                        .hasMessageContaining("nothing more arrived within the timeout");
            }
        }
    }

    @Nested
    class Connected {
        private ScriptedZeoServer server;
        private ZeoTestClient client;
        private ExecutorService serverThread;
        private final List<Future<?>> scripts = new ArrayList<>();

        @BeforeEach
        void connect() throws IOException {
            server = ScriptedZeoServer.m5();
            client = ZeoTestClient.connect(server.address());
            assertThat(server.nextPayload()).isEqualTo(Handshake.clientReply());
            serverThread = Executors.newSingleThreadExecutor();
        }

        /** Reports a failed server script even when the test itself failed first (as a suppressed exception). */
        @AfterEach
        void close() throws Exception {
            try {
                for (Future<?> script : scripts) {
                    finish(script);
                }
            } finally {
                serverThread.shutdownNow();
                client.close();
                server.close();
            }
        }

        /**
         * Runs the server's side on another thread. If the script fails, it drops the connection so that the
         * client's blocking call fails at once instead of waiting for its timeout.
         */
        private Future<?> playServer(ServerScript script) {
            Future<?> future = serverThread.submit(() -> {
                try {
                    script.run();
                } catch (Exception | Error e) {
                    server.dropConnection();
                    throw e;
                }
                return null;
            });
            scripts.add(future);
            return future;
        }

        /** Waits for the script and fails with its own failure, if it had one. */
        private void finish(Future<?> script) throws Exception {
            try {
                script.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception) {
                    throw (Exception) e.getCause();
                }
                throw (Error) e.getCause();
            }
        }

        // ------------------------------------------------------------ calls and replies

        @Test
        void matchesRepliesToCallsByMsgidWhateverTheirOrder() {
            CompletableFuture<Object> ping = client.callAsyncReply("ping");
            CompletableFuture<Object> last = client.callAsyncReply("lastTransaction");
            WireMessage pingCall = server.expectCall("ping");
            WireMessage lastCall = server.expectCall("lastTransaction");
            assertThat(pingCall.msgid().value()).isEqualTo(1L);
            assertThat(lastCall.msgid().value()).isEqualTo(2L);
            assertThat(pingCall.flag()).isEqualTo(false);
            assertThat(pingCall.args()).isEmpty();

            server.reply(lastCall, TID_A.toBytes());
            server.reply(pingCall, null);

            assertThat(last).succeedsWithin(WAIT).isEqualTo(TID_A.toBytes());
            assertThat(ping).succeedsWithin(WAIT).isNull();
            assertThat(client.anomalies()).isEmpty();
        }

        @Test
        void callBlocksUntilItsReplyAndReturnsTheResult() throws Exception {
            Future<?> script = playServer(() -> server.reply(server.expectCall("lastTransaction"), TID_B.toBytes()));
            assertThat(client.call("lastTransaction")).isEqualTo(TID_B.toBytes());
            finish(script);
        }

        @Test
        void throwsAnErrorReplyAsTheMappedJzeoException() throws Exception {
            Future<?> script = playServer(() -> {
                Map<String, Object> conflict = new LinkedHashMap<>();
                conflict.put("message", "database conflict error");
                conflict.put("oid", OID.toBytes());
                conflict.put("class_name", "persistent.mapping.PersistentMapping");
                conflict.put("serials", List.of(TID_B.toBytes(), TID_A.toBytes()));
                server.replyError(server.expectCall("vote"), WireErrors.CONFLICT_ERROR, conflict);
                server.replyError(server.expectCall("register"), "builtins.ValueError",
                        List.of("unknown storage: nope"));
            });

            assertThatThrownBy(() -> client.call("vote", TXN))
                    .isInstanceOfSatisfying(ConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(OID);
                        assertThat(e.committedSerial()).isEqualTo(TID_B);
                        assertThat(e.readSerial()).isEqualTo(TID_A);
                    });
            assertThatThrownBy(() -> client.register("nope", false))
                    .isInstanceOfSatisfying(ServerException.class, e -> {
                        assertThat(e.className()).isEqualTo("builtins.ValueError");
                        assertThat(e.firstArgument()).isEqualTo("unknown storage: nope");
                    });
            finish(script);
        }

        @Test
        void deliversAnErrorReplyToAnAsyncReplyFutureAsItsCause() {
            CompletableFuture<Object> vote = client.callAsyncReply("vote", TXN);
            server.replyError(server.expectCall("vote"), WireErrors.STORAGE_TRANSACTION_ERROR, List.of("no txn"));
            assertThat(vote).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(org.jzeo.api.StorageTransactionException.class);
        }

        @Test
        void refusesASecondOutstandingCallWithTheSameMsgid() {
            CompletableFuture<Object> first = client.callAsyncReplyWithMsgid(7L, "ping");
            assertThatThrownBy(() -> client.callAsyncReplyWithMsgid(7L, "ping"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("msgid 7");
            server.reply(server.expectCall("ping"), null);
            assertThat(first).succeedsWithin(WAIT);
            assertThat(client.callAsyncReplyWithMsgid(7L, "ping")).isNotNull(); // free again after the reply
        }

        @Test
        void failsACallWithNoReplyWithinTheTimeoutAndNotesTheLateReply() throws Exception {
            client.withCallTimeout(Duration.ofMillis(200));
            assertThatThrownBy(() -> client.call("ping"))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("no reply to ping (msgid 1)");
            server.reply(server.expectCall("ping"), null);

            client.withCallTimeout(WAIT);
            Future<?> script = playServer(() -> server.reply(server.expectCall("ping"), null));
            client.call("ping"); // replies arrive in order: the late one has been handled by now
            finish(script);
            assertThat(client.anomalies()).singleElement().asString()
                    .contains("reply to msgid 1, which no call is waiting for");
        }

        // ------------------------------------------------------------ what the client writes

        @Test
        void sendsAsyncCallsWithMsgidZeroFlagTrueAndBinOidsAndTids() {
            client.send("storea", OID, Tid.ZERO, DATA, TXN);
            WireMessage storea = server.expectCall("storea");
            assertThat(storea.msgid()).isEqualTo(MessageId.ASYNC);
            assertThat(storea.flag()).isEqualTo(true);
            assertThat(storea.args()).containsExactly(OID.toBytes(), Tid.ZERO.toBytes(), DATA, TXN);
        }

        @Test
        void sendsTheKeepAliveExactlyAsPythonDoes() {
            client.keepAlive();
            assertThat(server.nextPayload()).containsExactly(
                    0x94, 0xff, 0x00, 0xa6, '.', 'r', 'e', 'p', 'l', 'y', 0xc0);
        }

        @Test
        void sendsRawBytesAndPayloadsUntouched() {
            client.sendRaw(new byte[] {0, 0, 0, 3, 1, 2});
            client.sendRaw(new byte[] {3});
            client.sendPayload(new byte[] {(byte) 0xc1});
            client.sendPayload(new byte[0]);
            assertThat(server.nextPayload()).containsExactly(1, 2, 3);
            assertThat(server.nextPayload()).containsExactly(0xc1);
            assertThat(server.nextPayload()).isEmpty();
        }

        // ------------------------------------------------------------ callbacks and history

        @Test
        void queuesCallbacksInArrivalOrderAndRecordsThemInTheHistoryWithTheReplies() {
            CompletableFuture<Object> finish = client.callAsyncReply("tpc_finish", TXN);
            WireMessage call = server.expectCall("tpc_finish");
            server.callback("invalidateTransaction", TID_B, List.of(Oid.ROOT, OID));
            server.callback("info", Map.of("length", 2L));
            server.reply(call, TID_B.toBytes());
            assertThat(finish).succeedsWithin(WAIT);

            Callback invalidation = client.nextCallback(WAIT);
            assertThat(invalidation.name()).isEqualTo(Callback.INVALIDATE_TRANSACTION);
            assertThat(invalidation.invalidatedTid()).isEqualTo(TID_B);
            assertThat(invalidation.invalidatedOids()).containsExactly(Oid.ROOT, OID);
            Callback info = client.nextCallback(WAIT);
            assertThat(info.name()).isEqualTo(Callback.INFO);
            assertThat(info.args()).containsExactly(Map.of("length", 2L));
            assertThat(client.nextCallback(Duration.ofMillis(50))).isNull();

            assertThat(client.history()).extracting(WireMessage::name)
                    .containsExactly("invalidateTransaction", "info", ".reply");
            assertThat(invalidation.arrivalSequence()).isEqualTo(0);
            assertThat(info.arrivalSequence()).isEqualTo(1);
            assertThat(client.indexOfReply(1L)).isEqualTo(2);
            assertThat(client.indexOfReply(2L)).isEqualTo(-1);
            assertThat(client.anomalies()).isEmpty();
        }

        @Test
        void drainsEveryQueuedCallbackWithoutWaiting() throws Exception {
            Future<?> script = playServer(() -> {
                WireMessage ping = server.expectCall("ping");
                for (long length = 1; length <= 3; length++) {
                    server.callback("info", Map.of("length", length));
                }
                server.reply(ping, null);
            });
            client.call("ping");
            finish(script);
            assertThat(client.drainCallbacks()).extracting(Callback::arrivalSequence).containsExactly(0, 1, 2);
            assertThat(client.drainCallbacks()).isEmpty();
        }

        @Test
        void notesRepliesAndCallbacksThatBreakTheProtocolShape() throws Exception {
            server.sendPayload(codec.encodeCall(5L, false, "invalidateTransaction", List.of()));
            server.sendPayload(codec.encodeCall(9L, false, ".reply", List.of())); // bool flag on a reply
            Future<?> script = playServer(() -> server.reply(server.expectCall("ping"), null));
            client.call("ping");
            finish(script);
            assertThat(client.anomalies()).hasSize(3).satisfiesExactly(
                    a -> assertThat(a).contains("callbacks must be [0, true, name, args], got msgid 5"),
                    a -> assertThat(a).contains("reply flag must be the int 0 or 2, got bool false"),
                    a -> assertThat(a).contains("reply to msgid 9"));
            assertThat(client.isClosed()).isFalse();
        }

        // ------------------------------------------------------------ the end of the connection

        @Test
        void failsPendingAndLaterCallsWhenTheServerCloses() throws Exception {
            CompletableFuture<Object> vote = client.callAsyncReply("vote", TXN);
            server.expectCall("vote");
            Future<?> script = playServer(() -> {
                server.expectCall("tpc_finish");
                server.dropConnection();
            });

            assertThatThrownBy(() -> client.call("tpc_finish", TXN))
                    .isInstanceOf(ConnectionClosed.class)
                    .hasMessageContaining("tpc_finish (msgid 2)")
                    .hasMessageContaining("the server closed the connection");
            finish(script);
            assertThat(vote).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(ConnectionClosed.class);
            assertThat(client.awaitClosed(WAIT)).isTrue();
            assertThat(client.closedReason()).isEqualTo("the server closed the connection");
            assertThatThrownBy(() -> client.call("ping")).isInstanceOf(ConnectionClosed.class);
            assertThatThrownBy(() -> client.send("ping")).isInstanceOf(ConnectionClosed.class);
        }

        @Test
        void failsPendingCallsWhenTheClientCloses() {
            CompletableFuture<Object> vote = client.callAsyncReply("vote", TXN);
            server.expectCall("vote");
            assertThat(client.awaitClosed(Duration.ofMillis(50))).isFalse();

            client.close();

            assertThat(vote).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(ConnectionClosed.class)
                    .withMessageContaining("closed by the client");
            assertThat(client.awaitClosed(WAIT)).isTrue();
            assertThat(server.awaitClientGone()).isTrue();
        }

        @Test
        void closesTheConnectionOnAMalformedMessage() {
            CompletableFuture<Object> ping = client.callAsyncReply("ping");
            server.sendPayload(new byte[] {(byte) 0x93, 0, 0, 0});
            assertThat(client.awaitClosed(WAIT)).isTrue();
            assertThat(client.anomalies()).singleElement().asString()
                    .startsWith("malformed message from the server").contains("93 00 00 00");
            assertThat(ping).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(ConnectionClosed.class);
            assertThat(server.awaitClientGone()).isTrue();
        }

        @Test
        void closesTheConnectionOnAnOversizedFrame() {
            server.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertThat(client.awaitClosed(WAIT)).isTrue();
            assertThat(client.anomalies()).singleElement().asString()
                    .contains("a frame of 4294967295 bytes was announced");
        }

        // ------------------------------------------------------------ typed wrappers

        @Test
        void registerGetInfoAndNewOidsSendZeoTypesAndConvertTheResults() throws Exception {
            Future<?> script = playServer(() -> {
                WireMessage register = server.expectCall("register");
                assertThat(register.args()).containsExactly("1", false);
                server.reply(register, TID_A.toBytes());
                server.reply(server.expectCall("get_info"), Map.of("length", 0L, "name", "Data.fs"));
                WireMessage newOids = server.expectCall("new_oids");
                assertThat(newOids.args()).isEmpty();
                server.reply(newOids, List.of(Oid.of(1).toBytes(), Oid.of(2).toBytes()));
            });

            assertThat(client.register("1", false)).isEqualTo(TID_A);
            assertThat(client.getInfo()).containsOnly(Map.entry("length", 0L), Map.entry("name", "Data.fs"));
            assertThat(client.newOids()).containsExactly(Oid.of(1), Oid.of(2));
            finish(script);
        }

        @Test
        void failsTheTestWhenAResultHasTheWrongWireType() throws Exception {
            Future<?> script = playServer(() -> server.reply(server.expectCall("register"), "not a tid"));
            assertThatThrownBy(() -> client.register("1", false))
                    .isInstanceOf(AssertionError.class).hasMessage("register (tid): expected bin (8 bytes), got str");
            finish(script);
        }

        @Test
        void loadBeforeUsesOidAndTidAsMsgidAndMapsAllThreeOutcomes() throws Exception {
            MessageId msgid = MessageId.of(List.of(OID.toBytes(), Tid.MAX.toBytes()));
            Future<?> script = playServer(() -> {
                WireMessage load = server.expectCall("loadBefore");
                assertThat(load.msgid()).isEqualTo(msgid);
                assertThat(load.args()).containsExactly(OID.toBytes(), Tid.MAX.toBytes());
                server.reply(load, List.of(DATA, TID_A.toBytes(), TID_B.toBytes()));
                server.reply(server.expectCall("loadBefore"), null);
                WireMessage missing = server.expectCall("loadBefore");
                server.replyError(missing, WireErrors.POS_KEY_ERROR, List.of(OID.toBytes()));
            });

            LoadResult result = client.loadBefore(OID, Tid.MAX);
            assertThat(result.data()).isEqualTo(DATA);
            assertThat(result.start()).isEqualTo(TID_A);
            assertThat(result.end()).isEqualTo(TID_B);
            assertThat(client.loadBefore(OID, Tid.MAX)).isNull();
            assertThatThrownBy(() -> client.loadBefore(OID, Tid.MAX)).isInstanceOf(POSKeyException.class);
            finish(script);
            assertThat(client.indexOfReply(List.of(OID.toBytes(), Tid.MAX.toBytes()))).isEqualTo(0);
        }

        @Test
        void commitSendsTheTwoPhaseCommitAsZeoDoesAndReturnsTheTid() throws Exception {
            Oid created = Oid.of(2);
            Future<?> script = playServer(() -> {
                WireMessage begin = server.expectCall("tpc_begin");
                assertThat(begin.msgid()).isEqualTo(MessageId.ASYNC);
                assertThat(begin.flag()).isEqualTo(true);
                assertThat(begin.args()).containsExactly(TXN, new byte[0], new byte[0], Map.of(), null, " ");
                assertThat(server.expectCall("storea").args())
                        .containsExactly(OID.toBytes(), TID_A.toBytes(), DATA, TXN);
                assertThat(server.expectCall("storea").args())
                        .containsExactly(created.toBytes(), Tid.ZERO.toBytes(), DATA, TXN);
                WireMessage vote = server.expectCall("vote");
                assertThat(vote.flag()).isEqualTo(false);
                server.reply(vote, List.of());
                WireMessage finish = server.expectCall("tpc_finish");
                assertThat(finish.args()).containsExactly(TXN);
                server.callback("info", Map.of("length", 2L, "size", 482L));
                server.reply(finish, TID_B.toBytes());
            });

            Map<Oid, byte[]> stores = new LinkedHashMap<>();
            stores.put(OID, DATA);
            stores.put(created, DATA);
            assertThat(client.commit(TXN, stores, Map.of(OID, TID_A))).isEqualTo(TID_B);
            finish(script);
            assertThat(client.drainCallbacks()).extracting(Callback::name).containsExactly("info");
        }

        @Test
        void commitAbortsAndRethrowsWhenTheVoteFails() throws Exception {
            Future<?> script = playServer(() -> {
                server.expectCall("tpc_begin");
                server.expectCall("storea");
                server.replyError(server.expectCall("vote"), WireErrors.CONFLICT_ERROR, Map.of(
                        "message", "database conflict error", "oid", OID.toBytes(),
                        "serials", List.of(TID_B.toBytes(), TID_A.toBytes())));
                WireMessage abort = server.expectCall("tpc_abort");
                assertThat(abort.args()).containsExactly(TXN);
                server.reply(abort, null);
            });

            assertThatThrownBy(() -> client.commit(TXN, Map.of(OID, DATA), Map.of(OID, TID_A)))
                    .isInstanceOf(ConflictException.class);
            finish(script);
        }

        @Test
        void commitTreatsConflictMapsInTheVoteResultAsAConflict() throws Exception {
            Future<?> script = playServer(() -> {
                server.expectCall("tpc_begin");
                server.expectCall("storea");
                server.reply(server.expectCall("vote"), List.of(Map.of(
                        "oid", OID.toBytes(), "serials", List.of(TID_B.toBytes(), TID_A.toBytes()), "data", DATA)));
                server.reply(server.expectCall("tpc_abort"), null);
            });

            assertThatThrownBy(() -> client.commit(TXN, Map.of(OID, DATA), Map.of(OID, TID_A)))
                    .isInstanceOfSatisfying(ConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(OID);
                        assertThat(e.committedSerial()).isEqualTo(TID_B);
                        assertThat(e.readSerial()).isEqualTo(TID_A);
                    });
            finish(script);
        }
    }
}
