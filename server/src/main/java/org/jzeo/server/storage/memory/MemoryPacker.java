package org.jzeo.server.storage.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;

/**
 * Computes what the in-memory storage keeps after {@code pack(packTime, gc)}, following FileStorage's pack
 * (filestorage-format spec §9) on a state that does not change while it runs.
 *
 * <p>Kept: every revision after the pack time; for each object, the revision current at the pack time if it has
 * data and (with gc) is reachable from the root at the pack time; and any revision before the pack time whose
 * state a later revision repeats (FileStorage's back pointers). Kept revisions before the pack time are rewritten
 * with their state in place and their transactions get status {@code 'p'}; transactions left empty vanish.
 *
 * <p>Reachability is deliberately a little wider than FileStorage's: besides the root, every object referenced by
 * a revision after the pack time is a root too, so a commit that re-links an object unreachable at the pack time
 * never leaves a dangling reference. An object reachable at the pack time that has no data then, or a record the
 * reference finder cannot read, fails the pack: dropping a reachable object cannot be undone.
 */
final class MemoryPacker {
    private final ReferenceFinder finder;

    MemoryPacker(ReferenceFinder finder) {
        this.finder = finder;
    }

    /** The storage's state after the pack, or null when the pack would drop nothing. */
    record Result(NavigableMap<Oid, Revision[]> objects, NavigableMap<Tid, MemoryTransaction> transactions) {
    }

    Result pack(NavigableMap<Oid, Revision[]> objects, NavigableMap<Tid, MemoryTransaction> transactions,
                Tid packTime, boolean gc) {
        Map<Oid, Revision> atPackTime = currentAt(objects, packTime);
        Set<Oid> reachable = gc ? reachable(objects, atPackTime, packTime) : atPackTime.keySet();

        Map<Revision, Revision> keptBefore = new IdentityHashMap<>();
        NavigableMap<Oid, Revision[]> newObjects = new TreeMap<>();
        int dropped = 0;
        for (Map.Entry<Oid, Revision[]> e : objects.entrySet()) {
            Revision[] revisions = e.getValue();
            int split = RevisionChain.countAtOrBefore(revisions, packTime);
            List<Revision> kept = new ArrayList<>();
            for (int i = 0; i < split; i++) {
                Revision r = revisions[i];
                boolean currentAndReachable = r == atPackTime.get(e.getKey()) && reachable.contains(e.getKey());
                if (currentAndReachable || isRepeatedLater(r, revisions, split)) {
                    Revision rewritten = r.inlined();
                    keptBefore.put(r, rewritten);
                    kept.add(rewritten);
                }
            }
            for (int i = split; i < revisions.length; i++) {
                kept.add(revisions[i]);
            }
            dropped += revisions.length - kept.size();
            if (!kept.isEmpty()) {
                newObjects.put(e.getKey(), kept.toArray(new Revision[0]));
            }
        }
        if (dropped == 0) {
            return null;
        }

        NavigableMap<Tid, MemoryTransaction> newTransactions = new TreeMap<>();
        for (MemoryTransaction txn : transactions.values()) {
            if (txn.header().tid().compareTo(packTime) > 0) {
                newTransactions.put(txn.header().tid(), txn);
                continue;
            }
            List<Revision> records = new ArrayList<>();
            for (Revision r : txn.records()) {
                Revision rewritten = keptBefore.get(r);
                if (rewritten != null) {
                    records.add(rewritten);
                }
            }
            if (!records.isEmpty()) {
                newTransactions.put(txn.header().tid(), txn.withRecords('p', records));
            }
        }
        return new Result(newObjects, newTransactions);
    }

    /** Each object's revision current at {@code packTime}, for the objects that have data then. */
    private static Map<Oid, Revision> currentAt(NavigableMap<Oid, Revision[]> objects, Tid packTime) {
        Map<Oid, Revision> current = new HashMap<>();
        for (Map.Entry<Oid, Revision[]> e : objects.entrySet()) {
            int n = RevisionChain.countAtOrBefore(e.getValue(), packTime);
            if (n > 0 && e.getValue()[n - 1].hasData()) {
                current.put(e.getKey(), e.getValue()[n - 1]);
            }
        }
        return current;
    }

    private static boolean isRepeatedLater(Revision r, Revision[] revisions, int split) {
        for (int i = split; i < revisions.length; i++) {
            if (r.tid().equals(revisions[i].dataTxn())) {
                return true;
            }
        }
        return false;
    }

    private Set<Oid> reachable(NavigableMap<Oid, Revision[]> objects, Map<Oid, Revision> atPackTime, Tid packTime) {
        Deque<Oid> todo = new ArrayDeque<>();
        if (atPackTime.containsKey(Oid.ROOT)) {
            todo.push(Oid.ROOT);
        } else if (!atPackTime.isEmpty()) {
            throw new StorageException("pack failed: the root object " + Oid.ROOT + " has no data at pack time "
                    + packTime + " although other objects do");
        }
        // Objects that later revisions refer to are roots too, when they existed at the pack time.
        for (Revision[] revisions : objects.values()) {
            for (int i = RevisionChain.countAtOrBefore(revisions, packTime); i < revisions.length; i++) {
                Revision r = revisions[i];
                if (r.hasData()) {
                    for (Oid ref : finder.references(r.oid(), r.data())) {
                        if (atPackTime.containsKey(ref)) {
                            todo.push(ref);
                        }
                    }
                }
            }
        }
        Set<Oid> reachable = new HashSet<>();
        while (!todo.isEmpty()) {
            Oid oid = todo.pop();
            if (!reachable.add(oid)) {
                continue;
            }
            Revision r = atPackTime.get(oid);
            if (r == null) {
                throw new StorageException("pack failed: oid " + oid + " is reachable at pack time " + packTime
                        + " but has no data then (a dangling reference)");
            }
            for (Oid ref : finder.references(oid, r.data())) {
                if (!reachable.contains(ref)) {
                    todo.push(ref);
                }
            }
        }
        return reachable;
    }
}
