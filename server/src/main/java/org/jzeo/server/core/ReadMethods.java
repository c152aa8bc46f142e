package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.GetTid;
import org.jzeo.protocol.Requests.History;
import org.jzeo.protocol.Requests.LoadBefore;
import org.jzeo.protocol.Requests.LoadSerial;
import org.jzeo.protocol.Requests.RecordIterNext;
import org.jzeo.protocol.WireTypeException;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;

/** loadBefore, loadSerial, getTid, history, record_iternext: storage reads, run in read order. */
final class ReadMethods {
    private ReadMethods() {
    }

    static void addTo(MethodTable table) {
        table.addLoad(LoadBefore.METHOD, ReadMethods::loadBeforeFromMemory,
                (s, a) -> loadBefore(s, LoadBefore.decode(a)));
        table.addLoad(LoadSerial.METHOD, MethodTable.MemoryHint.NEVER, (s, a) -> {
            LoadSerial r = LoadSerial.decode(a);
            return s.storage().load(storage -> storage.loadSerial(r.oid(), r.serial()));
        });
        table.addLoad(GetTid.METHOD, MethodTable.MemoryHint.NEVER,
                (s, a) -> s.storage().storage().getTid(GetTid.decode(a).oid()));
        table.add(History.METHOD, MethodTable.Mode.READ, (s, a) -> history(s, History.decode(a)));
        table.add(RecordIterNext.METHOD, MethodTable.Mode.READ,
                (s, a) -> recordIterNext(s, RecordIterNext.decode(a).next()));
    }

    /** Whether the storage answers this loadBefore from memory; a malformed call fails before reading anything. */
    private static boolean loadBeforeFromMemory(Storage storage, List<Object> args) {
        if (args.size() != 2 || !(args.get(0) instanceof byte[] oid) || oid.length != 8
                || !(args.get(1) instanceof byte[] before) || before.length != 8) {
            return true;
        }
        return storage.loadsFromMemory(Oid.fromBytes(oid), Tid.fromBytes(before));
    }

    private static Object loadBefore(ZeoSession session, LoadBefore request) {
        ServedStorage served = session.storage();
        // Answer as of the newest announced commit: a commit published but not yet announced stays invisible,
        // as start or as end tid, until its invalidation is queued ahead of this reply.
        Tid visible = served.announcedTid();
        Tid before = request.before();
        if (before.isAfter(visible)) {
            before = visible.next();
        }
        Tid bound = before;
        LoadResult r = served.load(storage -> storage.loadBefore(request.oid(), bound));
        if (r == null) {
            return null;
        }
        List<Object> result = new ArrayList<>(3);
        result.add(r.data());
        result.add(r.start());
        result.add(r.end() != null && r.end().isAfter(visible) ? null : r.end());
        return result;
    }

    private static Object history(ZeoSession session, History request) {
        Oid oid = request.oid();
        if (oid == null) {
            throw new POSKeyException(null);
        }
        if (request.size() == null) {
            session.storage().storage().history(oid, 1); // an unknown oid is a POSKeyError first, as in ZEO
            throw new WireTypeException(null, 1, "int", "nil");
        }
        int size = (int) Math.min(Integer.MAX_VALUE, Math.max(1, request.size()));
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

    private static Object recordIterNext(ZeoSession session, Oid next) {
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
