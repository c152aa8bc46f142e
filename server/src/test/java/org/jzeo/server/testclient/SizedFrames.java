package org.jzeo.server.testclient;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * ZEO sized messages (spec §1: a 4-byte unsigned big-endian length, then that many payload bytes) on blocking
 * streams. A frame is either read whole or not at all: a stream that ends inside a frame is an error, not a short
 * payload. Stateless.
 */
final class SizedFrames {
    /** The length prefix of every frame, in bytes. */
    static final int PREFIX = 4;

    private SizedFrames() {
    }

    /** The frame carrying {@code payload}: its length as 4 big-endian bytes, then the payload. */
    static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(PREFIX + payload.length).putInt(payload.length).put(payload).array();
    }

    /**
     * Reads the next frame's payload.
     *
     * @return the payload (possibly empty), or null when the stream ended cleanly between two frames
     * @throws EOFException when the stream ended inside a frame
     * @throws ProtocolException when the announced length exceeds {@code maxLength}; nothing is read past the prefix
     */
    static byte[] read(DataInputStream in, int maxLength) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] prefix = {(byte) first, 0, 0, 0};
        in.readFully(prefix, 1, PREFIX - 1);
        long length = Integer.toUnsignedLong(ByteBuffer.wrap(prefix).getInt());
        if (length > maxLength) {
            throw new ProtocolException("a frame of " + length + " bytes was announced, the limit is " + maxLength);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }
}
