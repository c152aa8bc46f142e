package org.jzeo.server.xa;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcomes of completed branches, remembered for repeated commits and rollbacks within
 * {@code xa-outcome-retention} and at most {@code xa-outcome-limit} of them (heuristic ones until xa_forget,
 * whatever either says); past that, a repeated commit is looked up in the storage. Oldest first. Not thread-safe:
 * used under the branches' lock, except {@link #committedInStorage}.
 */
final class OutcomeMemory {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeMemory.class);

    private final String storageName;
    private final Storage storage;
    private final XaOptions options;
    private final InstantSource clock;
    private final Map<WireXid, Outcome> outcomes = new LinkedHashMap<>();
    /** Whether the outcome limit was reached once (it is logged once). */
    private boolean warnedAboutLimit;

    OutcomeMemory(String storageName, Storage storage, XaOptions options, InstantSource clock) {
        this.storageName = storageName;
        this.storage = storage;
        this.options = options;
        this.clock = clock;
    }

    Outcome get(WireXid xid) {
        return outcomes.get(xid);
    }

    boolean contains(WireXid xid) {
        return outcomes.containsKey(xid);
    }

    void put(WireXid xid, Outcome outcome) {
        outcomes.put(xid, outcome);
    }

    void remove(WireXid xid) {
        outcomes.remove(xid);
    }

    int size() {
        return outcomes.size();
    }

    /** The heuristically completed branches not yet forgotten (xa_recover lists them). */
    List<WireXid> heuristic() {
        List<WireXid> xids = new ArrayList<>();
        outcomes.forEach((xid, o) -> {
            if (o.kind() == Outcome.Kind.HEURISTIC) {
                xids.add(xid);
            }
        });
        return xids;
    }

    /** Forgets the completed outcomes older than the retention (at compaction). */
    void forgetExpired() {
        long now = clock.millis();
        long retention = options.outcomeRetention().toMillis();
        outcomes.entrySet().removeIf(e -> e.getValue().kind() != Outcome.Kind.HEURISTIC
                && now - e.getValue().timeMillis() > retention);
    }

    /** The log records that remember every outcome, oldest first. */
    List<XaLogRecord> records() {
        List<XaLogRecord> records = new ArrayList<>(outcomes.size());
        outcomes.forEach((xid, o) -> records.add(o.record(xid)));
        return records;
    }

    /**
     * Forgets the oldest completed outcomes beyond {@code xa-outcome-limit} (heuristic ones stay until xa_forget):
     * remembered outcomes cost heap, and a day of them at a high XA rate would not fit. The log loses them at its
     * next compaction. A commit repeated after its outcome went is still answered as committed, from the storage
     * ({@link #committedInStorage}); a repeated rollback gets XAER_NOTA, which transaction managers take as done.
     */
    void trim() {
        int excess = outcomes.size() - options.outcomeLimit();
        if (excess <= 0) {
            return;
        }
        Iterator<Map.Entry<WireXid, Outcome>> oldestFirst = outcomes.entrySet().iterator();
        while (excess > 0 && oldestFirst.hasNext()) {
            if (oldestFirst.next().getValue().kind() != Outcome.Kind.HEURISTIC) {
                oldestFirst.remove();
                excess--;
            }
        }
        if (!warnedAboutLimit) {
            warnedAboutLimit = true;
            LOG.warn("storage '{}': more than {} completed XA outcomes within xa-outcome-retention ({}); the oldest"
                    + " are forgotten early from now on; a repeated commit of one is then looked up in the storage"
                    + " (raise xa-outcome-limit to keep more in memory)", storageName,
                    options.outcomeLimit(), options.outcomeRetention());
        }
    }

    /**
     * The commit of {@code xid} within {@code xa-outcome-retention}, looked up in the storage: for a commit repeated
     * after its outcome was forgotten early for {@code xa-outcome-limit} (or lost from the log with it), so that it
     * is still answered as committed for as long as the retention promises. Null if there is none. A scan of the
     * retention's transactions, outside the branches' lock: only an xid the server does not know pays for it.
     */
    Outcome committedInStorage(WireXid xid) {
        Tid from = Tid.fromInstant(Instant.ofEpochMilli(
                Math.max(0, clock.millis() - options.outcomeRetention().toMillis())));
        Outcome[] found = new Outcome[1];
        XidCommits.scan(storage, from, Map.of(xid.toString(), xid), (x, t) -> {
            found[0] = Outcome.committed(clock.millis(), t.tid(), XidCommits.writtenOids(t));
            return false;
        });
        if (found[0] != null) {
            LOG.info("storage '{}': XA branch {} is no longer remembered; found its commit {} in the storage",
                    storageName, xid, found[0].tid());
        }
        return found[0];
    }
}
