package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Args;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;

/** loadBefore, loadSerial, getTid, history, record_iternext: storage reads, run in read order. */
final class ReadMethods {
    private ReadMethods() {
    }

    static void addTo(MethodTable table) {
        table.add("loadBefore", MethodTable.Mode.READ, ReadMethods::loadBefore);
        table.add("loadSerial", MethodTable.Mode.READ, (s, a) -> {
            Args.requireCount(a, 2, 2);
            s.storage().stats().loads.increment();
            long start = System.nanoTime();
            try {
                return s.storage().storage().loadSerial(Args.oid(a, 0), Args.tid(a, 1));
            } finally {
                s.storage().stats().loadLatency.recordSince(start);
            }
        });
        table.add("getTid", MethodTable.Mode.READ, (s, a) -> {
            Args.requireCount(a, 1, 1);
            return s.storage().storage().getTid(Args.oid(a, 0));
        });
        table.add("history", MethodTable.Mode.READ, ReadMethods::history);
        table.add("record_iternext", MethodTable.Mode.READ, ReadMethods::recordIterNext);
    }

    private static Object loadBefore(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 2, 2);
        ServedStorage served = session.storage();
        served.stats().loads.increment();
        // Answer as of the newest announced commit: a commit published but not yet announced stays invisible,
        // as start or as end tid, until its invalidation is queued ahead of this reply.
        Tid visible = served.announcedTid();
        Tid before = Args.tid(args, 1);
        if (before.isAfter(visible)) {
            before = visible.next();
        }
        long start = System.nanoTime();
        LoadResult r;
        try {
            r = served.storage().loadBefore(Args.oid(args, 0), before);
        } finally {
            served.stats().loadLatency.recordSince(start);
        }
        if (r == null) {
            return null;
        }
        List<Object> result = new ArrayList<>(3);
        result.add(r.data());
        result.add(r.start());
        result.add(r.end() != null && r.end().isAfter(visible) ? null : r.end());
        return result;
    }

    private static Object history(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 1, 2);
        Oid oid = Args.oid(args, 0);
        // An explicit None is a TypeError, as FileStorage.history(oid, size=None) raises in ZEO's server.
        long requested = Args.has(args, 1) ? Args.longValue(args, 1) : 1;
        int size = (int) Math.min(Integer.MAX_VALUE, Math.max(1, requested));
        List<Object> entries = new ArrayList<>();
        for (HistoryEntry h : session.storage().storage().history(oid, size)) {
            // Python: the extension keys first, then the fixed keys, which win on a clash.
            Map<String, Object> entry = new LinkedHashMap<>(h.extension());
            entry.put("time", h.time());
            entry.put("user_name", h.user());
            entry.put("description", h.description());
            entry.put("tid", h.tid());
            entry.put("size", h.size());
            entries.add(entry);
        }
        return entries;
    }

    private static Object recordIterNext(ZeoSession session, List<Object> args) {
        Args.requireCount(args, 0, 1);
        Oid next = Args.has(args, 0) ? Args.optionalOid(args, 0) : null;
        CurrentRecord r = session.storage().storage().recordIterNext(next);
        if (r == null) {
            return null;
        }
        List<Object> result = new ArrayList<>(4);
        result.add(r.oid());
        result.add(r.tid());
        result.add(r.data());
        result.add(r.next());
        return result;
    }
}
