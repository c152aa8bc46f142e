/**
 * The PostgreSQL storage: a history-preserving ZODB storage in one PostgreSQL database that several jzeo servers
 * share, all of them behaving as one storage ({@link org.jzeo.server.storage.pg.PostgresStorage}).
 *
 * <h2>Schema</h2>
 * Versioned, in {@code schema-1.sql} and the migrations after it ({@code schema-2.sql}: XA; {@code schema-3.sql}:
 * the owners of XA branches) beside these classes
 * (with a comment on every table and column):
 * {@code jzeo_schema(version)}; {@code transaction(tid, username, description, extension, packed, size)};
 * {@code object_state(zoid, tid, position, data_tid, state)}, every revision of every object, a back pointer's
 * state copied so every read is one row; {@code current_object(zoid, tid)}, the rows votes lock;
 * {@code zoid_seq} for new oids; {@code commit_lock(last_tid, object_count, data_size)}, the one row whose lock
 * orders commits. {@link org.jzeo.server.storage.pg.PostgresSchema} creates it on first open (under an advisory
 * lock, in one transaction), refuses a newer version or a non-empty database without it, and keeps the list of
 * migrations later versions will add.
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@code Database}: the HikariCP pool, dedicated connections, JDBC failures as storage exceptions
 *       ({@code PostgresErrors}, {@link org.jzeo.server.storage.pg.DatabaseUnavailableException}).</li>
 *   <li>{@code PostgresReads}, {@code PostgresIterator}: reads as SQL, bounded by the visible tid.</li>
 *   <li>{@code PostgresTransaction}: operations recorded until vote; vote locks rows ({@code RowLocks}) and checks
 *       serials, plans undo; finish chooses the tid under the commit lock, writes, NOTIFYs and COMMITs.</li>
 *   <li>{@code CommitStream}: LISTEN/NOTIFY with polling as fallback; delivers every server's commits to the
 *       listener in tid order and owns the visible tid.</li>
 *   <li>{@code PostgresPacker}: pack and garbage collection in the database.</li>
 *   <li>{@code PostgresBranches}, {@code BranchApplier}, {@code BranchCommit}, {@code CommittedBranches}: XA branches
 *       as PostgreSQL prepared transactions (below).</li>
 * </ul>
 *
 * <h2>XA branches (schema version 2)</h2>
 * A branch votes like a plain commit, then inserts its records into {@code xa_branch}/{@code xa_branch_record} and
 * ends with {@code PREPARE TRANSACTION}: PostgreSQL keeps it, and its row locks, whatever happens to the server that
 * prepared it, and every server sharing the database lists it ({@code pg_prepared_xacts}) and can finish it.
 * {@code COMMIT PREPARED} is the decision; the apply that follows chooses the tid under the commit lock (never at
 * prepare), writes the commit, records the outcome in {@code xa_outcome} and deletes the branch's rows, in one
 * transaction. Between the two the branch's rows are visible and its oids count as locked for votes; a branch left
 * there by a dead server is applied by any running server within seconds ({@code CommittedBranchSweep}), or at a
 * start, xa_recover or repeated commit, whichever comes first.
 *
 * <p>The user who prepared a branch (schema version 3) is claimed in {@code xa_branch_owner}, committed just before
 * the PREPARE; the prepared transaction deletes its claim, so the claim stays visible and locked while the branch is
 * prepared and goes with its commit (schema-3.sql says why it cannot be a column of {@code xa_branch}).
 *
 * <h2>Rules that hold across servers</h2>
 * <ul>
 *   <li>Tids strictly increase in commit order: chosen under the {@code commit_lock} row lock as
 *       {@code max(now, last + 1)}, so once tid T is committed every smaller tid is.</li>
 *   <li>Object locks are row locks on {@code current_object}, taken in oid order, bounded by {@code lock_timeout};
 *       a timeout, deadlock or serialization failure is a retryable conflict.</li>
 *   <li>A storage's reads show nothing after the newest tid it delivered to its listener, so a server never
 *       reveals a tid before it queued that tid's invalidations.</li>
 *   <li>A commit is durable when finish returns (synchronous commit), and reaches every server's listener once,
 *       in order, even across a lost connection or a PostgreSQL restart.</li>
 * </ul>
 */
package org.jzeo.server.storage.pg;
