package org.jzeo.objects.python;

import java.util.Arrays;

/**
 * A Python {@code bytes} value (or a Python 2 {@code str} that is not plain ASCII): an immutable
 * byte string that, unlike {@code byte[]}, compares by content, so it works as a map key or set
 * element the way it does in Python.
 */
public final class PythonBytes implements Comparable<PythonBytes> {
    private static final PythonBytes EMPTY = new PythonBytes(new byte[0]);

    private final byte[] bytes;

    private PythonBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A byte string holding a copy of {@code bytes}. */
    public static PythonBytes of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new PythonBytes(bytes.clone());
    }

    /** Takes ownership of {@code bytes}: the caller must not change the array afterwards. */
    static PythonBytes wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new PythonBytes(bytes);
    }

    public int length() {
        return bytes.length;
    }

    /** The byte at {@code index}, as an unsigned value 0–255 (as Python's {@code b[i]} gives it). */
    public int get(int index) {
        return bytes[index] & 0xFF;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PythonBytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Unsigned lexicographic order, as Python compares bytes. */
    @Override
    public int compareTo(PythonBytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    /** Python's {@code repr}, e.g. {@code b'ab\x00'}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(bytes.length + 3).append("b'");
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.append('\'').toString();
    }
}
