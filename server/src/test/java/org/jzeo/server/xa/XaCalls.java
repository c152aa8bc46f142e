package org.jzeo.server.xa;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;

/** The XA wire calls as a jzeo client sends them, over the blocking test client. */
final class XaCalls {
    static final byte[] EMPTY = new byte[0];

    private XaCalls() {
    }

    static ZeoTestClient connect(RunningServer server) throws IOException {
        return connect(TestServers.address(server));
    }

    static ZeoTestClient connect(InetSocketAddress address) throws IOException {
        ZeoTestClient client = ZeoTestClient.connect(address);
        client.register("1", false);
        return client;
    }

    static WireXid xid(String gtrid, int branch) {
        return new WireXid(0x4a5a, gtrid.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) branch});
    }

    static byte[] text(String value) {
        return JzeoRecord.encode(List.of(), value.getBytes(StandardCharsets.UTF_8));
    }

    static String text(byte[] record) {
        return new String(JzeoRecord.decode(record).payload(), StandardCharsets.UTF_8);
    }

    /** tpc_begin, the stores (serial from {@code serials}, ZERO for new objects), then xa_vote. */
    static Object prepare(ZeoTestClient client, long txn, WireXid xid, Map<Oid, byte[]> stores,
                          Map<Oid, Tid> serials, long timeoutSeconds) {
        client.send("tpc_begin", txn, EMPTY, EMPTY, Map.of(), null, " ");
        for (Map.Entry<Oid, byte[]> store : stores.entrySet()) {
            client.send("storea", store.getKey(), serials.getOrDefault(store.getKey(), Tid.ZERO), store.getValue(),
                    txn);
        }
        return client.call(XaWire.VOTE, txn, XaWire.encode(xid), timeoutSeconds);
    }

    static Object prepare(ZeoTestClient client, long txn, WireXid xid, Oid oid, Tid serial, String value) {
        return prepare(client, txn, xid, Map.of(oid, text(value)), Map.of(oid, serial), 0);
    }

    /** xa_commit: [tid, [oids]]. */
    static Commit commit(ZeoTestClient client, WireXid xid) {
        Object reply = client.call(XaWire.COMMIT, XaWire.encode(xid));
        if (!(reply instanceof List<?> parts) || parts.size() != 2 || !(parts.get(0) instanceof byte[] tid)
                || !(parts.get(1) instanceof List<?> oids)) {
            throw new AssertionError("xa_commit must answer [tid, [oids]], got " + reply);
        }
        List<Oid> list = new ArrayList<>();
        for (Object o : oids) {
            list.add(Oid.fromBytes((byte[]) o));
        }
        return new Commit(Tid.fromBytes(tid), list);
    }

    record Commit(Tid tid, List<Oid> oids) {
    }

    static void rollback(ZeoTestClient client, WireXid xid) {
        client.call(XaWire.ROLLBACK, XaWire.encode(xid));
    }

    static void forget(ZeoTestClient client, WireXid xid) {
        client.call(XaWire.FORGET, XaWire.encode(xid));
    }

    static List<WireXid> recover(ZeoTestClient client) {
        Object reply = client.call(XaWire.RECOVER);
        List<WireXid> xids = new ArrayList<>();
        for (Object each : (List<?>) reply) {
            xids.add(XaWire.decode(each));
        }
        return xids;
    }

    /** The XAException error code of the XA error reply {@code call} fails with. */
    static int xaError(Runnable call) {
        try {
            call.run();
        } catch (ServerException e) {
            Integer code = XaErrors.errorCode(e);
            if (code == null) {
                throw new AssertionError("expected a jzeo.XAError reply, got " + e, e);
            }
            if (!(e.excArgs() instanceof Map<?, ?> m) || !(m.get("message") instanceof String)) {
                throw new AssertionError("an XA error carries {errorCode, message}: " + e.excArgs());
            }
            return code;
        }
        throw new AssertionError("expected a jzeo.XAError reply, the call succeeded");
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
