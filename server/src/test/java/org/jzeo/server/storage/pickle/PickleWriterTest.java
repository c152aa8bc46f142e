package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PickleWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Python 3.11: {@code p = pickle.Pickler(f, 3); p.fast = True; p.dump(w)} for the dict built by
     * {@link #pythonFastModeDict()} (fast mode = no memo opcodes).
     */
    private static final String PYTHON_FAST_MODE_PICKLE =
            "80037d28580100000073580600000068c3a96c6c6f5801000000655800000000580200000069304b0058040000006932"
            + "35354bff5804000000693235364d000158060000006936353533354dffff58060000006936353533364a000001005803"
            + "000000696d314affffffff5804000000696d61784affffff7f5804000000696d696e4a0000008058020000006c318a05"
            + "000000800058020000006c328a05ffffff7fff58020000006c338a0900000000000000800058020000006c348a050000"
            + "00008058020000006c358a0a0000000000000000393058010000006647bfd00000000000005801000000748858020000"
            + "0066618958010000006e4e5802000000623043005802000000623143020102580400000062333030422c010000000102"
            + "030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132"
            + "333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162"
            + "636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192"
            + "939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2"
            + "c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2"
            + "f3f4f5f6f7f8f9fafbfcfdfeff7878787878787878787878787878787878787878787878787878787878787878787878"
            + "78787878787878787858030000006c73745d284b01580300000074776f4e655805000000656d7074795d580400000074"
            + "757030295804000000747570314b01855804000000747570324b014b02865804000000747570334b014b024b03875804"
            + "00000074757035284b014b024b034b044b05745801000000647d285801000000614b015801000000627d285801000000"
            + "635d284b014b02655801000000647d7575752e";

    @Test
    void emptyDictIsAnEmptyExtensionField() {
        assertThat(PickleWriter.pickleDict(Map.of())).as("elen 0 in the file").isEmpty();
    }

    @Test
    void singleStringPairIsTheMinimalProtocol3Pickle() {
        byte[] pickle = PickleWriter.pickleDict(Map.of("k", "v"));

        assertThat(HEX.formatHex(pickle))
                .as("PROTO 3, EMPTY_DICT, MARK, BINUNICODE 'k', BINUNICODE 'v', SETITEMS, STOP")
                .isEqualTo("8003" + "7d" + "28" + "58010000006b" + "580100000076" + "75" + "2e");
        // Spec §3.2 shows Python's bytes: the same strings, plus BINPUT memo opcodes and SETITEM.
        byte[] observed = HEX.parseHex(
                "80 03 7d 71 00 58 01 00 00 00 6b 71 01 58 01 00 00 00 76 71 02 73 2e".replace(" ", ""));
        assertThat(PickleReader.unpickleDict(pickle)).isEqualTo(PickleReader.unpickleDict(observed));
    }

    @Test
    void matchesPythonsFastModePickleByteForByte() {
        assertThat(HEX.formatHex(PickleWriter.pickleDict(pythonFastModeDict())))
                .as("same opcodes as CPython's protocol-3 pickler without memo")
                .isEqualTo(PYTHON_FAST_MODE_PICKLE);
    }

    @Test
    void integersUseTheSmallestOpcode() {
        assertThat(valueHex(0)).as("BININT1").isEqualTo("4b00");
        assertThat(valueHex(255L)).as("BININT1").isEqualTo("4bff");
        assertThat(valueHex(256)).as("BININT2").isEqualTo("4d0001");
        assertThat(valueHex(65535)).as("BININT2").isEqualTo("4dffff");
        assertThat(valueHex(65536)).as("BININT").isEqualTo("4a00000100");
        assertThat(valueHex(-1)).as("BININT").isEqualTo("4affffffff");
        assertThat(valueHex(Integer.MIN_VALUE)).as("BININT").isEqualTo("4a00000080");
        assertThat(valueHex(1L << 31)).as("LONG1").isEqualTo("8a050000008000");
        assertThat(valueHex(Long.MIN_VALUE)).as("LONG1").isEqualTo("8a080000000000000080");
        assertThat(valueHex(BigInteger.valueOf(42))).as("a small BigInteger").isEqualTo("4b2a");
    }

    @Test
    void hugeIntegersUseLong4() {
        BigInteger huge = BigInteger.ONE.shiftLeft(2100);

        String hex = valueHex(huge);

        // 2^2100 needs 2101 bits + a sign bit = 263 bytes.
        assertThat(hex).startsWith("8b07010000");
        assertThat(hex).hasSize(2 * (1 + 4 + 263));
    }

    @Test
    void bytesSwitchToBinbytesAt256() {
        assertThat(valueHex(new byte[255])).startsWith("43ff");
        assertThat(valueHex(new byte[256])).startsWith("4200010000");
    }

    @Test
    void otherScalars() {
        assertThat(valueHex(true)).isEqualTo("88");
        assertThat(valueHex(false)).isEqualTo("89");
        assertThat(valueHex(null)).isEqualTo("4e");
        assertThat(valueHex(1.5)).as("BINFLOAT is big-endian").isEqualTo("473ff8000000000000");
        assertThat(valueHex(1.5f)).as("a Float is widened").isEqualTo("473ff8000000000000");
        assertThat(valueHex("\u20ac")).as("UTF-8").isEqualTo("5803000000e282ac");
    }

    @Test
    void containers() {
        assertThat(valueHex(List.of())).isEqualTo("5d");
        assertThat(valueHex(List.of(1))).as("MARK … APPENDS even for one item").isEqualTo("5d284b0165");
        assertThat(valueHex(new Object[0])).isEqualTo("29");
        assertThat(valueHex(new Object[] {1})).isEqualTo("4b0185");
        assertThat(valueHex(new Object[] {1, 2, 3, 4})).isEqualTo("284b014b024b034b0474");
        assertThat(valueHex(Map.of())).isEqualTo("7d");
        assertThat(valueHex(Map.of(7L, "x"))).as("nested dicts may have non-string keys")
                .isEqualTo("7d284b07580100000078" + "75");
    }

    @Test
    void refusesNonStringTopLevelKeys() {
        Map<Object, Object> raw = new LinkedHashMap<>();
        raw.put(1, "x");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Object> cheat = (Map) raw;

        assertThatThrownBy(() -> PickleWriter.pickleDict(cheat))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keys must be Strings");
    }

    @Test
    void refusesUnsupportedValues() {
        assertThatThrownBy(() -> PickleWriter.pickleDict(Map.of("k", new StringBuilder("x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.StringBuilder");
        assertThatThrownBy(() -> PickleWriter.pickleDict(Map.of("k", (short) 1)))
                .as("only Integer, Long and BigInteger are integers")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesUnhashableNestedKeys() {
        assertThatThrownBy(() -> PickleWriter.pickleDict(Map.of("k", Map.of(List.of(1), 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be a dict key");
    }

    @Test
    void refusesUnpairedSurrogates() {
        assertThatThrownBy(() -> PickleWriter.pickleDict(Map.of("k", "\ud800")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
    }

    @Test
    void refusesCycles() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);

        assertThatThrownBy(() -> PickleWriter.pickleDict(Map.of("k", loop)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cyclic");
    }

    @Test
    void sharedButAcyclicContainersAreWrittenTwice() {
        List<Object> shared = List.of(1);
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("a", shared);
        dict.put("b", shared);

        assertThat(PickleReader.unpickleDict(PickleWriter.pickleDict(dict)))
                .containsEntry("a", List.of(1L))
                .containsEntry("b", List.of(1L));
    }

    /** The pickle of {@code {"v": value}} minus its fixed frame, i.e. just the value's opcodes. */
    private static String valueHex(Object value) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("v", value);
        String hex = HEX.formatHex(PickleWriter.pickleDict(dict));
        String prefix = "8003" + "7d" + "28" + "580100000076";
        String suffix = "75" + "2e";
        assertThat(hex).startsWith(prefix).endsWith(suffix);
        return hex.substring(prefix.length(), hex.length() - suffix.length());
    }

    /** The same dict as the Python script behind {@link #PYTHON_FAST_MODE_PICKLE}, in the same order. */
    private static Map<String, Object> pythonFastModeDict() {
        byte[] b300 = new byte[300];
        for (int i = 0; i < 300; i++) {
            b300[i] = (byte) (i < 256 ? i : 'x');
        }
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("c", List.of(1, 2));
        inner.put("d", Map.of());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", inner);

        List<Object> lst = new ArrayList<>();
        lst.add(1);
        lst.add("two");
        lst.add(null);

        Map<String, Object> w = new LinkedHashMap<>();
        w.put("s", "h\u00e9llo");
        w.put("e", "");
        w.put("i0", 0);
        w.put("i255", 255);
        w.put("i256", 256);
        w.put("i65535", 65535);
        w.put("i65536", 65536);
        w.put("im1", -1);
        w.put("imax", Integer.MAX_VALUE);
        w.put("imin", Integer.MIN_VALUE);
        w.put("l1", 1L << 31);
        w.put("l2", -(1L << 31) - 1);
        w.put("l3", BigInteger.ONE.shiftLeft(63));
        w.put("l4", -(1L << 39));
        w.put("l5", BigInteger.ONE.shiftLeft(64).multiply(BigInteger.valueOf(12345)));
        w.put("f", -0.25);
        w.put("t", true);
        w.put("fa", false);
        w.put("n", null);
        w.put("b0", new byte[0]);
        w.put("b1", new byte[] {1, 2});
        w.put("b300", b300);
        w.put("lst", lst);
        w.put("empty", List.of());
        w.put("tup0", new Object[0]);
        w.put("tup1", new Object[] {1});
        w.put("tup2", new Object[] {1, 2});
        w.put("tup3", new Object[] {1, 2, 3});
        w.put("tup5", new Object[] {1, 2, 3, 4, 5});
        w.put("d", d);
        return w;
    }
}
