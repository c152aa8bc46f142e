package org.jzeo.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * The calls a ZEO 5 client makes, one record per method: the one place where a call's positional arguments are
 * named, checked and given defaults. The server decodes what arrives with {@code decode(args)}; jzeo's clients
 * build the record and send {@link Request#args()}.
 *
 * <p>Decoding is as liberal as ZEO's server, which hands the arguments to Python code that takes whatever works:
 * a serial may be nil (no previous revision) or an 8-character str (see {@link Args#serial}); a transaction id
 * is any value, compared by value; text fields accept bin or str; trailing optional arguments may be absent or
 * nil; counts are any int. What ZEO refuses is refused the way it is ({@link WireTypeException}, a TypeError for
 * the call), e.g. {@code history(oid, None)}.
 */
public final class Requests {
    private Requests() {
    }

    /** One call: its wire method name and its arguments in wire order. */
    public interface Request {
        String method();

        List<Object> args();
    }

    // ---------------------------------------------------------------- session

    /** {@code register(storage, read_only)}: returns the storage's last tid. */
    public record Register(String storage, boolean readOnly) implements Request {
        public static final String METHOD = "register";

        public static Register decode(List<Object> args) {
            Args.requireCount(args, 2, 3);
            return new Register(Args.text(args, 0), Args.truthy(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(storage, readOnly);
        }
    }

    /** {@code set_client_label(label)}: ZEO logs {@code str(label)}, so any value is accepted. */
    public record SetClientLabel(String label) implements Request {
        public static final String METHOD = "set_client_label";

        public static SetClientLabel decode(List<Object> args) {
            Object value = Args.has(args, 0) ? args.get(0) : null;
            String label = value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
            return new SetClientLabel(label);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(label);
        }
    }

    /** {@code new_oids(n=100)}. */
    public record NewOids(long count) implements Request {
        public static final String METHOD = "new_oids";
        public static final long DEFAULT_COUNT = 100;

        public static NewOids decode(List<Object> args) {
            Args.requireCount(args, 0, 1);
            return new NewOids(Args.optionalLong(args, 0, DEFAULT_COUNT));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(count);
        }
    }

    /** {@code getInvalidations(tid)}: what changed after the client's cache tid. */
    public record GetInvalidations(Tid since) implements Request {
        public static final String METHOD = "getInvalidations";

        public static GetInvalidations decode(List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new GetInvalidations(Args.tid(args, 0));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(since);
        }
    }

    // ---------------------------------------------------------------- reads

    /** {@code loadBefore(oid, tid)}. */
    public record LoadBefore(Oid oid, Tid before) implements Request {
        public static final String METHOD = "loadBefore";

        public static LoadBefore decode(List<Object> args) {
            Args.requireCount(args, 2, 2);
            return new LoadBefore(Args.oid(args, 0), Args.tid(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(oid, before);
        }
    }

    /** {@code loadSerial(oid, serial)}. */
    public record LoadSerial(Oid oid, Tid serial) implements Request {
        public static final String METHOD = "loadSerial";

        public static LoadSerial decode(List<Object> args) {
            Args.requireCount(args, 2, 2);
            return new LoadSerial(Args.oid(args, 0), Args.tid(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(oid, serial);
        }
    }

    /** {@code getTid(oid)}. */
    public record GetTid(Oid oid) implements Request {
        public static final String METHOD = "getTid";

        public static GetTid decode(List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new GetTid(Args.oid(args, 0));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(oid);
        }
    }

    /**
     * {@code history(oid, size=1)}. Both may be nil, and the server answers as ZEO's storages do, in their order:
     * a nil oid is a POSKeyError (MappingStorage's answer; ZEO's {@code checkExceptionLogsAtError} relies on it),
     * an unknown oid too, and only then an explicit nil size is a TypeError (FileStorage's
     * {@code history(oid, size=None)}). {@code size} null means nil was sent; absent means 1.
     */
    public record History(Oid oid, Long size) implements Request {
        public static final String METHOD = "history";

        public History(Oid oid, long size) {
            this(oid, Long.valueOf(size));
        }

        public static History decode(List<Object> args) {
            Args.requireCount(args, 1, 2);
            Long size = !Args.has(args, 1) ? Long.valueOf(1) : args.get(1) == null ? null : Args.longValue(args, 1);
            return new History(Args.optionalOid(args, 0), size);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, size);
        }
    }

    /** {@code record_iternext(next=None)}: {@code next} null starts the walk. */
    public record RecordIterNext(Oid next) implements Request {
        public static final String METHOD = "record_iternext";

        public static RecordIterNext decode(List<Object> args) {
            Args.requireCount(args, 0, 1);
            return new RecordIterNext(Args.optionalOid(args, 0));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(next);
        }
    }

    // ---------------------------------------------------------------- two-phase commit

    /**
     * {@code tpc_begin(txn, user, description, ext, tid=None, status=' ')}; user and description as bin or str,
     * ext's keys as str or bin; the defaults of ZEO's signature for what is absent.
     */
    public record TpcBegin(Object txn, byte[] user, byte[] description, Map<String, Object> extension, Tid tid,
                           String status) implements Request {
        public static final String METHOD = "tpc_begin";

        public static TpcBegin decode(List<Object> args) {
            Args.requireCount(args, 1, 6);
            byte[] user = Args.has(args, 1) ? Args.textBytes(args, 1) : new byte[0];
            byte[] description = Args.has(args, 2) ? Args.textBytes(args, 2) : new byte[0];
            Map<String, Object> extension = new LinkedHashMap<>();
            Map<Object, Object> ext = Args.has(args, 3) ? Args.optionalMap(args, 3) : null;
            if (ext != null) {
                ext.forEach((k, v) -> extension.put(k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                        : String.valueOf(k), v));
            }
            Tid tid = Args.has(args, 4) ? Args.optionalTid(args, 4) : null;
            String status = Args.has(args, 5) ? Args.optionalString(args, 5, " ") : " ";
            return new TpcBegin(Args.value(args, 0), user, description, extension, tid, status);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(txn, user, description, extension, tid, status);
        }
    }

    /** {@code storea(oid, serial, data, txn)}: a null (nil) serial is "no previous revision" ({@link Args#serial}). */
    public record Store(Oid oid, Tid serial, byte[] data, Object txn) implements Request {
        public static final String METHOD = "storea";

        public static Store decode(List<Object> args) {
            Args.requireCount(args, 4, 4);
            return new Store(Args.oid(args, 0), Args.serial(args, 1), Args.bytes(args, 2), Args.value(args, 3));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, data, txn);
        }
    }

    /** {@code checkCurrentSerialInTransaction(oid, serial, txn)}. */
    public record CheckCurrentSerial(Oid oid, Tid serial, Object txn) implements Request {
        public static final String METHOD = "checkCurrentSerialInTransaction";

        public static CheckCurrentSerial decode(List<Object> args) {
            Args.requireCount(args, 3, 3);
            return new CheckCurrentSerial(Args.oid(args, 0), Args.serial(args, 1), Args.value(args, 2));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, txn);
        }
    }

    /** {@code deleteObject(oid, serial, txn)}. */
    public record DeleteObject(Oid oid, Tid serial, Object txn) implements Request {
        public static final String METHOD = "deleteObject";

        public static DeleteObject decode(List<Object> args) {
            Args.requireCount(args, 3, 3);
            return new DeleteObject(Args.oid(args, 0), Args.serial(args, 1), Args.value(args, 2));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, txn);
        }
    }

    /** {@code restorea(oid, serial, data, prev_txn, txn)}: data nil for an undone creation. */
    public record Restore(Oid oid, Tid serial, byte[] data, Tid prevTxn, Object txn) implements Request {
        public static final String METHOD = "restorea";

        public static Restore decode(List<Object> args) {
            Args.requireCount(args, 5, 5);
            return new Restore(Args.oid(args, 0), Args.tid(args, 1), Args.optionalBytes(args, 2),
                    Args.optionalTid(args, 3), Args.value(args, 4));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, data, prevTxn, txn);
        }
    }

    /** {@code undoa(transaction_id, txn)}. */
    public record Undo(byte[] transactionId, Object txn) implements Request {
        public static final String METHOD = "undoa";

        public static Undo decode(List<Object> args) {
            Args.requireCount(args, 2, 2);
            return new Undo(Args.bytes(args, 0), Args.value(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(transactionId, txn);
        }
    }

    // ---------------------------------------------------------------- blobs (zeo-protocol: blob methods)

    /**
     * {@code storeBlobStart()}, async: opens a temporary file for the blob that the following chunks carry. ZEO
     * passes no arguments and ignores none given; neither does jzeo.
     */
    public record StoreBlobStart() implements Request {
        public static final String METHOD = "storeBlobStart";

        public static StoreBlobStart decode(List<Object> args) {
            Args.requireCount(args, 0, 0);
            return new StoreBlobStart();
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of();
        }
    }

    /** {@code storeBlobChunk(chunk)}, async: appends to the open blob file (≤ 59000 bytes from ZEO's client). */
    public record StoreBlobChunk(byte[] chunk) implements Request {
        public static final String METHOD = "storeBlobChunk";

        public static StoreBlobChunk decode(List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new StoreBlobChunk(Args.bytes(args, 0));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(chunk);
        }
    }

    /**
     * {@code storeBlobEnd(oid, serial, data, txn)}, async: closes the blob file and buffers a blob store of it. ZEO's
     * client sends a plain {@code storea} of the same oid first; the blob store, later, replaces it.
     */
    public record StoreBlobEnd(Oid oid, Tid serial, byte[] data, Object txn) implements Request {
        public static final String METHOD = "storeBlobEnd";

        public static StoreBlobEnd decode(List<Object> args) {
            Args.requireCount(args, 4, 4);
            return new StoreBlobEnd(Args.oid(args, 0), Args.serial(args, 1), Args.bytes(args, 2),
                    Args.value(args, 3));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, data, txn);
        }
    }

    /**
     * {@code storeBlobShared(oid, serial, data, filename, txn)}, async: a blob store whose file the client already
     * put in the oid's folder of a blob directory it shares with the server. {@code filename} is a bare name
     * ending in {@code .tmp} (or {@code .tmp} and one character); anything else is refused, as ZEO does.
     */
    public record StoreBlobShared(Oid oid, Tid serial, byte[] data, String filename, Object txn) implements Request {
        public static final String METHOD = "storeBlobShared";

        public static StoreBlobShared decode(List<Object> args) {
            Args.requireCount(args, 5, 5);
            return new StoreBlobShared(Args.oid(args, 0), Args.serial(args, 1), Args.bytes(args, 2),
                    Args.text(args, 3), Args.value(args, 4));
        }

        /** ZEO's check: no path separator, and a {@code .tmp} ending (optionally followed by one character). */
        public boolean hasSafeFilename() {
            boolean tmp = filename.endsWith(".tmp")
                    || (!filename.isEmpty() && filename.substring(0, filename.length() - 1).endsWith(".tmp"));
            return tmp && filename.indexOf('/') < 0 && filename.indexOf('\0') < 0;
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(oid, serial, data, filename, txn);
        }
    }

    /**
     * {@code sendBlob(oid, serial)}: the server sends {@code receiveBlobStart}, {@code receiveBlobChunk}s and
     * {@code receiveBlobStop} ({@link BlobCallbacks}) for that revision's blob, then replies nil.
     */
    public record SendBlob(Oid oid, Tid serial) implements Request {
        public static final String METHOD = "sendBlob";

        public static SendBlob decode(List<Object> args) {
            Args.requireCount(args, 2, 2);
            return new SendBlob(Args.oid(args, 0), Args.tid(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(oid, serial);
        }
    }

    /** The server → client calls that carry a blob during {@link SendBlob}, with their argument order. */
    public static final class BlobCallbacks {
        public static final String START = "receiveBlobStart";
        public static final String CHUNK = "receiveBlobChunk";
        public static final String STOP = "receiveBlobStop";
        /** The chunk size ZEO's server and client use (bytes). */
        public static final int CHUNK_SIZE = 59000;

        private BlobCallbacks() {
        }

        /** {@code receiveBlobStart(oid, serial)} and {@code receiveBlobStop(oid, serial)}. */
        public static List<Object> startOrStop(Oid oid, Tid serial) {
            return List.of(oid, serial);
        }

        /** {@code receiveBlobChunk(oid, serial, chunk)}. */
        public static List<Object> chunk(Oid oid, Tid serial, byte[] chunk) {
            return List.of(oid, serial, chunk);
        }
    }

    /** {@code vote(txn)}, {@code tpc_finish(txn)} and {@code tpc_abort(txn)}: calls that only name a transaction. */
    public record TransactionCall(String method, Object txn) implements Request {
        public static final String VOTE = "vote";
        public static final String FINISH = "tpc_finish";
        public static final String ABORT = "tpc_abort";

        public static TransactionCall decode(String method, List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new TransactionCall(method, Args.value(args, 0));
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(txn);
        }
    }

    // ---------------------------------------------------------------- maintenance

    /** {@code pack(t, wait=True)}: t in seconds since the epoch, float or int. */
    public record Pack(double time, boolean waitForIt) implements Request {
        public static final String METHOD = "pack";

        public static Pack decode(List<Object> args) {
            Args.requireCount(args, 1, 2);
            return new Pack(Args.doubleValue(args, 0), Args.optionalTruthy(args, 1, true));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(time, waitForIt);
        }
    }

    /**
     * {@code undoLog(first=0, last=-20)} and {@code undoInfo(first=0, last=-20, specification=None)} (spec null
     * for undoLog or when not given).
     */
    public record UndoLog(String method, int first, int last, Map<Object, Object> specification) implements Request {
        public static final String LOG = "undoLog";
        public static final String INFO = "undoInfo";

        public static UndoLog decode(String method, List<Object> args) {
            Args.requireCount(args, 0, INFO.equals(method) ? 3 : 2);
            Map<Object, Object> spec = INFO.equals(method) && Args.has(args, 2) ? Args.optionalMap(args, 2) : null;
            return new UndoLog(method, (int) Args.optionalLong(args, 0, 0), (int) Args.optionalLong(args, 1, -20),
                    spec);
        }

        @Override
        public List<Object> args() {
            return INFO.equals(method) ? Arrays.asList(first, last, specification) : List.of(first, last);
        }
    }

    /** {@code iterator_start(start, stop)}: either bound nil for open. */
    public record IteratorStart(Tid start, Tid stop) implements Request {
        public static final String METHOD = "iterator_start";

        public static IteratorStart decode(List<Object> args) {
            Args.requireCount(args, 0, 2);
            return new IteratorStart(Args.optionalTid(args, 0), Args.optionalTid(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(start, stop);
        }
    }

    /** {@code iterator_next(iid)} and {@code iterator_record_next(iid)}. */
    public record IteratorNext(String method, long iteratorId) implements Request {
        public static final String TRANSACTIONS = "iterator_next";
        public static final String RECORDS = "iterator_record_next";

        public static IteratorNext decode(String method, List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new IteratorNext(method, Args.longValue(args, 0));
        }

        @Override
        public List<Object> args() {
            return List.of(iteratorId);
        }
    }

    /** {@code iterator_record_start(txn_iid, tid)}: the records of the transaction the iterator last returned. */
    public record IteratorRecordStart(long iteratorId, Tid tid) implements Request {
        public static final String METHOD = "iterator_record_start";

        public static IteratorRecordStart decode(List<Object> args) {
            Args.requireCount(args, 2, 2);
            return new IteratorRecordStart(Args.longValue(args, 0), Args.tid(args, 1));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(iteratorId, tid);
        }
    }

    /** {@code iterator_gc(iids)}: ids that are not ints, or unknown, are ignored, as ZEO's {@code dict.pop}. */
    public record IteratorGc(List<Long> iteratorIds) implements Request {
        public static final String METHOD = "iterator_gc";

        public static IteratorGc decode(List<Object> args) {
            Args.requireCount(args, 1, 1);
            List<Long> ids = new ArrayList<>();
            for (Object id : Args.list(args, 0)) {
                if (id instanceof Long n) {
                    ids.add(n);
                }
            }
            return new IteratorGc(ids);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<Object> args() {
            return List.of(new ArrayList<Object>(iteratorIds));
        }
    }

    // ---------------------------------------------------------------- jzeo's XA extension ({@link XaWire})

    /** {@code xa_vote(txn, xid, timeout)}: timeout in whole seconds, 0 for none, at most 2^31-1. */
    public record XaVote(Object txn, WireXid xid, int timeoutSeconds) implements Request {
        public static XaVote decode(List<Object> args) {
            Args.requireCount(args, 3, 3);
            long timeout = Args.longValue(args, 2);
            if (timeout < 0 || timeout > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("xa_vote: timeout must be 0 to 2^31-1 seconds, got " + timeout);
            }
            return new XaVote(Args.value(args, 0), XaWire.decode(Args.value(args, 1)), (int) timeout);
        }

        @Override
        public String method() {
            return XaWire.VOTE;
        }

        @Override
        public List<Object> args() {
            return Arrays.asList(txn, XaWire.encode(xid), (long) timeoutSeconds);
        }
    }

    /** {@code xa_commit(xid)}, {@code xa_rollback(xid)} and {@code xa_forget(xid)}: calls on one branch. */
    public record XaBranchCall(String method, WireXid xid) implements Request {
        public static XaBranchCall decode(String method, List<Object> args) {
            Args.requireCount(args, 1, 1);
            return new XaBranchCall(method, XaWire.decode(Args.value(args, 0)));
        }

        @Override
        public List<Object> args() {
            return List.of(XaWire.encode(xid));
        }
    }
}
