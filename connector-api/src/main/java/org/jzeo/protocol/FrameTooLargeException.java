package org.jzeo.protocol;

import io.netty.handler.codec.TooLongFrameException;

/**
 * A peer announced a sized message longer than the configured maximum. Raised as soon as the 4-byte length
 * prefix has arrived, so nothing of that size was ever allocated; the connection cannot be resynchronised and
 * must be closed.
 *
 * <p>It extends Netty's {@link TooLongFrameException} (a {@code DecoderException}) so that the pipeline passes it
 * to {@code exceptionCaught} unwrapped.
 */
public final class FrameTooLargeException extends TooLongFrameException {
    private final long announcedLength;
    private final int maximumLength;

    public FrameTooLargeException(long announcedLength, int maximumLength) {
        super("sized message of " + announcedLength + " bytes announced, the maximum is " + maximumLength);
        this.announcedLength = announcedLength;
        this.maximumLength = maximumLength;
    }

    /** The length the peer announced: the unsigned 32-bit prefix, 0 to 4294967295. */
    public long announcedLength() {
        return announcedLength;
    }

    public int maximumLength() {
        return maximumLength;
    }
}
