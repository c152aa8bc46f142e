-- jzeo's PostgreSQL schema, version 3 (upgrades version 2): who prepared each XA branch, for the rights check
-- (a user may commit, roll back or forget only the branches they prepared, unless admin) and xa_recover's list.
--
-- The owner cannot be a column of xa_branch: that row is written inside the prepared transaction, so no other
-- session sees it before COMMIT PREPARED, and the owner is needed while the branch is prepared. Instead the server
-- commits a claim here just before the branch's PREPARE TRANSACTION, and the prepared transaction itself deletes
-- the claim, checking that it still names the preparing user. So while the branch is prepared the claim stays
-- visible to every session and row-locked by the prepared transaction (nobody can change it, a rival claim of the
-- same gid waits and fails); COMMIT PREPARED removes it with the branch; after ROLLBACK PREPARED the rollback
-- deletes it. A claim whose gid is not prepared (its prepare failed, or its server died before PREPARE) means
-- nothing: readers join pg_prepared_xacts, and the next claim of the gid replaces it. Branches prepared under
-- version 2 have no claim: they have no owner.
CREATE TABLE xa_branch_owner (
    -- the gid of the prepared transaction (XidGids)
    gid        text PRIMARY KEY,
    -- the authenticated user who prepared it; null when the server has no authentication
    owner      text,
    claimed_at timestamptz NOT NULL DEFAULT now()
);
