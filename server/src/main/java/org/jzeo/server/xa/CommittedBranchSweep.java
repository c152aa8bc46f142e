package org.jzeo.server.xa;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jzeo.server.storage.PreparedBranchStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies, every {@link #PERIOD_SECONDS}, the committed branches whose apply was cut short (the committing server
 * died between COMMIT PREPARED and the apply): until then their objects stay locked for every vote, and neither a
 * restart nor the transaction manager's next recovery scan may come soon. A branch is applied only once it was seen
 * waiting by the previous run too, so a live server's commit (applied milliseconds after its COMMIT PREPARED) is
 * left to that server, which then answers its client at the commit point.
 */
final class CommittedBranchSweep implements Runnable {
    static final long PERIOD_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(CommittedBranchSweep.class);

    private final String storageName;
    private final PreparedBranchStore store;
    private Set<String> seenBefore = Set.of();

    CommittedBranchSweep(String storageName, PreparedBranchStore store) {
        this.storageName = storageName;
        this.store = store;
    }

    @Override
    public synchronized void run() {
        try {
            List<String> waiting = store.committedGids();
            Set<String> stillWaiting = new HashSet<>();
            for (String gid : waiting) {
                if (seenBefore.contains(gid)) {
                    store.applyCommitted(gid);
                } else {
                    stillWaiting.add(gid);
                }
            }
            seenBefore = stillWaiting;
        } catch (RuntimeException e) {
            // The database is away, or the storage closing: the next run, a recover or a start will do it.
            LOG.debug("storage '{}': looking for committed XA branches to apply failed: {}", storageName,
                    e.getMessage());
        }
    }
}
