package org.jzeo.server.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.server.net.ShapeComparator.Finding;
import org.jzeo.server.net.WireRecording.Direction;
import org.jzeo.server.net.WireRecording.Frame;
import org.jzeo.server.net.WireRecording.Step;
import org.jzeo.server.testsupport.Json;

/**
 * Replays a recorded Python session against a live server: every client→server frame is sent on its own TCP
 * connection in the recorded order (with the recorded tids, undo ids, iterator ids and pack times replaced by the
 * ones this server produced at the same point), and every server→client frame the recording holds is awaited on
 * that connection and compared with what this server sent, by {@link ShapeComparator}.
 *
 * <p>At each connection's last recorded step the replay checks its fate: where the Python server closed the
 * connection (the scenario says which), this server must close it too, without sending anything more; everywhere
 * else it must still be open: a {@code ping} must be answered, and nothing unexpected may come before the answer.
 * Then the test closes its side, as the Python client did.
 */
final class WireReplay {
    /** How long an expected frame, or an expected close, may take. */
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final long PROBE_MSGID = 999_999L;

    /** What a replay found. */
    record Result(String scenario, int framesSent, int framesCompared, List<Finding> findings) {
        List<Finding> differences() {
            return findings.stream().filter(f -> f.severity() == ShapeComparator.Severity.DIFFERENCE).toList();
        }

        List<Finding> notes() {
            return findings.stream().filter(f -> f.severity() == ShapeComparator.Severity.NOTE).toList();
        }
    }

    private final WireRecording recording;
    private final InetSocketAddress address;
    private final Set<Integer> closedByServer;
    private final Set<Integer> relaxedOrder;
    private final TidMap tids = new TidMap();
    private final List<Finding> findings = new ArrayList<>();
    private final ShapeComparator comparator = new ShapeComparator(tids, findings);
    private final Map<Integer, Conn> connections = new TreeMap<>();
    private int framesSent;
    private int framesCompared;

    /** One replayed connection. */
    private static final class Conn {
        final int number;
        RawConnection raw;
        String handshake = "M5";
        /** The method of every sync call sent, by the recorded msgid's hex encoding. */
        final Map<String, String> methodByMsgid = new HashMap<>();
        /** Iterator ids: recorded → what this server returned. */
        final Map<Long, Long> iteratorIds = new HashMap<>();
        /** Frames received ahead of the one expected (relaxed-order connections only). */
        final Deque<byte[]> backlog = new ArrayDeque<>();
        /** Set once the connection is gone or out of step; later frames on it are not compared. */
        String lost;

        Conn(int number) {
            this.number = number;
        }
    }

    /**
     * @param closedByServer the connections the Python server closed itself (at their last recorded step)
     * @param relaxedOrder   connections whose replies and callbacks may come in another relative order
     */
    WireReplay(WireRecording recording, InetSocketAddress address, Set<Integer> closedByServer,
               Set<Integer> relaxedOrder) {
        this.recording = recording;
        this.address = address;
        this.closedByServer = closedByServer;
        this.relaxedOrder = relaxedOrder;
    }

    Result run() throws IOException, InterruptedException {
        List<Step> steps = recording.steps();
        try {
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                Conn conn = connection(step.connection());
                for (Frame frame : step.frames()) {
                    if (step.direction() == Direction.C2S) {
                        send(conn, frame);
                    } else {
                        expect(conn, frame);
                    }
                }
                if (i == recording.lastStepOf(step.connection())) {
                    finish(conn);
                }
            }
        } finally {
            for (Conn conn : connections.values()) {
                if (conn.raw != null) {
                    conn.raw.close();
                }
            }
        }
        return new Result(recording.scenario(), framesSent, framesCompared, List.copyOf(findings));
    }

    private Conn connection(int number) throws IOException {
        Conn conn = connections.get(number);
        if (conn == null) {
            conn = new Conn(number);
            conn.raw = RawConnection.open(address);
            connections.put(number, conn);
        }
        return conn;
    }

    // ---------------------------------------------------------------- client → server

    private void send(Conn conn, Frame frame) {
        if (conn.lost != null) {
            return;
        }
        byte[] payload = frame.payload();
        if (frame.isHandshake()) {
            conn.handshake = new String(payload, StandardCharsets.ISO_8859_1);
        } else {
            payload = rewrite(conn, frame);
        }
        try {
            conn.raw.sendFrame(payload);
            framesSent++;
        } catch (IOException e) {
            comparator.at(frame + " (sending)");
            comparator.difference("could not send: " + e.getMessage() + " (" + conn.raw.closedReason() + ")");
            conn.lost = "send failed";
        }
    }

    /** The recorded call with this run's tids, undo ids, iterator ids and pack time; remembers sync methods. */
    private byte[] rewrite(Conn conn, Frame frame) {
        List<Object> message = decodeMessage(frame.payload(), frame.toString());
        Object msgid = message.get(0);
        String name = (String) message.get(2);
        boolean async = truthy(message.get(1));
        if (!async && !(msgid instanceof Long id && id == -1L)) {
            conn.methodByMsgid.put(ShapeComparator.hexOf(MessageCodec.encodeValue(msgid)), name);
        }
        if (!(message.get(3) instanceof List)) {
            return frame.payload(); // the keep-alive's nil, sent as recorded
        }
        List<Object> args = new ArrayList<>((List<?>) message.get(3));
        switch (name) {
            case "undoa":
                args.set(0, undoId((byte[]) args.get(0)));
                break;
            case "iterator_next":
            case "iterator_record_start":
            case "iterator_record_next":
                args.set(0, conn.iteratorIds.getOrDefault((Long) args.get(0), (Long) args.get(0)));
                break;
            case "iterator_gc":
                List<Object> ids = new ArrayList<>();
                for (Object id : (List<?>) args.get(0)) {
                    ids.add(conn.iteratorIds.getOrDefault((Long) id, (Long) id));
                }
                args.set(0, ids);
                break;
            case "pack":
                args.set(0, tids.toActualTime((Double) args.get(0)));
                break;
            default:
                break;
        }
        return MessageCodec.encodeValue(Arrays.asList(substituteTids(msgid), message.get(1), name,
                substituteTids(args)));
    }

    private Object substituteTids(Object value) {
        if (value instanceof byte[] b && TidMap.isTidLike(b)) {
            return TidMap.bytes(tids.toActual(TidMap.value(b)));
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object each : list) {
                copy.add(substituteTids(each));
            }
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, substituteTids(v)));
            return copy;
        }
        return value;
    }

    private byte[] undoId(byte[] recorded) {
        long tid = TidMap.value(Base64.getDecoder().decode(recorded));
        return Base64.getEncoder().encode(TidMap.bytes(tids.toActual(tid)));
    }

    // ---------------------------------------------------------------- server → client

    private void expect(Conn conn, Frame frame) throws InterruptedException {
        if (conn.lost != null) {
            return;
        }
        comparator.at(frame.toString());
        if (frame.isHandshake()) {
            byte[] actual = take(conn, null, frame);
            if (actual != null) {
                framesCompared++;
                if (!Arrays.equals(frame.payload(), actual)) {
                    comparator.difference("handshake: expected " + ShapeComparator.describe(frame.payload())
                            + ", got " + ShapeComparator.describe(actual));
                }
            }
            return;
        }
        if (conn.handshake.equals("ruok")) {
            byte[] actual = take(conn, null, frame);
            if (actual != null) {
                framesCompared++;
                compareStatusJson(frame.payload(), actual);
            }
            return;
        }
        List<Object> expected = decodeMessage(frame.payload(), frame.toString());
        boolean expectReply = ".reply".equals(expected.get(2));
        byte[] actualPayload = take(conn, expectReply, frame);
        if (actualPayload == null) {
            return;
        }
        framesCompared++;
        List<Object> actual;
        try {
            Object decoded = MessageCodec.decodeValue(actualPayload);
            if (!(decoded instanceof List<?> list) || list.size() != 4) {
                comparator.difference("not a 4-element array: " + ShapeComparator.describe(decoded));
                return;
            }
            @SuppressWarnings("unchecked")
            List<Object> cast = (List<Object>) decoded;
            actual = cast;
        } catch (MalformedMessageException e) {
            comparator.difference("undecodable frame from the server: " + e.getMessage());
            return;
        }
        compareMessage(conn, frame, expected, actual);
    }

    private void compareMessage(Conn conn, Frame frame, List<Object> expected, List<Object> actual) {
        String name = (String) expected.get(2);
        String method = ".reply".equals(name)
                ? conn.methodByMsgid.getOrDefault(ShapeComparator.hexOf(MessageCodec.encodeValue(expected.get(0))),
                        "?") : name;
        boolean error = ".reply".equals(name) && truthy(expected.get(1));
        comparator.at(frame + " (" + (".reply".equals(name) ? (error ? "error reply to " : "reply to ")
                : "callback ") + method + ")");
        comparator.compare(expected.get(0), actual.get(0), "msgid", "");
        comparator.compare(expected.get(1), actual.get(1), "flag", "");
        if (!name.equals(actual.get(2))) {
            comparator.difference("name: expected '" + name + "', got " + ShapeComparator.describe(actual.get(2)));
            return;
        }
        if (!".reply".equals(name)) {
            comparator.compare(expected.get(3), actual.get(3), "callback:" + name, "");
        } else if (error) {
            compareError(method, expected.get(3), actual.get(3));
        } else {
            comparator.compare(expected.get(3), actual.get(3), "reply:" + method, "");
            if ((method.equals("iterator_start") || method.equals("iterator_record_start"))
                    && expected.get(3) instanceof Long recordedId && actual.get(3) instanceof Long actualId) {
                conn.iteratorIds.put(recordedId, actualId);
            }
        }
    }

    private void compareError(String method, Object expected, Object actual) {
        List<?> e = (List<?>) expected;
        if (!(actual instanceof List<?> a) || a.size() != 2 || !(a.get(0) instanceof String)) {
            comparator.difference("error reply: expected [class_name, exc_args], got "
                    + ShapeComparator.describe(actual));
            return;
        }
        if (!e.get(0).equals(a.get(0))) {
            comparator.difference("error class: expected " + e.get(0) + " " + ShapeComparator.describe(e.get(1))
                    + ", got " + a.get(0) + " " + ShapeComparator.describe(a.get(1)));
            return;
        }
        comparator.compare(e.get(1), a.get(1), "error:" + method + ":" + e.get(0), "");
    }

    /** The ruok answer: one frame of JSON text {storage: server_status}; keys and JSON types must match. */
    private void compareStatusJson(byte[] expectedPayload, byte[] actualPayload) {
        Map<String, Object> expected = Json.object(Json.parse(new String(expectedPayload, StandardCharsets.UTF_8)));
        Map<String, Object> actual;
        try {
            actual = Json.object(Json.parse(new String(actualPayload, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            comparator.difference("ruok: not a JSON object: " + e.getMessage());
            return;
        }
        if (!expected.keySet().equals(actual.keySet())) {
            comparator.difference("ruok: storages " + actual.keySet() + ", expected " + expected.keySet());
            return;
        }
        for (String storage : expected.keySet()) {
            comparator.compare(expected.get(storage), actual.get(storage), "reply:server_status", "");
        }
    }

    /**
     * The next frame on the connection: of the expected kind (a reply when {@code reply} is true, a callback when
     * false, anything when null). On relaxed-order connections frames of the other kind are set aside for later.
     * Returns null, after recording a difference, when the server closed the connection or sent nothing in time.
     */
    private byte[] take(Conn conn, Boolean reply, Frame frame) throws InterruptedException {
        boolean relaxed = reply != null && relaxedOrder.contains(conn.number);
        if (relaxed) {
            for (Iterator<byte[]> it = conn.backlog.iterator(); it.hasNext(); ) {
                byte[] waiting = it.next();
                if (isReply(waiting) == reply) {
                    it.remove();
                    return waiting;
                }
            }
        } else if (!conn.backlog.isEmpty()) {
            return conn.backlog.poll();
        }
        while (true) {
            byte[] actual;
            try {
                actual = conn.raw.next(WAIT);
            } catch (TimeoutException e) {
                comparator.difference("nothing from the server within " + WAIT.toSeconds()
                        + " s; Python sent " + summary(frame));
                conn.lost = "timed out";
                return null;
            }
            if (actual == null) {
                comparator.difference("the server closed the connection (" + conn.raw.closedReason()
                        + "); Python sent " + summary(frame) + " and kept it open");
                conn.lost = "closed";
                return null;
            }
            if (relaxed && isReply(actual) != reply) {
                comparator.note("arrives before the " + (reply ? "reply" : "callback") + " Python sent first: "
                        + summary(actual));
                conn.backlog.add(actual);
                continue;
            }
            return actual;
        }
    }

    private static boolean isReply(byte[] payload) {
        try {
            Object decoded = MessageCodec.decodeValue(payload);
            return decoded instanceof List<?> list && list.size() == 4 && ".reply".equals(list.get(2));
        } catch (MalformedMessageException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- end of a connection

    private void finish(Conn conn) throws InterruptedException {
        if (conn.lost != null) {
            return;
        }
        comparator.at("conn" + conn.number + " after its last recorded frame");
        if (closedByServer.contains(conn.number)) {
            if (!conn.raw.awaitClosed(WAIT)) {
                comparator.difference("Python closed this connection here; jzeo kept it open for "
                        + WAIT.toSeconds() + " s");
            }
            for (byte[] extra : pending(conn)) {
                comparator.difference("unexpected frame before the close: " + summary(extra));
            }
            return;
        }
        for (byte[] extra : pending(conn)) {
            comparator.difference("unexpected frame: " + summary(extra));
        }
        if (conn.raw.isClosed()) {
            comparator.difference("jzeo closed the connection (" + conn.raw.closedReason()
                    + "); Python kept it open");
            return;
        }
        try {
            conn.raw.sendFrame(MessageCodec.encodeValue(Arrays.asList(PROBE_MSGID, false, "ping", List.of())));
            while (true) {
                byte[] answer = conn.raw.next(WAIT);
                if (answer == null) {
                    comparator.difference("jzeo closed the connection (" + conn.raw.closedReason()
                            + ") instead of answering a ping; Python kept it open");
                    break;
                }
                List<Object> message = decodeMessage(answer, "ping answer");
                if (Long.valueOf(PROBE_MSGID).equals(message.get(0))) {
                    if (!Long.valueOf(0L).equals(message.get(1)) || message.get(3) != null) {
                        comparator.difference("ping answered with " + summary(answer));
                    }
                    break;
                }
                comparator.difference("unexpected frame: " + summary(answer));
            }
        } catch (IOException e) {
            comparator.difference("jzeo closed the connection before the ping: " + e.getMessage());
        } catch (TimeoutException e) {
            comparator.difference("the connection is open but the ping got no answer within " + WAIT.toSeconds()
                    + " s");
        }
        conn.raw.close();
    }

    private static List<byte[]> pending(Conn conn) {
        List<byte[]> frames = new ArrayList<>(conn.backlog);
        conn.backlog.clear();
        frames.addAll(conn.raw.drain());
        return frames;
    }

    // ---------------------------------------------------------------- helpers

    private static List<Object> decodeMessage(byte[] payload, String what) {
        try {
            Object decoded = MessageCodec.decodeValue(payload);
            if (decoded instanceof List<?> list && list.size() == 4) {
                @SuppressWarnings("unchecked")
                List<Object> message = (List<Object>) list;
                return message;
            }
        } catch (MalformedMessageException e) {
            throw new IllegalStateException(what + ": not a msgpack message", e);
        }
        throw new IllegalStateException(what + ": not a 4-element array");
    }

    private static boolean truthy(Object flag) {
        return flag instanceof Boolean b ? b : flag instanceof Long l && l != 0L;
    }

    private String summary(Frame frame) {
        return summary(frame.payload());
    }

    private static String summary(byte[] payload) {
        try {
            return ShapeComparator.describe(MessageCodec.decodeValue(payload));
        } catch (MalformedMessageException e) {
            return ShapeComparator.describe(payload);
        }
    }
}
