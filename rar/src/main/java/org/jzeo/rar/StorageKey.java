package org.jzeo.rar;

import org.jzeo.client.ClientOptions;
import org.jzeo.client.Credentials;

/**
 * What one shared {@link org.jzeo.client.ClientStorage} is for: a configuration and who it signs on as (null: nobody).
 * A storage's session is authenticated once, when it connects, so connections of different users (or of one user
 * with another password) must never share one; the credentials are part of the key, password included, so that a
 * wrong password never rides on a session someone else opened with the right one.
 */
record StorageKey(StorageSettings settings, Credentials credentials) {
    /** For log lines: the user's name, never the password. */
    String user() {
        return credentials == null ? "(none)" : "'" + credentials.username() + "'";
    }

    /**
     * The settings' client options signed on with the credentials. A persistent client cache is named after the
     * user too ({@code <clientName>-<user>}): two storages of one configuration but different users must not open
     * one cache file.
     *
     * @throws IllegalArgumentException a setting is missing or invalid
     */
    ClientOptions clientOptions() {
        ClientOptions options = settings.toClientOptions().withCredentials(credentials);
        if (credentials != null && options.client() != null) {
            options = options.withClient(options.client() + "-" + fileSafe(credentials.username()));
        }
        return options;
    }

    /**
     * ASCII letters, digits, '-' and '.' (but not a leading '.') stay; every other byte of the UTF-8 name becomes
     * _XX, '_' included, so that different names never give one file name.
     */
    static String fileSafe(String name) {
        StringBuilder safe = new StringBuilder();
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '.' || c == '-') && !(c == '.'
                    && safe.isEmpty())) {
                safe.append(c);
            } else {
                safe.append(String.format("_%02x", b & 0xff));
            }
        }
        return safe.toString();
    }
}
