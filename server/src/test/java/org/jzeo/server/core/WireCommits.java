package org.jzeo.server.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;

/**
 * Small helpers shared by the commit and invalidation tests in this package: record payloads, the individual
 * steps of a two-phase commit as ZEO 5's client sends them, and waiting for a condition.
 */
final class WireCommits {
    static final byte[] EMPTY = new byte[0];

    private WireCommits() {
    }

    /** A client connected to {@code server} and registered with storage "1". */
    static ZeoTestClient connect(RunningServer server, boolean readOnly) throws IOException {
        ZeoTestClient client = ZeoTestClient.connect(TestServers.address(server));
        try {
            client.register("1", readOnly);
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
        return client;
    }

    static ZeoTestClient connect(RunningServer server) throws IOException {
        return connect(server, false);
    }

    static byte[] text(String value) {
        return JzeoRecord.encode(List.of(), value.getBytes(StandardCharsets.UTF_8));
    }

    static String text(byte[] record) {
        return new String(JzeoRecord.decode(record).payload(), StandardCharsets.UTF_8);
    }

    static byte[] balance(long value) {
        return JzeoRecord.encode(List.of(), ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }

    static long balance(byte[] record) {
        byte[] payload = JzeoRecord.decode(record).payload();
        if (payload.length != Long.BYTES) {
            throw new AssertionError("an account record holds 8 bytes, got " + payload.length);
        }
        return ByteBuffer.wrap(payload).getLong();
    }

    /** Async {@code tpc_begin(txn, b"", b"", {}, nil, " ")}, as ZEO's client sends it. */
    static void begin(ZeoTestClient client, long txn) {
        client.send("tpc_begin", txn, EMPTY, EMPTY, Map.of(), null, " ");
    }

    /** Async {@code storea(oid, serial, data, txn)}. */
    static void store(ZeoTestClient client, long txn, Oid oid, Tid serial, byte[] data) {
        client.send("storea", oid, serial, data, txn);
    }

    /** {@code server_status()} as a map with str keys. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> serverStatus(ZeoTestClient client) {
        Object status = client.call("server_status");
        if (!(status instanceof Map)) {
            throw new AssertionError("server_status must return a map, got " + status);
        }
        return (Map<String, Object>) status;
    }

    /** The tid in a reply value (bin 8). */
    static Tid tid(Object value, String what) {
        if (!(value instanceof byte[]) || ((byte[]) value).length != 8) {
            throw new AssertionError(what + ": expected a tid (bin 8), got " + value);
        }
        return Tid.fromBytes((byte[]) value);
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} when it does not within {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
