package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Args;
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
        table.add("pack", MethodTable.Mode.SERIAL, MaintenanceMethods::pack);
        table.add("undoLog", MethodTable.Mode.READ, (s, a) -> {
            Args.requireCount(a, 0, 2);
            return undo(s, (int) Args.optionalLong(a, 0, 0), (int) Args.optionalLong(a, 1, -20), e -> true);
        });
        table.add("undoInfo", MethodTable.Mode.READ, MaintenanceMethods::undoInfo);
        table.add("iterator_start", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 0, 2);
            Tid start = Args.has(a, 0) ? Args.optionalTid(a, 0) : null;
            Tid stop = Args.has(a, 1) ? Args.optionalTid(a, 1) : null;
            return s.iterators().addTransactions(s.storage().storage().iterator(start, stop));
        });
        table.add("iterator_next", MethodTable.Mode.SERIAL, MaintenanceMethods::iteratorNext);
        table.add("iterator_record_start", MethodTable.Mode.SERIAL, MaintenanceMethods::iteratorRecordStart);
        table.add("iterator_record_next", MethodTable.Mode.SERIAL, MaintenanceMethods::iteratorRecordNext);
        table.add("iterator_gc", MethodTable.Mode.SERIAL, (s, a) -> {
            Args.requireCount(a, 1, 1);
            for (Object id : Args.list(a, 0)) {
                if (id instanceof Number n) {
                    s.iterators().remove(n.longValue());
                }
            }
            return null;
        });
    }

    /** Allowed on read-only connections (as ZEO). With wait false the reply comes at once. */
    private static Object pack(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 2);
        double t = Args.doubleValue(args, 0);
        boolean wait = Args.optionalTruthy(args, 1, true);
        ServedStorage served = session.storage();
        Tid packTime = Tid.fromEpochSeconds(t);
        Runnable work = () -> {
            LOG.info("{}: pack of storage '{}' at {} requested", session.describe(), served.name(), packTime);
            long start = System.nanoTime();
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

    private static Object undoInfo(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 0, 3);
        int first = (int) Args.optionalLong(args, 0, 0);
        int last = (int) Args.optionalLong(args, 1, -20);
        Map<Object, Object> spec = Args.has(args, 2) ? Args.optionalMap(args, 2) : null;
        Predicate<UndoEntry> filter = e -> true;
        if (spec != null && !spec.isEmpty()) {
            filter = e -> matches(wireEntry(e), spec);
        }
        return undo(session, first, last, filter);
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

    private static Object iteratorNext(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 1);
        long id = Args.longValue(args, 0);
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

    private static Object iteratorRecordStart(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 2, 2);
        long id = Args.longValue(args, 0);
        Tid tid = Args.tid(args, 1);
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

    private static Object iteratorRecordNext(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 1);
        long id = Args.longValue(args, 0);
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
