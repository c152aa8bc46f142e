package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.IteratorGc;
import org.jzeo.protocol.Requests.IteratorNext;
import org.jzeo.protocol.Requests.IteratorRecordStart;
import org.jzeo.protocol.Requests.IteratorStart;
import org.jzeo.protocol.Requests.Pack;
import org.jzeo.protocol.Requests.UndoLog;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireErrors;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.TransactionRecord;
import org.jzeo.storage.UndoEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** pack, undoLog, undoInfo and the transaction/record iterators. */
final class MaintenanceMethods {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceMethods.class);

    private MaintenanceMethods() {
    }

    static void addTo(MethodTable table) {
        table.add(Pack.METHOD, MethodTable.Mode.SERIAL, (s, a) -> pack(s, Pack.decode(a)));
        table.add(UndoLog.LOG, MethodTable.Mode.READ, (s, a) -> undoInfo(s, UndoLog.decode(UndoLog.LOG, a)));
        table.add(UndoLog.INFO, MethodTable.Mode.READ, (s, a) -> undoInfo(s, UndoLog.decode(UndoLog.INFO, a)));
        table.add(IteratorStart.METHOD, MethodTable.Mode.SERIAL, (s, a) -> {
            IteratorStart r = IteratorStart.decode(a);
            return s.iterators().addTransactions(s.storage().storage().iterator(r.start(), r.stop()));
        });
        table.add(IteratorNext.TRANSACTIONS, MethodTable.Mode.SERIAL,
                (s, a) -> iteratorNext(s, IteratorNext.decode(IteratorNext.TRANSACTIONS, a).iteratorId()));
        table.add(IteratorRecordStart.METHOD, MethodTable.Mode.SERIAL,
                (s, a) -> iteratorRecordStart(s, IteratorRecordStart.decode(a)));
        table.add(IteratorNext.RECORDS, MethodTable.Mode.SERIAL,
                (s, a) -> iteratorRecordNext(s, IteratorNext.decode(IteratorNext.RECORDS, a).iteratorId()));
        table.add(IteratorGc.METHOD, MethodTable.Mode.SERIAL, (s, a) -> {
            IteratorGc.decode(a).iteratorIds().forEach(s.iterators()::remove);
            return null;
        });
    }

    /** Needs admin rights; allowed on read-only connections (as ZEO). With wait false the reply comes at once. */
    private static Object pack(ZeoSession session, Pack request) {
        session.requireAdmin("pack");
        double t = request.time();
        boolean wait = request.waitForIt();
        ServedStorage served = session.storage();
        Tid packTime = Tid.fromEpochSeconds(t);
        Runnable work = () -> {
            LOG.info("{}: pack of storage '{}' at {} requested", session.describe(), served.name(), packTime);
            long start = System.nanoTime();
            try {
                served.xa().syncLog();
            } catch (java.io.IOException e) {
                throw new StorageException("pack of storage '" + served.name() + "' refused: the XA log could not"
                        + " be synced first (" + e.getMessage() + ")", e);
            }
            served.storage().pack(packTime, session.server().packGc(served.name()));
            LOG.info("{}: pack of storage '{}' finished in {} ms", session.describe(), served.name(),
                    (System.nanoTime() - start) / 1_000_000);
            served.broadcastInfo();
        };
        if (wait) {
            work.run();
        } else {
            session.server().commitPool().execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.error("background pack of storage '{}' failed", served.name(), e);
                }
            });
        }
        return null;
    }

    private static Object undoInfo(ZeoSession session, UndoLog request) {
        Map<Object, Object> spec = request.specification();
        Predicate<UndoEntry> filter = e -> true;
        if (spec != null && !spec.isEmpty()) {
            filter = e -> matches(wireEntry(e), spec);
        }
        return undo(session, request.first(), request.last(), filter);
    }

    private static boolean matches(Map<String, Object> entry, Map<Object, Object> spec) {
        for (Map.Entry<Object, Object> s : spec.entrySet()) {
            String key = s.getKey() instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                    : String.valueOf(s.getKey());
            if (!valueEquals(entry.get(key), s.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueEquals(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.equals(x, y);
        }
        if (a instanceof byte[] x && b instanceof String y) {
            return new String(x, java.nio.charset.StandardCharsets.UTF_8).equals(y);
        }
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return java.util.Objects.equals(a, b);
    }

    private static Object undo(ZeoSession session, int first, int last, Predicate<UndoEntry> filter) {
        List<Object> result = new ArrayList<>();
        for (UndoEntry e : session.storage().storage().undoInfo(first, last, filter)) {
            result.add(wireEntry(e));
        }
        return result;
    }

    /** Python's undoLog entry: id, time, user_name, size, description, then the extension keys. */
    private static Map<String, Object> wireEntry(UndoEntry e) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", e.id());
        entry.put("time", e.time());
        entry.put("user_name", e.user());
        entry.put("size", e.size());
        entry.put("description", e.description());
        e.extension().forEach(entry::putIfAbsent);
        return entry;
    }

    private static Object iteratorNext(ZeoSession session, long id) {
        SessionIterators.TransactionCursor cursor = session.iterators().transactions(id);
        if (cursor == null) {
            throw WireErrors.keyError(id); // ZEO: its dict of iterators has no such id (gone, or never made)
        }
        if (!cursor.iterator.hasNext()) {
            session.iterators().remove(id);
            return null;
        }
        TransactionRecord txn = cursor.iterator.next();
        cursor.last = txn;
        List<Object> result = new ArrayList<>(5);
        result.add(txn.tid());
        result.add(String.valueOf(txn.status()));
        result.add(txn.user());
        result.add(txn.description());
        result.add(new LinkedHashMap<>(txn.extension()));
        return result;
    }

    private static Object iteratorRecordStart(ZeoSession session, IteratorRecordStart request) {
        long id = request.iteratorId();
        Tid tid = request.tid();
        SessionIterators.TransactionCursor cursor = session.iterators().transactions(id);
        if (cursor == null || cursor.last == null) {
            throw WireErrors.keyError(id);
        }
        if (!cursor.last.tid().equals(tid)) {
            throw new ServerException(WireErrors.EXCEPTION,
                    List.of("Out-of-order request for record iterator for transaction " + tid));
        }
        Iterator<DataRecord> records = cursor.last.records().iterator();
        return session.iterators().addRecords(records);
    }

    private static Object iteratorRecordNext(ZeoSession session, long id) {
        Iterator<DataRecord> records = session.iterators().records(id);
        if (records == null) {
            throw WireErrors.keyError(id);
        }
        if (!records.hasNext()) {
            session.iterators().remove(id);
            return null;
        }
        DataRecord r = records.next();
        List<Object> result = new ArrayList<>(4);
        result.add(r.oid());
        result.add(r.tid());
        result.add(r.data());
        result.add(r.dataTxn());
        return result;
    }
}
