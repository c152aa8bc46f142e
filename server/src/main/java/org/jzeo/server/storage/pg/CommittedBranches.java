package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import org.jzeo.api.Oid;

/**
 * The window between an XA branch's COMMIT PREPARED and its apply ({@link BranchApplier}): its row locks are gone,
 * its records not yet written, but its commit is decided, so its oids must stay locked. Its rows in
 * {@code xa_branch_record} are visible exactly then (they become visible with COMMIT PREPARED and are deleted by the
 * apply's own transaction), so a vote that took its row locks asks here whether a branch still holds one of them.
 */
final class CommittedBranches {
    /** How soon a vote looks again: an apply takes a few milliseconds. */
    static final long RETRY_MILLIS = 20;

    private CommittedBranches() {
    }

    /** One of {@code oids} that a committed, not yet applied branch holds; null when none does. */
    static Oid heldOid(Connection c, Collection<Oid> oids) throws SQLException {
        if (oids.isEmpty()) {
            return null;
        }
        try (PreparedStatement p = c.prepareStatement(
                "SELECT zoid FROM xa_branch_record WHERE zoid = ANY(?) LIMIT 1")) {
            p.setArray(1, c.createArrayOf("bigint", oids.stream().map(Oid::value).toArray(Long[]::new)));
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Oid.of(rs.getLong(1)) : null;
            }
        }
    }
}
