package org.jzeo.server.xa;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * What became of a completed branch, and when: committed (as {@code tid}, writing {@code oids}) or rolled back.
 * A heuristic outcome keeps the {@code owner} of its branch (null: none), since xa_recover lists it until xa_forget
 * and the rights check asks who may forget it; the others have none (recover does not list them).
 */
record Outcome(Kind kind, long timeMillis, Tid tid, List<Oid> oids, String owner) {
    enum Kind { COMMITTED, ROLLED_BACK, HEURISTIC }

    Outcome {
        oids = List.copyOf(oids);
    }

    static Outcome committed(long timeMillis, Tid tid, List<Oid> oids) {
        return new Outcome(Kind.COMMITTED, timeMillis, tid, oids, null);
    }

    static Outcome rolledBack(long timeMillis) {
        return new Outcome(Kind.ROLLED_BACK, timeMillis, null, List.of(), null);
    }

    /** Rolled back by the server on its own; remembered until xa_forget, with the branch's {@code owner}. */
    static Outcome heuristic(long timeMillis, String owner) {
        return new Outcome(Kind.HEURISTIC, timeMillis, null, List.of(), owner);
    }

    /** The log record that remembers this outcome of {@code xid}. */
    XaLogRecord record(org.jzeo.protocol.WireXid xid) {
        return switch (kind) {
            case COMMITTED -> new XaLogRecord.Committed(xid, timeMillis, tid, oids);
            case ROLLED_BACK -> new XaLogRecord.RolledBack(xid, timeMillis);
            case HEURISTIC -> new XaLogRecord.HeuristicRollback(xid, timeMillis, "", owner);
        };
    }

    /** "committed", "rolled back", "heuristic" for messages. */
    String describe() {
        return kind.name().toLowerCase().replace('_', ' ');
    }
}
