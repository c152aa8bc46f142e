package org.jzeo.server.storage.pickle;

import java.util.Arrays;

/**
 * A cursor over pickle bytes. Every read checks the bounds first, so a truncated pickle is reported
 * as a {@link PickleException} naming the opcode being read, never as an index error, and a huge
 * declared length cannot make us allocate memory the input does not back.
 */
final class PickleInput {
    private final byte[] data;
    private int pos;
    private int opcodeStart = -1;
    private int opcode = -1;

    PickleInput(byte[] data, int start) {
        this.data = data;
        this.pos = start;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= data.length;
    }

    /** Reads the next opcode and remembers where it started, for error messages. */
    int nextOpcode() {
        if (pos >= data.length) {
            throw new PickleException("truncated pickle: the data ends before STOP", pos);
        }
        opcodeStart = pos;
        opcode = data[pos++] & 0xFF;
        return opcode;
    }

    /** An error about the opcode being executed. */
    PickleException error(String message) {
        if (opcode < 0) {
            return new PickleException(message, pos);
        }
        return new PickleException(message, opcodeStart, opcode);
    }

    int u8() {
        require(1);
        return data[pos++] & 0xFF;
    }

    int u16() {
        require(2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** A 4-byte little-endian signed integer. */
    int s32() {
        require(4);
        int v = (data[pos] & 0xFF)
                | (data[pos + 1] & 0xFF) << 8
                | (data[pos + 2] & 0xFF) << 16
                | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    long u32() {
        return Integer.toUnsignedLong(s32());
    }

    /** An 8-byte little-endian unsigned length; values beyond 2^63 come back negative. */
    long u64() {
        require(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /** 8 bytes big-endian, as BINFLOAT stores a double. */
    long u64BigEndian() {
        require(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (data[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /**
     * Reads a FRAME's 8-byte length and checks that the input holds that many bytes, as Python does
     * ("pickle exhausted before end of frame"). Frames carry no other meaning for a reader of a
     * complete in-memory pickle, so nothing else is tracked.
     */
    void frame() {
        long length = u64();
        if (length < 0 || length > data.length - pos) {
            throw error("truncated pickle: frame of " + Long.toUnsignedString(length) + " bytes, "
                    + (data.length - pos) + " left");
        }
    }

    /** {@code length} bytes; {@code length} is unsigned (a negative long means "more than 2^63"). */
    byte[] bytes(long length) {
        if (length < 0 || length > data.length - pos) {
            throw error("truncated pickle: needs " + Long.toUnsignedString(length) + " bytes, "
                    + (data.length - pos) + " left");
        }
        byte[] out = Arrays.copyOfRange(data, pos, pos + (int) length);
        pos += (int) length;
        return out;
    }

    /** Skips {@code length} bytes without copying them. */
    void skip(long length) {
        if (length < 0 || length > data.length - pos) {
            throw error("truncated pickle: needs " + Long.toUnsignedString(length) + " bytes, "
                    + (data.length - pos) + " left");
        }
        pos += (int) length;
    }

    /** The bytes up to the next newline, which is consumed but not returned. */
    byte[] line() {
        for (int i = pos; i < data.length; i++) {
            if (data[i] == '\n') {
                byte[] out = Arrays.copyOfRange(data, pos, i);
                pos = i + 1;
                return out;
            }
        }
        throw error("truncated pickle: text argument has no terminating newline");
    }

    private void require(int n) {
        if (data.length - pos < n) {
            throw error("truncated pickle: needs " + n + " bytes, " + (data.length - pos) + " left");
        }
    }
}
