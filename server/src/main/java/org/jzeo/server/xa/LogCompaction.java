package org.jzeo.server.xa;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the prepared log short: rewrites it with what is still live (the prepared branches and the remembered
 * outcomes, past-retention ones forgotten) at start and whenever it has grown enough. Runs under the branches'
 * lock.
 */
final class LogCompaction {
    private static final Logger LOG = LoggerFactory.getLogger(LogCompaction.class);

    private final BranchTable table;
    private final long threshold;
    /** The log's size after the last compaction (what it holds live then). */
    private long compactedSize;

    LogCompaction(BranchTable table, XaOptions options) {
        this.table = table;
        this.threshold = options.compactThreshold();
    }

    /** Rewrites the log with what is still live, forgetting completed outcomes past the retention. */
    void compact() {
        List<XaLogRecord> live = new ArrayList<>();
        for (PreparedBranch b : table.prepared.values()) {
            live.add(b.record);
        }
        table.outcomes.forgetExpired();
        live.addAll(table.outcomes.records());
        PreparedLog log = table.log;
        try {
            long before = log.size();
            log.rewrite(live);
            compactedSize = log.size();
            LOG.debug("storage '{}': XA log compacted from {} to {} bytes", table.storageName, before, log.size());
        } catch (IOException e) {
            // The old log is intact (the rename did not happen): nothing is lost, it is only longer.
            LOG.error("storage '{}': compacting the XA log {} failed; keeping it as it is", table.storageName,
                    log.path(), e);
        }
    }

    /** After an outcome: trims the remembered outcomes to their limit, and compacts if it is due. */
    void maybeCompact() {
        table.outcomes.trim();
        if (table.unpublished > 0) {
            return; // a compaction would leave out records written but not yet forced and published
        }
        if (compactionDue(table.log.size(), compactedSize, threshold, table.prepared.isEmpty())) {
            compact();
        }
    }

    /**
     * Whether a log of {@code size} bytes, {@code compactedSize} right after its last compaction, is due for one.
     * Measured by the growth since then, not the size: the remembered outcomes alone can exceed the threshold (a
     * day of commits), and a size test then rewrote the whole log at every commit. Waiting for a growth of at
     * least the live size keeps the rewriting to a constant cost per record appended. While branches are
     * prepared, only a growth of 16 thresholds (or of the live size, if larger) forces it.
     */
    static boolean compactionDue(long size, long compactedSize, long threshold, boolean nonePrepared) {
        long growth = size - compactedSize;
        return growth > Math.max(threshold, compactedSize)
                && (nonePrepared || growth > Math.max(16 * threshold, compactedSize));
    }
}
