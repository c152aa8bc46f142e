package org.jzeo.objects.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jzeo.api.Oid;

/** The records under src/test/resources/python-records (see the README.txt there), and shorthands. */
final class PythonRecords {
    private PythonRecords() {}

    static byte[] bytes(String name) {
        try (InputStream in = PythonRecords.class.getResourceAsStream("/python-records/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource python-records/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PythonObject read(String name, long oid) {
        return new PickleRecordReader().read(Oid.of(oid), bytes(name), null);
    }

    static PythonBytes b(int... unsigned) {
        byte[] out = new byte[unsigned.length];
        for (int i = 0; i < unsigned.length; i++) {
            out[i] = (byte) unsigned[i];
        }
        return PythonBytes.of(out);
    }

    static PythonTuple t(Object... items) {
        return PythonTuple.of(items);
    }

    static BigInteger big(String decimal) {
        return new BigInteger(decimal);
    }

    /** A dict in the given key order; {@code keysAndValues} alternate, nulls allowed. */
    static Map<Object, Object> dict(Object... keysAndValues) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static PythonReference ref(long oid, String module, String name) {
        return new PythonReference(Oid.of(oid), module, name, false, null, null);
    }

    static PythonReference bareRef(long oid) {
        return new PythonReference(Oid.of(oid), null, null, false, null, null);
    }

    /** A nested object as REDUCE/NEWOBJ makes it, with no state. */
    static PythonObject obj(String module, String name, Object... args) {
        return new PythonObject(null, module, name, PythonTuple.of(args), Map.of());
    }

    /** A nested object with a BUILD state. */
    static PythonObject built(String module, String name, Object state, Object... args) {
        PythonObject o = obj(module, name, args);
        o.setState(state);
        return o;
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
