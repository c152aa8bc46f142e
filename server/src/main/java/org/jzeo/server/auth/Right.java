package org.jzeo.server.auth;

import java.util.Locale;

/** What a user may do with a storage, each right including the ones before it. */
public enum Right {
    /** Not even register. */
    NONE,
    /** Register read-only and read: a writable register is answered as a read-only storage answers it. */
    READ_ONLY,
    /** Read and commit, and complete the XA branches the user prepared. */
    READ_WRITE,
    /** Also pack, read the server's status, and complete or forget any user's XA branches. */
    ADMIN;

    /** As the configuration spells it: none, read-only, read-write, admin. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Right parse(String text) {
        for (Right right : values()) {
            if (right.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return right;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a right (none, read-only, read-write, admin)");
    }

    public boolean includes(Right other) {
        return compareTo(other) >= 0;
    }
}
