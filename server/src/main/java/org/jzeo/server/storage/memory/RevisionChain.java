package org.jzeo.server.storage.memory;

import java.util.Arrays;
import org.jzeo.api.Tid;

/**
 * Lookups in one object's revisions, an array sorted by ascending tid (oldest first). Arrays are never
 * modified once published: a new revision produces a new array.
 */
final class RevisionChain {
    private RevisionChain() {
    }

    /** The index of the revision written by exactly {@code tid}, or -1. */
    static int indexOf(Revision[] revisions, Tid tid) {
        int i = countBefore(revisions, tid);
        return i < revisions.length && revisions[i].tid().equals(tid) ? i : -1;
    }

    /** The number of revisions with a tid strictly below {@code tid}: the newest of them is at that index - 1. */
    static int countBefore(Revision[] revisions, Tid tid) {
        int low = 0;
        int high = revisions.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (revisions[mid].tid().compareTo(tid) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The number of revisions with a tid at or below {@code tid}. */
    static int countAtOrBefore(Revision[] revisions, Tid tid) {
        int n = countBefore(revisions, tid);
        return n < revisions.length && revisions[n].tid().equals(tid) ? n + 1 : n;
    }

    static Revision find(Revision[] revisions, Tid tid) {
        int i = revisions == null ? -1 : indexOf(revisions, tid);
        return i < 0 ? null : revisions[i];
    }

    static Revision current(Revision[] revisions) {
        return revisions == null || revisions.length == 0 ? null : revisions[revisions.length - 1];
    }

    static Revision[] appended(Revision[] revisions, Revision revision) {
        if (revisions == null) {
            return new Revision[] {revision};
        }
        Revision[] longer = Arrays.copyOf(revisions, revisions.length + 1);
        longer[revisions.length] = revision;
        return longer;
    }
}
