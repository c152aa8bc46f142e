-- jzeo's PostgreSQL schema, version 2 (upgrades version 1): XA branches as PostgreSQL prepared transactions.
--
-- A branch's xa_vote runs the same vote as a plain commit (row locks on current_object), then inserts its rows
-- below and ends with PREPARE TRANSACTION: until COMMIT PREPARED or ROLLBACK PREPARED, PostgreSQL keeps the rows
-- invisible and the row locks held, whichever server prepared it and whether that server still runs. COMMIT
-- PREPARED (the durable decision) makes the rows visible; the branch is then "applied" like a commit (tid chosen
-- under commit_lock, transaction and object_state rows written) in a transaction that deletes its rows and records
-- its outcome. Between the two, a vote treats the branch's oids as locked (RowLocks).

-- A prepared branch (visible only once committed and not yet applied): what its transaction record will say.
CREATE TABLE xa_branch (
    -- the PostgreSQL gid of its prepared transaction: jzeo's prefix and the xid (XidGids)
    gid         text PRIMARY KEY,
    username    bytea NOT NULL,
    description bytea NOT NULL,
    -- the extension dict, pickled as in transaction.extension
    extension   bytea NOT NULL,
    prepared_at timestamptz NOT NULL DEFAULT now()
);

-- The objects of a branch: the records it writes (written), and the oids it only checked (not written: no state)
-- which must stay unchanged until the branch is applied, as the vote's FOR SHARE locks kept them until prepare.
CREATE TABLE xa_branch_record (
    gid      text NOT NULL REFERENCES xa_branch ON DELETE CASCADE,
    zoid     bigint NOT NULL,
    written  boolean NOT NULL,
    -- the record's place in the branch's transaction
    position integer NOT NULL,
    state    bytea,
    PRIMARY KEY (gid, zoid)
);
-- A vote looks up its oids here (a committed branch not yet applied holds them).
CREATE INDEX xa_branch_record_zoid ON xa_branch_record (zoid);

-- The outcome of a completed branch, so that a commit or rollback repeated through any server (after a lost
-- reply) is answered truthfully: tid and oids for a commit, null for a rollback. Kept for xa-outcome-retention.
CREATE TABLE xa_outcome (
    gid        text PRIMARY KEY,
    tid        bigint,
    oids       bigint[],
    decided_at timestamptz NOT NULL DEFAULT now()
);
-- Forgetting outcomes past their retention (at start and at each xa_recover) looks them up by age.
CREATE INDEX xa_outcome_decided_at ON xa_outcome (decided_at);
