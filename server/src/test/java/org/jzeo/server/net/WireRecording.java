package org.jzeo.server.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jzeo.server.testsupport.Json;

/**
 * One captured Python session from {@code vectors/wire} (on the test classpath through the connector-api test
 * jar): every connection's frames in both directions, and the order in which the proxy saw them.
 *
 * <p>The {@code events.jsonl} file lists TCP reads, each with its time, direction, connection, offset and length
 * in that direction's {@code .bin} file. A read may hold several frames, and a frame belongs to the read in which
 * its length prefix starts. {@link #steps()} turns that into the replay order: one step per read, holding the
 * frames that start in it, sorted by time.
 */
final class WireRecording {
    private static final String DIRECTORY = "/vectors/wire/";

    enum Direction { C2S, S2C }

    /** One sized message: its payload, where it sits in its direction's stream, and its index there (0 = handshake). */
    record Frame(int connection, Direction direction, int index, int offset, byte[] payload) {
        boolean isHandshake() {
            return index == 0;
        }

        @Override
        public String toString() {
            return "conn" + connection + " " + (direction == Direction.C2S ? "C->S" : "S->C") + " frame#" + index
                    + " @" + offset;
        }
    }

    /** One TCP read seen by the recording proxy, with the frames whose length prefix starts in it. */
    record Step(double time, int connection, Direction direction, List<Frame> frames) {
    }

    private final String scenario;
    private final Map<Integer, List<Frame>> clientFrames = new TreeMap<>();
    private final Map<Integer, List<Frame>> serverFrames = new TreeMap<>();
    private final List<Step> steps = new ArrayList<>();

    private WireRecording(String scenario) {
        this.scenario = scenario;
    }

    /** Loads {@code NAME.connN.{c2s,s2c}.bin} and {@code NAME.events.jsonl}, e.g. for {@code "smoke-M5"}. */
    static WireRecording load(String scenario) {
        WireRecording recording = new WireRecording(scenario);
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : new String(resource(scenario + ".events.jsonl"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                events.add(Json.object(Json.parse(line)));
            }
        }
        TreeSet<Integer> connections = new TreeSet<>();
        for (Map<String, Object> event : events) {
            connections.add(((Long) event.get("conn")).intValue());
        }
        for (int conn : connections) {
            recording.clientFrames.put(conn, split(resource(scenario + ".conn" + conn + ".c2s.bin"), conn,
                    Direction.C2S));
            recording.serverFrames.put(conn, split(resource(scenario + ".conn" + conn + ".s2c.bin"), conn,
                    Direction.S2C));
        }
        List<Map<String, Object>> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparingDouble(e -> ((Number) e.get("t")).doubleValue())); // stable
        for (Map<String, Object> event : ordered) {
            int conn = ((Long) event.get("conn")).intValue();
            Direction direction = "c2s".equals(event.get("dir")) ? Direction.C2S : Direction.S2C;
            long start = (Long) event.get("offset");
            long end = start + (Long) event.get("len");
            List<Frame> inRead = new ArrayList<>();
            for (Frame frame : recording.frames(conn, direction)) {
                if (frame.offset() >= start && frame.offset() < end) {
                    inRead.add(frame);
                }
            }
            recording.steps.add(new Step(((Number) event.get("t")).doubleValue(), conn, direction,
                    List.copyOf(inRead)));
        }
        recording.checkEveryFrameIsInAStep();
        return recording;
    }

    String scenario() {
        return scenario;
    }

    List<Integer> connections() {
        return List.copyOf(clientFrames.keySet());
    }

    List<Frame> frames(int connection, Direction direction) {
        return (direction == Direction.C2S ? clientFrames : serverFrames).get(connection);
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    /** The index in {@link #steps()} of the last step of {@code connection}. */
    int lastStepOf(int connection) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).connection() == connection) {
                return i;
            }
        }
        throw new IllegalArgumentException("no step for connection " + connection);
    }

    private void checkEveryFrameIsInAStep() {
        int inSteps = steps.stream().mapToInt(s -> s.frames().size()).sum();
        int total = 0;
        for (List<Frame> frames : clientFrames.values()) {
            total += frames.size();
        }
        for (List<Frame> frames : serverFrames.values()) {
            total += frames.size();
        }
        if (inSteps != total) {
            throw new IllegalStateException(scenario + ": the events cover " + inSteps + " of " + total + " frames");
        }
    }

    private static List<Frame> split(byte[] data, int connection, Direction direction) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            int offset = buffer.position();
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalStateException("conn" + connection + " " + direction + ": frame at " + offset
                        + " announces " + length + " bytes, " + buffer.remaining() + " left");
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            frames.add(new Frame(connection, direction, frames.size(), offset, payload));
        }
        return frames;
    }

    private static byte[] resource(String name) {
        try (InputStream in = WireRecording.class.getResourceAsStream(DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalStateException("no classpath resource " + DIRECTORY + name
                        + " (connector-api's test resources are on the server's test classpath via its test jar)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
