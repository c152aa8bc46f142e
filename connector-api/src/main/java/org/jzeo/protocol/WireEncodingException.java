package org.jzeo.protocol;

/**
 * A Java value that has no msgpack form under the typing rules of {@link MessageCodec} (an unsupported class,
 * a map key that is neither String nor byte[], an integer outside [-2^63, 2^64), a String that is not valid
 * Unicode). Nothing was written.
 *
 * <p>When this happens while encoding a result, the Python server's behaviour is to send the error reply
 * {@code builtins.ValueError ["Couldn't pickle response"]} instead: see {@link WireErrors#unencodableResult()}.
 */
public final class WireEncodingException extends IllegalArgumentException {
    public WireEncodingException(String message) {
        super(message);
    }
}
