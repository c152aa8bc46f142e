package org.jzeo.server.storage.pickle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.jzeo.objects.python.PickleArguments;

/**
 * The scanner's side of decoding opcode arguments: the formats are {@link PickleArguments} (shared with the object
 * layer's reader); here their failures become {@link PickleException}s with the offset, and the scanner's own
 * choices (strict UTF-8, Python 2 strings as raw bytes, memo keys) are made.
 */
final class PickleDecoding {
    private PickleDecoding() {}

    /** Strict UTF-8, as BINUNICODE and friends are encoded. */
    static String utf8(byte[] bytes, PickleInput in) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw in.error("text is not valid UTF-8");
        }
    }

    static String latin1(byte[] bytes) {
        return PickleArguments.latin1(bytes);
    }

    /**
     * The bytes of a Python-2 {@code str} as Python 3 ZODB sees them when it unpickles with
     * {@code encoding='ASCII', errors='bytes'}: a {@code String} when every byte is ASCII, otherwise
     * the raw {@code byte[]}.
     */
    static Object py2String(byte[] bytes) {
        return PickleArguments.isAscii(bytes) ? latin1(bytes) : bytes;
    }

    static Number twosComplementLittleEndian(byte[] le) {
        return PickleArguments.twosComplementLittleEndian(le);
    }

    static Number narrow(BigInteger value) {
        return PickleArguments.narrow(value);
    }

    static BigInteger decimal(byte[] line, PickleInput in) {
        return decoded(PickleArguments::decimal, line, in);
    }

    /** A non-negative memo key given as a decimal line (PUT, GET). */
    static long memoKey(byte[] line, PickleInput in) {
        BigInteger key = decimal(line, in);
        if (key.signum() < 0 || key.bitLength() > 62) {
            throw in.error("bad memo key " + key);
        }
        return key.longValue();
    }

    static double floatLine(byte[] line, PickleInput in) {
        return decoded(PickleArguments::floatLine, line, in);
    }

    static byte[] quotedString(byte[] line, PickleInput in) {
        return decoded(PickleArguments::quotedString, line, in);
    }

    static String rawUnicodeEscape(byte[] line, PickleInput in) {
        return decoded(PickleArguments::rawUnicodeEscape, line, in);
    }

    private static <T> T decoded(Function<byte[], T> format, byte[] line, PickleInput in) {
        try {
            return format.apply(line);
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage());
        }
    }
}
