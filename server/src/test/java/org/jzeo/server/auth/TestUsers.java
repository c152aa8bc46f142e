package org.jzeo.server.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.server.config.AuthConfig;

/** Password files and authentication settings for tests, written as {@code jzeo passwd} writes them. */
public final class TestUsers {
    private TestUsers() {
    }

    /** Writes {@code file} with {@code realm} and the users given as name, password, name, password, ... */
    public static Path write(Path file, String realm, String... namesAndPasswords) throws IOException {
        if (namesAndPasswords.length % 2 != 0) {
            throw new IllegalArgumentException("give a password for every user");
        }
        PasswordDatabase database = PasswordDatabase.empty(realm);
        for (int i = 0; i < namesAndPasswords.length; i += 2) {
            database = database.withUser(namesAndPasswords[i], ScramVerifier.of(namesAndPasswords[i + 1].toCharArray()));
        }
        PasswordFileWriter.write(file, database);
        return file;
    }

    /** Sign-on with the users of {@code file} and {@code rules}, the file's realm and the default sign-on timeout. */
    public static AuthConfig config(Path file, AccessRules rules) {
        return new AuthConfig(file, Optional.empty(), Authenticator.DEFAULT_TIMEOUT, rules);
    }

    public static AuthConfig config(Path file, AccessRules rules, Duration signOnTimeout) {
        return new AuthConfig(file, Optional.empty(), signOnTimeout, rules);
    }
}
