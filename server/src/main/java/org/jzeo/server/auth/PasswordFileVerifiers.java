package org.jzeo.server.auth;

import java.io.IOException;
import java.nio.file.Path;
import org.jzeo.auth.ScramVerifier;

/** The verifiers of a password file made by {@code jzeo passwd}, reread when it changes or on {@link #reload()}. */
public final class PasswordFileVerifiers implements VerifierSource {
    private final ReloadingPasswordDatabase database;

    /** Reads {@code file}; a server must not start without its users, so a bad file is an exception here. */
    public PasswordFileVerifiers(Path file) throws IOException {
        this.database = new ReloadingPasswordDatabase(file);
    }

    @Override
    public ScramVerifier verifier(String user) {
        return database.verifier(user);
    }

    @Override
    public ScramVerifier decoy(String user) {
        return database.decoy(user);
    }

    @Override
    public String realm() {
        return database.current().realm();
    }

    @Override
    public void reload() {
        database.reload();
    }
}
