package org.jzeo.client.cache;

/** A cache file failed a check; the message says which and where, for the operator's log line. */
final class CorruptCacheException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptCacheException(String reason) {
        super(reason);
    }
}
