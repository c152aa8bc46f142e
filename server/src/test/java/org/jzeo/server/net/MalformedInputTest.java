package org.jzeo.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.storage.Await;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A misbehaving client must only ever hurt itself (spec §2, §3.4, §3.5): bad handshakes, oversized or
 * undecodable frames, unknown methods and failing async calls close that client's connection (with a log line);
 * failing sync calls get an error reply and leave it open; the keep-alive is ignored. After every bad input a
 * well-behaved client, connected to the same server all along, must still commit and load, promptly: the time
 * it takes is measured and printed at the end (target/surefire-reports/...MalformedInputTest-output.txt).
 *
 * <p>The server runs with {@code lock-wait} 30 s, so that a commit blocked behind a dead client's locks would
 * be obvious: a client that disappears after vote must release its locks at once.
 */
class MalformedInputTest {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    /** "At once", for a commit that a dead client held up: far below the lock wait. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final List<String> MEASUREMENTS = new ArrayList<>();

    @TempDir
    Path dir;
    private RunningServer server;
    private LogCapture log;
    /** The well-behaved client, connected before the bad input and served after it. */
    private ZeoTestClient bystander;
    private long nextTxn = 1000;
    private String caseName;

    @BeforeEach
    void start(TestInfo info) throws Exception {
        caseName = info.getTestMethod().map(m -> m.getName()).orElse("?") + " / " + info.getDisplayName();
        log = LogCapture.start();
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withLockWait(LOCK_WAIT));
        bystander = ZeoTestClient.connect(TestServers.address(server));
        bystander.register("1", false);
    }

    @AfterEach
    void stop() {
        try {
            if (bystander != null) {
                bystander.close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            log.close();
        }
    }

    // ---------------------------------------------------------------- handshake

    static Stream<Arguments> garbageInsteadOfAHandshake() {
        byte[] random = new byte[1024];
        new Random(20261122).nextBytes(random);
        random[0] |= 0x10; // as random bytes mostly do: a length prefix far above max-frame-size (64 MiB)
        byte[] randomPayload = new byte[32];
        new Random(5).nextBytes(randomPayload);
        return Stream.of(
                Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: zeo\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("1 KiB of random bytes", random),
                Arguments.of("a well-framed random payload", framed(randomPayload)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageInsteadOfAHandshake")
    void garbageInsteadOfAHandshakeIsClosedAndLogged(String what, byte[] garbage) throws Exception {
        try (RawConnection bad = RawConnection.open(TestServers.address(server))) {
            assertThat(bad.next(CLOSE_WAIT)).as("the server speaks first").isEqualTo(bytes("M5"));
            bad.sendRaw(garbage);
            assertClosedByServerWithoutAnswer(bad, what);
            assertLogged(bad, "closing the connection");
        }
        assertOtherClientsStillServed();
    }

    @ParameterizedTest(name = "client answers \"{0}\"")
    @ValueSource(strings = {"Z5", "M4", "M", "M55", "ruok!"})
    void wrongHandshakeIsClosedAndLogged(String answer) throws Exception {
        try (RawConnection bad = RawConnection.open(TestServers.address(server))) {
            assertThat(bad.next(CLOSE_WAIT)).isEqualTo(bytes("M5"));
            bad.sendFrame(bytes(answer));
            assertClosedByServerWithoutAnswer(bad, "handshake " + answer);
            assertLogged(bad, "bad handshake");
        }
        assertOtherClientsStillServed();
    }

    @Test
    void emptyHandshakeIsClosed() throws Exception {
        try (RawConnection bad = RawConnection.open(TestServers.address(server))) {
            assertThat(bad.next(CLOSE_WAIT)).isEqualTo(bytes("M5"));
            bad.sendFrame(new byte[0]);
            assertClosedByServerWithoutAnswer(bad, "an empty handshake frame");
            assertLogged(bad, "bad handshake");
        }
        assertOtherClientsStillServed();
    }

    // ---------------------------------------------------------------- framing

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"instead of the handshake", "after register"})
    void aTwoGigabyteFrameAnnouncementIsClosedAndLogged(String when) throws Exception {
        try (RawConnection bad = when.startsWith("after") ? registered(false)
                : RawConnection.open(TestServers.address(server))) {
            if (!when.startsWith("after")) {
                assertThat(bad.next(CLOSE_WAIT)).isEqualTo(bytes("M5"));
            }
            bad.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // and nothing more
            assertClosedByServerWithoutAnswer(bad, "a 2 GiB frame announcement");
            assertLogged(bad, "exceeds max-frame-size");
        }
        assertOtherClientsStillServed();
    }

    static Stream<Arguments> notAFourElementArray() {
        return Stream.of(
                Arguments.of("an empty frame", new byte[0]),
                Arguments.of("a 3-element array", MessageCodec.encodeValue(Arrays.asList(5L, false, "ping"))),
                Arguments.of("a 5-element array",
                        MessageCodec.encodeValue(Arrays.asList(5L, false, "ping", List.of(), null))),
                Arguments.of("a map", MessageCodec.encodeValue(Map.of("msgid", 5L, "name", "ping"))),
                Arguments.of("an int", MessageCodec.encodeValue(5L)),
                Arguments.of("a str", MessageCodec.encodeValue("ping")),
                Arguments.of("the never-used byte 0xc1", new byte[] {(byte) 0xc1}),
                Arguments.of("a truncated array", new byte[] {(byte) 0x94, 0x05, (byte) 0xc2}),
                Arguments.of("a bin method name",
                        MessageCodec.encodeValue(Arrays.asList(5L, false, bytes("ping"), List.of()))),
                Arguments.of("a map instead of the argument array",
                        MessageCodec.encodeValue(Arrays.asList(5L, false, "ping", Map.of()))),
                Arguments.of("a 4-element array and trailing bytes",
                        concat(MessageCodec.encodeValue(Arrays.asList(5L, false, "ping", List.of())), new byte[] {1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notAFourElementArray")
    void aMessageThatIsNotAFourElementArrayIsClosed(String what, byte[] payload) throws Exception {
        try (RawConnection bad = registered(false)) {
            bad.sendFrame(payload);
            assertClosedByServerWithoutAnswer(bad, what);
            assertLogged(bad, "undecodable message");
        }
        assertOtherClientsStillServed();
    }

    // ---------------------------------------------------------------- methods and arguments

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync load", "async load", "sync register_", "async __init__"})
    void anUnknownMethodAfterRegisterIsClosed(String call) throws Exception {
        boolean async = call.startsWith("async");
        String method = call.substring(call.indexOf(' ') + 1);
        try (RawConnection bad = registered(false)) {
            bad.sendFrame(message(async ? 0L : 7L, async, method, List.of(Oid.ROOT.toBytes())));
            assertClosedByServerWithoutAnswer(bad, "the unknown method " + method);
            assertLogged(bad, "invalid method " + method);
        }
        assertOtherClientsStillServed();
    }

    static Stream<Arguments> wronglyTypedCalls() {
        return Stream.of(
                Arguments.of("loadBefore with a str oid", "loadBefore", List.of("\0\0\0\0\0\0\0\0", Tid.MAX.toBytes())),
                Arguments.of("loadBefore with an int tid", "loadBefore", List.of(Oid.ROOT.toBytes(), 7L)),
                Arguments.of("loadBefore with one argument", "loadBefore", List.of(Oid.ROOT.toBytes())),
                Arguments.of("history with no arguments", "history", List.of()),
                Arguments.of("history with a 7-byte oid", "history", List.of(new byte[7])),
                Arguments.of("getTid with a nil oid", "getTid", Arrays.asList((Object) null)),
                Arguments.of("new_oids with a str count", "new_oids", List.of("100")),
                Arguments.of("loadSerial with three arguments", "loadSerial",
                        List.of(Oid.ROOT.toBytes(), Tid.MAX.toBytes(), 1L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wronglyTypedCalls")
    void wrongArgumentTypesGetATypeErrorAndTheConnectionStaysOpen(String what, String method, List<Object> args)
            throws Exception {
        try (RawConnection bad = registered(false)) {
            WireMessage reply = call(bad, 7L, method, args);
            assertThat(reply.isError()).as("%s: an error reply, got %s", what, reply).isTrue();
            assertThat(reply.errorClassName()).as(what).isEqualTo(WireErrors.TYPE_ERROR);
            assertThat(reply.errorArgs()).as("%s: TypeError's args", what).isInstanceOf(List.class);
            assertStillOpen(bad);
        }
        assertOtherClientsStillServed();
    }

    @Test
    void storeaForATransactionNeverBegunClosesTheConnection() throws Exception {
        try (RawConnection bad = registered(false)) {
            bad.sendFrame(message(0L, true, "storea",
                    List.of(Oid.ROOT.toBytes(), Tid.ZERO.toBytes(), data("never begun"), 4242L)));
            assertClosedByServerWithoutAnswer(bad, "storea without tpc_begin");
            assertLogged(bad, "async call storea failed");
        }
        assertOtherClientsStillServed();
    }

    @Test
    void tpcBeginOnAReadOnlyConnectionClosesIt() throws Exception {
        try (RawConnection bad = registered(true)) {
            bad.sendFrame(message(0L, true, "tpc_begin",
                    Arrays.asList(4242L, new byte[0], bytes("read-only"), Map.of(), null, " ")));
            assertClosedByServerWithoutAnswer(bad, "tpc_begin on a read-only connection");
            assertLogged(bad, "async call tpc_begin failed");
        }
        assertOtherClientsStillServed();
    }

    @Test
    void aSecondRegisterClosesTheConnectionWithoutAReply() throws Exception {
        // Python: after a successful register, register is no longer an allowed method (errors-M5 conn2).
        try (RawConnection bad = registered(false)) {
            bad.sendFrame(message(2L, false, "register", List.of("1", false)));
            assertClosedByServerWithoutAnswer(bad, "a second register");
        }
        assertOtherClientsStillServed();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vote", "tpc_finish", "tpc_abort"})
    void transactionCallsOnAReadOnlyConnectionGetReadOnlyError(String method) throws Exception {
        // Python's _check_tid raises ReadOnlyError before looking at the transaction (readonly-M5: vote(4242)).
        try (RawConnection bad = registered(true)) {
            WireMessage reply = call(bad, 4L, method, List.of(4242L));
            assertThat(reply.isError()).as("%s on a read-only connection: %s", method, reply).isTrue();
            assertThat(reply.errorClassName()).isEqualTo(WireErrors.READ_ONLY_ERROR);
            assertThat(reply.errorArgs()).isEqualTo(List.of());
            assertStillOpen(bad);
        }
        assertOtherClientsStillServed();
    }

    @Test
    void aSecondVoteIsAStorageTransactionErrorAndTheTransactionCanStillFinish() throws Exception {
        Oid oid = bystander.newOids(1).get(0);
        try (RawConnection bad = registered(false)) {
            long txn = 4242L;
            bad.sendFrame(message(0L, true, "tpc_begin", Arrays.asList(txn, new byte[0], new byte[0], Map.of(),
                    null, " ")));
            bad.sendFrame(message(0L, true, "storea", List.of(oid.toBytes(), Tid.ZERO.toBytes(), data("v"), txn)));
            WireMessage first = call(bad, 10L, "vote", List.of(txn));
            assertThat(first.isError()).as("first vote: %s", first).isFalse();
            assertThat(first.result()).as("first vote result").isEqualTo(List.of());

            WireMessage second = call(bad, 11L, "vote", List.of(txn));
            assertThat(second.isError()).as("second vote: %s", second).isTrue();
            assertThat(second.errorClassName()).isEqualTo(WireErrors.STORAGE_TRANSACTION_ERROR);

            WireMessage finish = call(bad, 12L, "tpc_finish", List.of(txn));
            assertThat(finish.isError()).as("tpc_finish after the refused second vote: %s", finish).isFalse();
            assertThat(finish.result()).as("the committed tid").isInstanceOf(byte[].class);
            LoadResult loaded = bystander.loadBefore(oid, Tid.MAX);
            assertThat(loaded.start()).isEqualTo(Tid.fromBytes((byte[]) finish.result()));
            assertStillOpen(bad);
        }
        assertOtherClientsStillServed();
    }

    // ---------------------------------------------------------------- keep-alive

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"before register", "after register"})
    void keepAlivesAreIgnored(String when) throws Exception {
        boolean register = when.startsWith("after");
        try (RawConnection client = register ? registered(false) : handshaken()) {
            client.sendFrame(new MessageCodec().encodeKeepAlive());
            // "whatever the rest of the message says" (spec §3.4): a keep-alive shaped like a call is ignored too.
            client.sendFrame(message(-1L, false, "ping", List.of()));
            client.sendFrame(message(-1L, true, "no such method", List.of()));
            if (register) {
                assertStillOpen(client); // the ping's reply is the next reply: nothing answered the keep-alives
            } else {
                client.sendFrame(message(1L, false, "register", List.of("1", false)));
                WireMessage reply = decode(client.next(CLOSE_WAIT), "register after keep-alives");
                assertThat(reply.msgid().value()).as("the first frame answers register").isEqualTo(1L);
                assertThat(reply.isError()).isFalse();
            }
        }
        assertOtherClientsStillServed();
    }

    // ---------------------------------------------------------------- a client that disappears mid-commit

    @ParameterizedTest(name = "the lock holder ends its connection with a {0}")
    @ValueSource(strings = {"TCP reset", "normal close"})
    void aClientThatDisappearsAfterVoteReleasesItsLocksAtOnce(String how) throws Exception {
        Oid oid = bystander.newOids(1).get(0);
        Tid created = bystander.commit(nextTxn++, Map.of(oid, data("v0")), Map.of());

        try (RawConnection holder = registered(false)) {
            holderDisappearsWhileTheBystanderWaits(holder, oid, created, how);
        }
        assertOtherClientsStillServed();
    }

    private void holderDisappearsWhileTheBystanderWaits(RawConnection holder, Oid oid, Tid created, String how)
            throws Exception {
        long holderTxn = 77L;
        holder.sendFrame(message(0L, true, "tpc_begin", Arrays.asList(holderTxn, new byte[0], new byte[0], Map.of(),
                null, " ")));
        holder.sendFrame(message(0L, true, "storea",
                List.of(oid.toBytes(), created.toBytes(), data("holder"), holderTxn)));
        WireMessage voted = call(holder, 5L, "vote", List.of(holderTxn));
        assertThat(voted.isError()).as("the holder's vote: %s", voted).isFalse();

        // The bystander now commits the same object: its vote must wait for the holder's lock.
        long txn = nextTxn++;
        bystander.send("tpc_begin", txn, new byte[0], new byte[0], Map.of(), null, " ");
        bystander.send("storea", oid, created, data("bystander"), txn);
        CompletableFuture<Object> vote = bystander.callAsyncReply("vote", txn);
        try (ZeoTestClient monitor = ZeoTestClient.connect(TestServers.address(server))) {
            monitor.register("1", true);
            Await.until("the bystander's vote to be waiting for the lock", () -> waiting(monitor) >= 1);
        }
        assertThat(vote).as("the vote waits while the holder is alive").isNotDone();

        long disappeared = System.nanoTime();
        if (how.equals("TCP reset")) {
            holder.reset();
        } else {
            holder.close();
        }
        Object voteResult;
        try {
            voteResult = vote.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the bystander's vote still waits " + PROMPTLY.toSeconds() + " s after the lock"
                    + " holder disappeared (lock-wait is " + LOCK_WAIT.toSeconds() + " s): its locks were not"
                    + " released on disconnect");
        }
        Duration released = Duration.ofNanos(System.nanoTime() - disappeared);
        assertThat(voteResult).as("the bystander's vote").isEqualTo(List.of());
        Tid committed = Tid.fromBytes((byte[]) bystander.call("tpc_finish", txn));
        measure("vote unblocked after the lock holder's " + how, released);

        LoadResult current = bystander.loadBefore(oid, Tid.MAX);
        assertThat(current.start()).as("the bystander's revision is current").isEqualTo(committed);
        assertThat(JzeoRecord.decode(current.data()).payload()).isEqualTo(bytes("bystander"));
        assertThat(released).as("time from the holder's disappearance to the waiting vote's reply")
                .isLessThan(PROMPTLY);
    }

    @Test
    void aClientThatDisappearsAfterVoteDoesNotBlockALaterCommit() throws Exception {
        Oid oid = bystander.newOids(1).get(0);
        Tid created = bystander.commit(nextTxn++, Map.of(oid, data("v0")), Map.of());
        try (RawConnection holder = registered(false)) {
            voteThenVanish(holder, oid, created);
        }

        long start = System.nanoTime();
        Tid committed = bystander.commit(nextTxn++, Map.of(oid, data("after")), Map.of(oid, created));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        measure("commit of the object a vanished voter had locked", took);
        assertThat(committed).isGreaterThan(created);
        assertThat(took).as("the commit after the lock holder vanished").isLessThan(PROMPTLY);
        assertOtherClientsStillServed();
    }

    /** Locks {@code oid} by voting a store of it, then ends the connection with a TCP reset. */
    private static void voteThenVanish(RawConnection holder, Oid oid, Tid serial) throws Exception {
        holder.sendFrame(message(0L, true, "tpc_begin", Arrays.asList(77L, new byte[0], new byte[0], Map.of(), null,
                " ")));
        holder.sendFrame(message(0L, true, "storea", List.of(oid.toBytes(), serial.toBytes(), data("h"), 77L)));
        assertThat(call(holder, 5L, "vote", List.of(77L)).isError()).as("the holder's vote").isFalse();
        holder.reset();
        assertThat(holder.awaitClosed(CLOSE_WAIT)).isTrue();
    }

    // ---------------------------------------------------------------- the bystander

    /** The well-behaved client commits a new object and loads it back, promptly; the time is recorded. */
    private void assertOtherClientsStillServed() {
        long start = System.nanoTime();
        Oid oid = bystander.newOids(1).get(0);
        byte[] data = data("served after " + caseName);
        Tid tid = bystander.commit(nextTxn++, Map.of(oid, data), Map.of());
        LoadResult loaded = bystander.loadBefore(oid, Tid.MAX);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        measure("bystander commit + loadBefore", took);
        assertThat(loaded.start()).as("the bystander reads its own commit").isEqualTo(tid);
        assertThat(loaded.end()).isNull();
        assertThat(loaded.data()).isEqualTo(data);
        assertThat(bystander.isClosed()).as("the bystander's connection").isFalse();
        assertThat(bystander.anomalies()).as("what the bystander saw").isEmpty();
        assertThat(took).as("bystander commit + loadBefore after %s", caseName).isLessThan(PROMPTLY);
    }

    private void measure(String what, Duration took) {
        synchronized (MEASUREMENTS) {
            MEASUREMENTS.add(String.format("%7.1f ms  %-50s after %s", took.toNanos() / 1e6, what, caseName));
        }
    }

    @AfterAll
    static void printMeasurements() {
        StringBuilder table = new StringBuilder("\nOther clients after each bad input\n");
        synchronized (MEASUREMENTS) {
            MEASUREMENTS.forEach(m -> table.append(m).append('\n'));
        }
        System.out.println(table);
    }

    // ---------------------------------------------------------------- the bad client's side

    private RawConnection handshaken() throws Exception {
        RawConnection c = RawConnection.open(TestServers.address(server));
        assertThat(c.next(CLOSE_WAIT)).as("the server's announcement").isEqualTo(bytes("M5"));
        c.sendFrame(bytes("M5"));
        return c;
    }

    private RawConnection registered(boolean readOnly) throws Exception {
        RawConnection c = handshaken();
        WireMessage reply = call(c, 1L, "register", List.of("1", readOnly));
        assertThat(reply.isError()).as("register: %s", reply).isFalse();
        return c;
    }

    /**
     * A sync call on a raw connection: the next reply must answer it (callbacks such as {@code info} may come
     * first; any other reply fails).
     */
    private static WireMessage call(RawConnection c, long msgid, String method, List<?> args) throws Exception {
        c.sendFrame(message(msgid, false, method, args));
        while (true) {
            byte[] frame = c.next(CLOSE_WAIT);
            assertThat(frame).as("a reply to %s (the connection ended: %s)", method, c.closedReason()).isNotNull();
            WireMessage reply = decode(frame, method);
            if (reply.isCall() && reply.msgid().isAsyncId()) {
                continue; // a callback: info, invalidateTransaction
            }
            assertThat(reply.isReply()).as("the next reply answers %s: %s", method, reply).isTrue();
            assertThat(reply.msgid().value()).as("msgid of the next reply, which must answer %s", method)
                    .isEqualTo(msgid);
            return reply;
        }
    }

    /** A ping is answered, and its answer is the next reply: the connection is open and nothing else was answered. */
    private static void assertStillOpen(RawConnection c) throws Exception {
        WireMessage pong = call(c, 99L, "ping", List.of());
        assertThat(pong.isError()).isFalse();
        assertThat(pong.result()).isNull();
    }

    private static void assertClosedByServerWithoutAnswer(RawConnection c, String after) throws Exception {
        assertThat(c.awaitClosed(CLOSE_WAIT)).as("the server closes the connection after %s", after).isTrue();
        assertThat(c.closedReason()).as("who closed it").isEqualTo("the server closed the connection");
        List<String> sent = new ArrayList<>();
        for (byte[] frame : c.drain()) {
            sent.add(ShapeComparator.describe(frame));
        }
        assertThat(sent).as("what the server sent after %s before closing", after).isEmpty();
    }

    private void assertLogged(RawConnection c, String fragment) throws InterruptedException {
        String port = ":" + c.localPort() + ":";
        String line = log.await(l -> l.contains(port) && l.contains(fragment), CLOSE_WAIT);
        assertThat(line).as("a server log line about %s containing '%s'; lines for it: %s", port, fragment,
                log.lines().stream().filter(l -> l.contains(port)).toList()).isNotNull();
    }

    private int waiting(ZeoTestClient monitor) {
        Object status = monitor.call("server_status");
        return ((Number) ((Map<?, ?>) status).get("waiting")).intValue();
    }

    // ---------------------------------------------------------------- encoding

    private static byte[] message(long msgid, boolean async, String method, List<?> args) {
        return MessageCodec.encodeValue(Arrays.asList(msgid, async, method, args));
    }

    private static WireMessage decode(byte[] frame, String what) throws MalformedMessageException {
        assertThat(frame).as("a frame for %s", what).isNotNull();
        return new MessageCodec().decode(frame);
    }

    private static byte[] data(String text) {
        return JzeoRecord.encode(List.of(), bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] framed(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
