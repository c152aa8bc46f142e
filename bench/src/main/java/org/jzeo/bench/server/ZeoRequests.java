package org.jzeo.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.TransactionCall;
import org.jzeo.server.cli.AdminConnection;

/**
 * The stock-client-like request sequences the server benchmarks send over an {@link AdminConnection} (one
 * outstanding request at a time, no client cache): the object record they store, adding new objects in one
 * transaction, and a 1-object update transaction. Shared by {@link LoadTool}, {@link ServerCpuTool} and
 * {@code cluster.ClusterThroughputTool}.
 */
public final class ZeoRequests {
    private ZeoRequests() {
    }

    private static final byte[] CLASS_PICKLE = ("\u0080\u0003cpersistent.mapping\nPersistentMapping\nq\u0000.")
            .getBytes(StandardCharsets.ISO_8859_1);

    /**
     * A ZODB-shaped record of exactly {@code size} bytes (at least 80): the class pickle, then a state pickle
     * {@code {"data": <bytes>}} (protocol 3). The server does not parse it except for a conflict's class name.
     */
    public static byte[] record(int size, long seed) {
        byte[] head = "\u0080\u0003}q\u0001X\u0004\u0000\u0000\u0000dataq\u0002".getBytes(StandardCharsets.ISO_8859_1);
        int fixed = CLASS_PICKLE.length + head.length + 2 /* B len */ + 4 /* q\3s. */;
        int n = size - fixed; // 'C' short binbytes, length < 256; larger: 'B' with a 4-byte length
        byte[] out = new byte[size];
        int at = 0;
        System.arraycopy(CLASS_PICKLE, 0, out, at, CLASS_PICKLE.length);
        at += CLASS_PICKLE.length;
        System.arraycopy(head, 0, out, at, head.length);
        at += head.length;
        if (n < 256) {
            out[at++] = 'C';
            out[at++] = (byte) n;
        } else {
            n -= 3;
            out[at++] = 'B';
            out[at++] = (byte) n;
            out[at++] = (byte) (n >>> 8);
            out[at++] = (byte) (n >>> 16);
            out[at++] = (byte) (n >>> 24);
        }
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            out[at++] = (byte) r.nextInt(256);
        }
        out[at++] = 'q';
        out[at++] = 3;
        out[at++] = 's';
        out[at] = '.';
        return out;
    }

    public static void checkVote(Object vote) throws IOException {
        if (!(vote instanceof List<?> l) || !l.isEmpty()) {
            throw new IOException("vote returned " + vote + " (expected [])");
        }
    }

    /**
     * One transaction adding {@code n} new objects with record {@code data}: takes oids from {@code pool},
     * refilled with new_oids as needed, then tpc_begin, storea × n, vote, tpc_finish. Stores the oids at
     * {@code oids[at..at+n)} and the committed tid at {@code serials[at..at+n)}, and removes them from the pool.
     */
    public static void addObjects(AdminConnection client, List<byte[]> pool, byte[][] oids, byte[][] serials, int at,
                           int n, long txn, byte[] user, byte[] desc, byte[] data) throws IOException {
        while (pool.size() < n) {
            for (Object oid : (List<?>) client.call(null, new Requests.NewOids(Requests.NewOids.DEFAULT_COUNT))) {
                pool.add((byte[]) oid);
            }
        }
        client.send(new Requests.TpcBegin(txn, user, desc, Map.of(), null, " "));
        for (int i = 0; i < n; i++) {
            oids[at + i] = pool.get(i);
            client.send(new Requests.Store(Oid.fromBytes(pool.get(i)), Tid.ZERO, data, txn));
        }
        checkVote(client.call(null, new TransactionCall(TransactionCall.VOTE, txn)));
        byte[] tid = (byte[]) client.call(null, new TransactionCall(TransactionCall.FINISH, txn));
        for (int i = 0; i < n; i++) {
            serials[at + i] = tid;
        }
        pool.subList(0, n).clear();
    }

    /**
     * A 1-object update transaction: tpc_begin, storea(oid, serial, data), vote, tpc_finish, as the stock
     * client sends them (the begin and the store leave with the vote). Returns the new serial (the tid).
     */
    public static byte[] updateOne(AdminConnection client, long txn, byte[] user, byte[] desc, byte[] oid, byte[] serial,
                            byte[] data) throws IOException {
        client.send(new Requests.TpcBegin(txn, user, desc, Map.of(), null, " "));
        client.send(new Requests.Store(Oid.fromBytes(oid), Tid.fromBytes(serial), data, txn));
        checkVote(client.call(null, new TransactionCall(TransactionCall.VOTE, txn)));
        return (byte[]) client.call(null, new TransactionCall(TransactionCall.FINISH, txn));
    }
}
