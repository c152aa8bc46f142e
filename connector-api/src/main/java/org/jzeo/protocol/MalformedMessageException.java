package org.jzeo.protocol;

/**
 * A payload that is not a valid ZEO msgpack message (§3 of the protocol spec): not msgpack, trailing bytes,
 * not a 4-element array, a name that is not str, call arguments that are not an array, and so on.
 *
 * <p>Checked on purpose: the only correct reaction (spec §3.5) is to close the connection, and the caller must
 * not be able to forget it. The Python server does the same, since it cannot even know which msgid to answer.
 */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String reason) {
        super(reason);
    }

    public MalformedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
