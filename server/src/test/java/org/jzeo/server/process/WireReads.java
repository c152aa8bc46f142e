package org.jzeo.server.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;

/**
 * Reads over the wire that the process tests share: the whole transaction log through ZEO's iterator methods
 * (spec §5.4), {@code loadSerial} and {@code getInvalidations}, with the reply shapes checked.
 */
final class WireReads {
    private WireReads() {
    }

    /** One data record as {@code iterator_record_next} gives it. */
    record FileRecord(Oid oid, Tid tid, byte[] data, Tid dataTxn) {
    }

    /** One transaction as {@code iterator_next} gives it, with its records. */
    record FileTransaction(Tid tid, String status, byte[] user, byte[] description, Map<?, ?> extension,
                           List<FileRecord> records) {
        Set<Oid> oids() {
            Set<Oid> oids = new LinkedHashSet<>();
            records.forEach(r -> oids.add(r.oid()));
            return oids;
        }
    }

    /** {@code getInvalidations} result: nil becomes null. */
    record Invalidations(Tid tid, List<Oid> oids) {
    }

    /** Every transaction from {@code start} (inclusive; null = the first) to the end, in file order. */
    static List<FileTransaction> transactions(ZeoTestClient client, Tid start) {
        Object iid = client.call("iterator_start", start, null);
        if (!(iid instanceof Long)) {
            throw new AssertionError("iterator_start must return an int id, got " + iid);
        }
        List<FileTransaction> all = new ArrayList<>();
        while (true) {
            Object next = client.call("iterator_next", iid);
            if (next == null) {
                return all;
            }
            List<?> t = list(next, 5, "iterator_next");
            Tid tid = tid(t.get(0), "iterator_next tid");
            if (!(t.get(1) instanceof String)) {
                throw new AssertionError("iterator_next status must be str, got " + t.get(1));
            }
            Object rid = client.call("iterator_record_start", iid, tid);
            List<FileRecord> records = new ArrayList<>();
            while (true) {
                Object r = client.call("iterator_record_next", rid);
                if (r == null) {
                    break;
                }
                List<?> rec = list(r, 4, "iterator_record_next");
                records.add(new FileRecord(Oid.fromBytes(bin(rec.get(0), 8, "record oid")),
                        tid(rec.get(1), "record tid"), rec.get(2) == null ? null : bin(rec.get(2), -1, "data"),
                        rec.get(3) == null ? null : tid(rec.get(3), "record data_txn")));
            }
            all.add(new FileTransaction(tid, (String) t.get(1), bin(t.get(2), -1, "user"),
                    bin(t.get(3), -1, "description"), (Map<?, ?>) t.get(4), records));
        }
    }

    static byte[] loadSerial(ZeoTestClient client, Oid oid, Tid serial) {
        return bin(client.call("loadSerial", oid, serial), -1, "loadSerial");
    }

    /** A loadBefore result as it came: nil → null, else {@code [data, start_tid, end_tid or nil]}. */
    static LoadResult loadResult(Object reply, String what) {
        if (reply == null) {
            return null;
        }
        List<?> triple = list(reply, 3, what);
        return new LoadResult(bin(triple.get(0), -1, what + " data"), tid(triple.get(1), what + " start"),
                triple.get(2) == null ? null : tid(triple.get(2), what + " end"));
    }

    /** The result of a call sent with {@code callAsyncReply}, waiting at most {@code timeout}. */
    static Object await(CompletableFuture<Object> reply, Duration timeout, String what) throws Exception {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no reply to " + what + " within " + timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    static Invalidations getInvalidations(ZeoTestClient client, Tid since) {
        Object reply = client.call("getInvalidations", since);
        if (reply == null) {
            return null;
        }
        List<?> pair = list(reply, 2, "getInvalidations");
        List<Oid> oids = new ArrayList<>();
        if (!(pair.get(1) instanceof List)) {
            throw new AssertionError("getInvalidations: the oids must be an array, got " + pair.get(1));
        }
        for (Object o : (List<?>) pair.get(1)) {
            oids.add(Oid.fromBytes(bin(o, 8, "getInvalidations oid")));
        }
        return new Invalidations(tid(pair.get(0), "getInvalidations tid"), oids);
    }

    static Tid tid(Object value, String what) {
        return Tid.fromBytes(bin(value, 8, what));
    }

    private static byte[] bin(Object value, int length, String what) {
        if (!(value instanceof byte[]) || (length >= 0 && ((byte[]) value).length != length)) {
            throw new AssertionError(what + ": expected bin" + (length >= 0 ? " of " + length + " bytes" : "")
                    + ", got " + (value == null ? "nil" : value.getClass().getSimpleName()));
        }
        return (byte[]) value;
    }

    private static List<?> list(Object value, int size, String what) {
        if (!(value instanceof List) || ((List<?>) value).size() != size) {
            throw new AssertionError(what + ": expected an array of " + size + ", got " + value);
        }
        return (List<?>) value;
    }
}
