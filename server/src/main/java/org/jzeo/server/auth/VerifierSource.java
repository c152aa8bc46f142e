package org.jzeo.server.auth;

import org.jzeo.auth.ScramVerifier;

/** Where the server finds users' verifiers: the password database, reread when it changes. */
public interface VerifierSource {
    /** The user's verifier, null when there is no such user. */
    ScramVerifier verifier(String user);

    /** A stable made-up verifier for a user who does not exist, so answers do not tell. */
    ScramVerifier decoy(String user);

    /** The database's realm. */
    String realm();

    /** Rereads the database now (SIGHUP); a failure keeps the previous one and is logged. */
    void reload();
}
