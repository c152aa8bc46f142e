package org.jzeo.objects.python;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The argument formats of pickle opcodes, decoded as Python's unpickler does for the cases ZODB records hold: one
 * implementation for the object layer's reader and the server's reference scanner. A malformed argument is an
 * {@link IllegalArgumentException} whose message the caller puts in its own error, with the offset.
 */
public final class PickleArguments {
    private static final Pattern DECIMAL_INT = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL_FLOAT =
            Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private PickleArguments() {
    }

    public static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    public static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** A little-endian two's-complement integer (LONG1/LONG4); no bytes means 0. */
    public static Number twosComplementLittleEndian(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return narrow(new BigInteger(be));
    }

    /** A Long when the value fits in 64 bits, else the BigInteger. */
    public static Number narrow(BigInteger value) {
        if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
            return value.longValue();
        }
        return value;
    }

    /** A decimal integer line (INT, LONG, PUT, GET); surrounding whitespace is allowed, as in Python. */
    public static BigInteger decimal(byte[] line) {
        String text = latin1(line).strip();
        if (!DECIMAL_INT.matcher(text).matches()) {
            throw new IllegalArgumentException("not a decimal integer: '" + text + "'");
        }
        return new BigInteger(text);
    }

    /** A FLOAT line: Python's {@code repr(float)}, including {@code inf}, {@code -inf} and {@code nan}. */
    public static double floatLine(byte[] line) {
        String text = latin1(line).strip();
        String lower = text.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        boolean negative = lower.startsWith("-");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (!DECIMAL_FLOAT.matcher(text).matches()) {
            throw new IllegalArgumentException("not a float: '" + text + "'");
        }
        return Double.parseDouble(text);
    }

    /**
     * The argument of the protocol-0 STRING opcode: a quoted Python-2 {@code repr} of a byte string,
     * decoded like Python's {@code codecs.escape_decode}.
     */
    public static byte[] quotedString(byte[] line) {
        int n = line.length;
        if (n < 2 || line[0] != line[n - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw new IllegalArgumentException("the STRING argument must be quoted");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        int i = 1;
        int end = n - 1;
        while (i < end) {
            int c = line[i++] & 0xFF;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i >= end) {
                throw new IllegalArgumentException("STRING argument ends with a lone backslash");
            }
            int e = line[i++] & 0xFF;
            switch (e) {
                case '\n' -> { } // line continuation
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 't' -> out.write(9);
                case 'v' -> out.write(11);
                case 'x' -> {
                    if (i + 2 > end || hex(line[i]) < 0 || hex(line[i + 1]) < 0) {
                        throw new IllegalArgumentException("invalid \\x escape in STRING argument");
                    }
                    out.write(hex(line[i]) << 4 | hex(line[i + 1]));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i < end && line[i] >= '0' && line[i] <= '7'; k++) {
                            v = v * 8 + (line[i++] - '0');
                        }
                        out.write(v & 0xFF);
                    } else {
                        // Python keeps unknown escapes verbatim.
                        out.write('\\');
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * The argument of the protocol-0 UNICODE opcode, in Python's {@code raw-unicode-escape}: bytes are
     * Latin-1 characters, except that {@code \\uXXXX} and {@code \\UXXXXXXXX} are escapes when preceded
     * by an odd number of backslashes.
     */
    public static String rawUnicodeEscape(byte[] line) {
        StringBuilder out = new StringBuilder(line.length);
        int i = 0;
        while (i < line.length) {
            int c = line[i] & 0xFF;
            if (c != '\\') {
                out.append((char) c);
                i++;
                continue;
            }
            int runStart = i;
            while (i < line.length && line[i] == '\\') {
                i++;
            }
            int run = i - runStart;
            boolean escape = (run & 1) == 1 && i < line.length && (line[i] == 'u' || line[i] == 'U');
            if (!escape) {
                out.append("\\".repeat(run));
                continue;
            }
            out.append("\\".repeat(run - 1));
            int digits = line[i] == 'u' ? 4 : 8;
            i++;
            if (i + digits > line.length) {
                throw new IllegalArgumentException("truncated \\u escape in UNICODE argument");
            }
            int cp = 0;
            for (int k = 0; k < digits; k++) {
                int d = hex(line[i++]);
                if (d < 0) {
                    throw new IllegalArgumentException("invalid \\u escape in UNICODE argument");
                }
                cp = cp << 4 | d;
            }
            if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                throw new IllegalArgumentException("\\U escape out of range in UNICODE argument");
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }
}
