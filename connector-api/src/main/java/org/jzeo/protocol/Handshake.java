package org.jzeo.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ZEO 5 handshake (spec §2): the server speaks first with one sized message {@code "M5"}; the client
 * answers {@code "M5"}, or {@code "ruok"} for a status probe. jzeo speaks msgpack only, so everything else is
 * refused. Stateless; each payload is the content of one sized message, without the length prefix.
 */
public final class Handshake {
    /** The only protocol jzeo speaks, as text for logs: msgpack encoding, ZEO 5. */
    public static final String PROTOCOL_M5 = "M5";
    /** The status probe a monitoring tool sends instead of a protocol. */
    public static final String STATUS_PROBE = "ruok";

    private static final byte[] M5 = {'M', '5'};
    private static final byte[] RUOK = {'r', 'u', 'o', 'k'};

    private Handshake() {
    }

    /** What a handshake payload means for the side that received it. */
    public enum Kind {
        /** The peer speaks ZEO 5 msgpack: go on with RPC messages. */
        MSGPACK_5,
        /** The client sent {@code ruok}: answer one JSON status message and close. */
        STATUS_PROBE,
        /** Anything else: log {@link Result#reason()} and close. */
        BAD
    }

    /** A classification with a human-readable reason for {@link Kind#BAD} (null otherwise). */
    public record Result(Kind kind, String reason) {
        static final Result MSGPACK = new Result(Kind.MSGPACK_5, null);
        static final Result PROBE = new Result(Kind.STATUS_PROBE, null);

        static Result bad(String reason) {
            return new Result(Kind.BAD, reason);
        }

        public boolean isBad() {
            return kind == Kind.BAD;
        }
    }

    /** What the server sends first: {@code "M5"}. Python 5.4 clients reject any other version (M4, M3101, ...). */
    public static byte[] serverAnnouncement() {
        return M5.clone();
    }

    /** What a ZEO 5 msgpack client answers: {@code "M5"}. */
    public static byte[] clientReply() {
        return M5.clone();
    }

    /** The status probe a monitoring tool sends instead of a protocol: {@code "ruok"}. */
    public static byte[] statusProbe() {
        return RUOK.clone();
    }

    /** Server side: classifies the client's first message. */
    public static Result classifyClientReply(byte[] payload) {
        if (Arrays.equals(payload, M5)) {
            return Result.MSGPACK;
        }
        if (Arrays.equals(payload, RUOK)) {
            return Result.PROBE;
        }
        if (payload.length == 0) {
            return Result.bad("empty protocol reply from the client");
        }
        if (payload[0] == 'Z') {
            return Result.bad("client asked for the pickle encoding " + show(payload)
                    + "; this server speaks msgpack (M5) only");
        }
        if (payload[0] == 'M') {
            return Result.bad("client asked for protocol version " + show(payload) + "; only M5 is supported");
        }
        return Result.bad("not a ZEO protocol reply: " + show(payload));
    }

    /**
     * Client side: checks the server's announcement as the Python 5.4 client does ({@code min(version, "5")}
     * must be {@code "5"}, so "M5" and newer like "M6" are fine and the reply is always "M5"), refusing the pickle
     * encoding, which jzeo does not speak.
     */
    public static Result classifyServerAnnouncement(byte[] payload) {
        if (payload.length == 0) {
            return Result.bad("empty protocol announcement from the server");
        }
        byte[] version = Arrays.copyOfRange(payload, 1, payload.length);
        boolean atLeast5 = Arrays.compareUnsigned(version, new byte[] {'5'}) >= 0;
        if (payload[0] == 'Z') {
            return Result.bad("server announced the pickle encoding " + show(payload)
                    + "; configure it with msgpack enabled (<zeo> msgpack true)");
        }
        if (payload[0] != 'M') {
            return Result.bad("not a ZEO protocol announcement: " + show(payload));
        }
        return atLeast5 ? Result.MSGPACK : Result.bad("server protocol " + show(payload) + " is older than M5");
    }

    /** Printable ASCII as text, anything else as hex: handshake garbage ends up in logs. */
    private static String show(byte[] payload) {
        boolean printable = payload.length <= 64;
        for (byte b : payload) {
            printable &= b >= 0x20 && b < 0x7f;
        }
        if (printable) {
            return "\"" + new String(payload, StandardCharsets.US_ASCII) + "\"";
        }
        StringBuilder hex = new StringBuilder("0x");
        for (int i = 0; i < Math.min(payload.length, 32); i++) {
            hex.append(String.format("%02x", payload[i]));
        }
        return hex.append(payload.length > 32 ? "... (" + payload.length + " bytes)" : "").toString();
    }
}
