package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jzeo.api.ConflictException;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.UndoException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every captured Python session (ZEO 5.4.1 server and clients, msgpack mode) through the codec: each
 * frame after the handshake is decoded, then encoded again through the matching encoder method, and the bytes
 * must be identical to Python's. This pins the bin/str typing, the minimal int widths, float64, map order, the
 * msgid echo and the exact error shapes, including a trip through {@link WireErrors} in both directions.
 */
class WireVectorReplayTest {
    private static final MessageCodec CODEC = new MessageCodec();
    private static final Pattern EVENT = Pattern.compile(
            "\"dir\":\\s*\"(c2s|s2c)\",\\s*\"conn\":\\s*(\\d+),\\s*\"len\":\\s*(\\d+),\\s*\"offset\":\\s*(\\d+)");

    /** What was seen, printed once for whoever implements the server (target/surefire-reports/*-output.txt). */
    private static final Map<String, Set<String>> CALLBACK_SHAPES = new TreeMap<>();
    private static final Map<String, Set<String>> ERROR_SHAPES = new TreeMap<>();
    private static final Map<String, Set<String>> CALL_SHAPES = new TreeMap<>();
    private static final Map<String, Set<String>> REPLY_SHAPES = new TreeMap<>();
    private static final AtomicInteger FRAMES_COMPARED = new AtomicInteger();

    @Test
    void allScenariosAreThere() {
        assertThat(WireVectors.scenarios()).containsExactly("conflictres-M5", "errors-M5", "iterators-M5",
                "lockwait-M5", "pack-M5", "readcurrent-M5", "readonly-M5", "reads-M5", "scenario2-M5", "smoke-M5",
                "stockconflict-M5", "stockhistory-M5", "stockiterators-M5", "stockserials-M5", "stockthreads-M5",
                "undo-M5", "verify-M5");
        assertThat(WireVectors.connections()).hasSize(39);
    }

    @TestFactory
    Stream<DynamicTest> everyFrameReEncodesToPythonsBytes() {
        return WireVectors.connections().stream()
                .map(c -> DynamicTest.dynamicTest(c.toString(), () -> replay(c)));
    }

    @TestFactory
    Stream<DynamicTest> eventsCoverTheFramesExactly() {
        return WireVectors.scenarios().stream()
                .map(s -> DynamicTest.dynamicTest(s, () -> checkEvents(s)));
    }

    private static void replay(WireVectors.Connection connection) throws Exception {
        List<WireVectors.Frame> c2s = WireVectors.frames(connection.c2sBytes());
        List<WireVectors.Frame> s2c = WireVectors.frames(connection.s2cBytes());

        // The server speaks first, and always says M5.
        assertThat(s2c).isNotEmpty();
        assertThat(s2c.get(0).payload()).isEqualTo(Handshake.serverAnnouncement());
        assertThat(Handshake.classifyServerAnnouncement(s2c.get(0).payload()).kind())
                .isEqualTo(Handshake.Kind.MSGPACK_5);
        assertThat(c2s).isNotEmpty();
        Handshake.Result hello = Handshake.classifyClientReply(c2s.get(0).payload());

        if (hello.kind() == Handshake.Kind.STATUS_PROBE) {
            // errors-M5 conn3: one frame of JSON text, then the server closes.
            assertThat(c2s).hasSize(1);
            assertThat(s2c).hasSize(2);
            String json = new String(s2c.get(1).payload(), StandardCharsets.UTF_8);
            assertThat(json).startsWith("{\"1\": {").endsWith("}").contains("\"connections\"");
            return;
        }
        if (hello.kind() == Handshake.Kind.BAD) {
            // errors-M5 conn7 (M4): closed right after the announcement.
            assertThat(hello.reason()).contains("\"M4\"");
            assertThat(c2s).hasSize(1);
            assertThat(s2c).hasSize(1);
            return;
        }

        Map<MessageId, String> syncCalls = new HashMap<>();
        for (WireVectors.Frame frame : c2s.subList(1, c2s.size())) {
            WireMessage message = CODEC.decode(frame.payload());
            byte[] again;
            if (message.isKeepAlive()) {
                again = CODEC.encodeKeepAlive();
            } else {
                assertThat(message.isCall()).as("client frame at %d is a call", frame.offset()).isTrue();
                assertThat(message.flag()).as("the Python client sends a bool flag").isInstanceOf(Boolean.class);
                if (message.isAsync()) {
                    assertThat(message.msgid().isAsyncId()).isTrue();
                } else {
                    syncCalls.put(message.msgid(), message.name());
                }
                // Encode from the decoded Java value, not the received bytes: this proves the msgid typing too.
                again = CODEC.encodeCall(message.msgid().value(), message.isAsync(), message.name(), message.args());
                note(CALL_SHAPES, message.name(), shape(message.args()));
            }
            assertSameBytes(connection, "c2s", frame, again);
        }

        for (WireVectors.Frame frame : s2c.subList(1, s2c.size())) {
            WireMessage message = CODEC.decode(frame.payload());
            byte[] again;
            if (message.isReply()) {
                assertThat(syncCalls).as("reply at %d echoes the msgid of a sync call", frame.offset())
                        .containsKey(message.msgid());
                if (message.isError()) {
                    assertThat(message.flag()).isEqualTo(2L);
                    again = CODEC.encodeError(message.msgid(), message.errorClassName(), message.errorArgs());
                    assertSameBytes(connection, "s2c", frame, again);
                    again = throughWireErrors(message);
                    note(ERROR_SHAPES, message.errorClassName(), shape(message.errorArgs()));
                } else {
                    assertThat(message.flag()).isEqualTo(0L);
                    again = CODEC.encodeReply(message.msgid(), message.result());
                    note(REPLY_SHAPES, syncCalls.get(message.msgid()), shape(message.result()));
                }
            } else {
                assertThat(message.msgid()).isEqualTo(MessageId.ASYNC);
                assertThat(message.flag()).isEqualTo(Boolean.TRUE);
                again = CODEC.encodeCallback(message.name(), message.args());
                note(CALLBACK_SHAPES, message.name(), shape(message.args()));
            }
            assertSameBytes(connection, "s2c", frame, again);
        }
    }

    /**
     * The error as the Java client would see it, then as the Java server would send it again: must be Python's
     * bytes. Python's {@code [nil, txn]} StorageTransactionError is the one shape that needs its own helper.
     */
    private static byte[] throughWireErrors(WireMessage message) {
        String className = message.errorClassName();
        StorageException client = WireErrors.fromWire(message);
        WireError server;
        switch (className) {
            case WireErrors.CONFLICT_ERROR:
                assertThat(client).isExactlyInstanceOf(ConflictException.class);
                server = WireErrors.toWire(client, (String) ((Map<?, ?>) message.errorArgs()).get("class_name"));
                break;
            case WireErrors.READ_CONFLICT_ERROR:
                assertThat(client).isExactlyInstanceOf(ReadConflictException.class);
                server = WireErrors.toWire(client, (String) ((Map<?, ?>) message.errorArgs()).get("class_name"));
                break;
            case WireErrors.STORAGE_TRANSACTION_ERROR:
                assertThat(client).isExactlyInstanceOf(StorageTransactionException.class);
                List<?> args = (List<?>) message.errorArgs();
                assertThat(args).hasSize(2);
                assertThat(args.get(0)).isNull();
                server = WireErrors.transactionMismatch(args.get(1));
                break;
            case WireErrors.POS_KEY_ERROR:
                assertThat(client).isExactlyInstanceOf(POSKeyException.class);
                server = WireErrors.toWire(client);
                break;
            case WireErrors.READ_ONLY_ERROR:
                assertThat(client).isExactlyInstanceOf(ReadOnlyException.class);
                server = WireErrors.toWire(client);
                break;
            case WireErrors.MULTIPLE_UNDO_ERRORS:
                assertThat(client).isExactlyInstanceOf(UndoException.class);
                server = WireErrors.toWire(client);
                break;
            default:
                assertThat(client).isExactlyInstanceOf(ServerException.class);
                server = WireErrors.toWire(client);
                break;
        }
        return CODEC.encodeError(message.msgid(), server);
    }

    private static void assertSameBytes(WireVectors.Connection connection, String direction,
            WireVectors.Frame frame, byte[] again) {
        assertThat(WireVectors.hex(again))
                .as("%s %s frame at offset %d", connection, direction, frame.offset())
                .isEqualTo(WireVectors.hex(frame.payload()));
        FRAMES_COMPARED.incrementAndGet();
    }

    /** The events files log TCP reads: contiguous chunks that each end on a frame boundary and cover the file. */
    private static void checkEvents(String scenario) throws Exception {
        Path events = WireVectors.directory().resolve(scenario + ".events.jsonl");
        Map<String, List<long[]>> chunks = new HashMap<>();
        for (String line : Files.readAllLines(events)) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = EVENT.matcher(line);
            assertThat(m.find()).as("event line %s", line).isTrue();
            chunks.computeIfAbsent(m.group(2) + "." + m.group(1), k -> new ArrayList<>())
                    .add(new long[] {Long.parseLong(m.group(4)), Long.parseLong(m.group(3))});
        }
        Set<String> expected = new TreeSet<>();
        for (WireVectors.Connection c : WireVectors.connections()) {
            if (!c.scenario().equals(scenario)) {
                continue;
            }
            for (String direction : List.of("c2s", "s2c")) {
                String key = c.number() + "." + direction;
                expected.add(key);
                byte[] data = direction.equals("c2s") ? c.c2sBytes() : c.s2cBytes();
                Set<Long> boundaries = new HashSet<>();
                boundaries.add(0L);
                for (WireVectors.Frame f : WireVectors.frames(data)) {
                    boundaries.add((long) f.end());
                }
                long position = 0;
                for (long[] chunk : chunks.getOrDefault(key, List.of())) {
                    assertThat(chunk[0]).as("%s %s chunk offset", scenario, key).isEqualTo(position);
                    position += chunk[1];
                    assertThat(boundaries).as("%s %s chunk ending at %d ends a frame", scenario, key, position)
                            .contains(position);
                }
                assertThat(position).as("%s %s events cover the file", scenario, key).isEqualTo(data.length);
            }
        }
        assertThat(new TreeSet<>(chunks.keySet())).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- summary for the server implementer

    private static void note(Map<String, Set<String>> into, String name, String shape) {
        synchronized (into) {
            into.computeIfAbsent(name, k -> new TreeSet<>()).add(shape);
        }
    }

    private static String shape(Object value) {
        if (value instanceof List) {
            List<String> parts = new ArrayList<>();
            for (Object e : (List<?>) value) {
                parts.add(shape(e));
            }
            // Long arrays of one shape (new_oids, oid lists) collapse to "[shape...]".
            if (parts.size() > 2 && new HashSet<>(parts).size() == 1) {
                return "[" + parts.get(0) + "...]";
            }
            return parts.toString();
        }
        if (value instanceof Map) {
            StringBuilder s = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                s.append(s.length() > 1 ? ", " : "").append(e.getKey() instanceof String ? e.getKey() : "bin-key")
                        .append(": ").append(shape(e.getValue()));
            }
            return s.append('}').toString();
        }
        if (value instanceof byte[]) {
            return ((byte[]) value).length == 8 ? "bin8" : "bin";
        }
        return MsgpackValues.wireType(value);
    }

    @AfterAll
    static void printShapes() {
        System.out.println("== calls (client -> server)");
        CALL_SHAPES.forEach((k, v) -> System.out.println(k + " " + v));
        System.out.println("== callbacks (server -> client)");
        CALLBACK_SHAPES.forEach((k, v) -> System.out.println(k + " " + v));
        System.out.println("== replies, by the method called");
        REPLY_SHAPES.forEach((k, v) -> System.out.println(k + " " + v));
        System.out.println("== errors");
        ERROR_SHAPES.forEach((k, v) -> System.out.println(k + " " + v));
        System.out.println("frames compared byte for byte: " + FRAMES_COMPARED.get());
    }
}
