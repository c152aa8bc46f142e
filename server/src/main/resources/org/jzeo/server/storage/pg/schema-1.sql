-- jzeo's PostgreSQL schema, version 1: a history-preserving ZODB storage that several jzeo servers share.
--
-- PostgresSchema runs this file once, in one transaction, on a database without jzeo's tables (and only when
-- create-schema is on). Later versions add migration files (version N upgrades N-1 to N); jzeo_schema says
-- which version a database has, so a server never opens a database newer than it understands.
--
-- Oids and tids are ZODB's 8-byte values stored as bigint: they compare the same way as long as they stay
-- below 2^63 (a tid reaches that in the year 6000; oids are counted up from 1 by the sequence below).

-- The schema version of this database: exactly one row.
CREATE TABLE jzeo_schema (
    version integer NOT NULL
);
INSERT INTO jzeo_schema (version) VALUES (1);

-- One row per committed transaction, in tid order. Tids strictly increase in commit order: they are given
-- under the commit lock below, so once a tid is committed every smaller one is too.
CREATE TABLE transaction (
    tid         bigint PRIMARY KEY,
    username    bytea NOT NULL,
    description bytea NOT NULL,
    -- the extension dict, pickled as in a Data.fs transaction record; empty for {}
    extension   bytea NOT NULL,
    -- ZODB's status 'p': the transaction was packed (or copied as packed) and cannot be undone
    packed      boolean NOT NULL DEFAULT false,
    -- the length FileStorage would give this transaction record: the undo log's size
    size        bigint NOT NULL
);

-- Every revision of every object: one row per object written by a transaction.
CREATE TABLE object_state (
    zoid     bigint NOT NULL,
    tid      bigint NOT NULL,
    -- the record's place in its transaction (iteration and invalidations list records in write order)
    position integer NOT NULL,
    -- FileStorage's back pointer: the tid of the revision whose state this one repeats (written by undo and
    -- by restore without data); null when the state was written here
    data_tid bigint,
    -- the state; for a back pointer a copy of the state it points to, so every read is one row. Null: the
    -- object has no data at this revision (a deletion, or the undo of its creation)
    state    bytea,
    PRIMARY KEY (zoid, tid)
);
-- Reading a transaction's records (iteration, invalidations, undo) and pack's scans by tid.
CREATE INDEX object_state_tid ON object_state (tid);

-- Each object's current revision: the row a vote locks (FOR UPDATE to write the object, FOR SHARE to check it
-- is still current), so object locks hold across every server sharing the database. A vote inserts the row of
-- a new object with tid 0 to have something to lock; it is committed only with the object's first revision.
CREATE TABLE current_object (
    zoid bigint PRIMARY KEY,
    tid  bigint NOT NULL
);

-- New oids. Stored oids above it (chosen by a client, or copied by restore) raise it at commit.
CREATE SEQUENCE zoid_seq START 1 MINVALUE 1;

-- The global commit lock: exactly one row, locked FOR UPDATE by a committing transaction from the moment it
-- chooses its tid until it commits, which makes tids increase in commit order. It also keeps the figures
-- size() and length() report without scanning.
CREATE TABLE commit_lock (
    last_tid     bigint NOT NULL,
    -- rows of current_object: objects with at least one revision (ZODB's len())
    object_count bigint NOT NULL,
    -- the sum of transaction.size (ZODB's getSize())
    data_size    bigint NOT NULL
);
INSERT INTO commit_lock (last_tid, object_count, data_size) VALUES (0, 0, 0);
