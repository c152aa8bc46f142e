package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Access to the captured Python sessions copied under src/test/resources/vectors/wire. */
final class WireVectors {
    private static final Pattern C2S_FILE = Pattern.compile("(.+)\\.conn(\\d+)\\.c2s\\.bin");

    private WireVectors() {
    }

    /** One captured TCP connection: both directions' raw bytes, handshake included. */
    record Connection(String scenario, int number, Path clientToServer, Path serverToClient) {
        @Override
        public String toString() {
            return scenario + " conn" + number;
        }

        byte[] c2sBytes() {
            return read(clientToServer);
        }

        byte[] s2cBytes() {
            return read(serverToClient);
        }
    }

    /** A frame: where it starts in the direction's file (its length prefix) and its payload. */
    record Frame(int offset, byte[] payload) {
        int end() {
            return offset + 4 + payload.length;
        }
    }

    static Path directory() {
        URL url = WireVectors.class.getResource("/vectors/wire");
        assertThat(url).as("test resources vectors/wire").isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Connection> connections() {
        Path dir = directory();
        List<Connection> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).sorted().forEach(name -> {
                Matcher m = C2S_FILE.matcher(name);
                if (m.matches()) {
                    String scenario = m.group(1);
                    int number = Integer.parseInt(m.group(2));
                    result.add(new Connection(scenario, number, dir.resolve(name),
                            dir.resolve(scenario + ".conn" + number + ".s2c.bin")));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    static List<String> scenarios() {
        return connections().stream().map(Connection::scenario).distinct().sorted().toList();
    }

    /** Splits a direction's bytes into sized messages; the bytes must end exactly at a frame boundary. */
    static List<Frame> frames(byte[] data) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            int offset = buffer.position();
            assertThat(buffer.remaining()).as("length prefix at %d", offset).isGreaterThanOrEqualTo(4);
            int length = buffer.getInt();
            assertThat(length).as("frame length at %d", offset).isBetween(0, buffer.remaining());
            byte[] payload = new byte[length];
            buffer.get(payload);
            frames.add(new Frame(offset, payload));
        }
        return frames;
    }

    static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }
}
