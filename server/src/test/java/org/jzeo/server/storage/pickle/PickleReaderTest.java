package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PickleReaderTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Spec §3.2, observed extension {@code {"k": "v"}} as ZODB writes it, with BINPUT memo opcodes. */
    private static final String SPEC_K_V =
            "8003" + "7d" + "7100" + "58010000006b" + "7101" + "580100000076" + "7102" + "73" + "2e";

    // Python 3.11 pickle.dumps(BASE, protocol) where BASE is the dict of baseExpected().
    private static final String PROTO_0 =
            "286470300a56757365720a70310a56e45c75303030615c7530303563780a70320a73566e0a70330a49350a7356626967"
            + "0a70340a4c313138303539313632303731373431313330333432344c0a73566e65670a70350a492d330a73566e656762"
            + "69670a70360a4c2d313039393531313632373737364c0a7356660a70370a46312e350a7356620a70380a4930310a7356"
            + "6e620a70390a4930300a73566e6f6e650a7031300a4e73566c73740a7031310a286c7031320a49310a6156610a703133"
            + "0a6173567475700a7031340a2849310a49320a747031350a73566e65737465640a7031360a28647031370a56780a7031"
            + "380a49310a7356790a7031390a286c7032300a49370a6149380a617373566d0a7032310a4937303030300a732e";
    private static final String PROTO_1 =
            "7d71002858040000007573657271015805000000c3a40a5c78710258010000006e71034b05580300000062696771044c"
            + "313138303539313632303731373431313330333432344c0a58030000006e656771054afdffffff58060000006e656762"
            + "696771064c2d313039393531313632373737364c0a5801000000667107473ff800000000000058010000006271084930"
            + "310a58020000006e6271094930300a58040000006e6f6e65710a4e58030000006c7374710b5d710c284b015801000000"
            + "61710d655803000000747570710e284b014b0274710f58060000006e657374656471107d71112858010000007871124b"
            + "0158010000007971135d7114284b074b08657558010000006d71154a70110100752e";
    private static final String PROTO_2 =
            "80027d71002858040000007573657271015805000000c3a40a5c78710258010000006e71034b05580300000062696771"
            + "048a0900000000000000004058030000006e656771054afdffffff58060000006e656762696771068a060000000000ff"
            + "5801000000667107473ff800000000000058010000006271088858020000006e6271098958040000006e6f6e65710a4e"
            + "58030000006c7374710b5d710c284b01580100000061710d655803000000747570710e4b014b0286710f58060000006e"
            + "657374656471107d71112858010000007871124b0158010000007971135d7114284b074b08657558010000006d71154a"
            + "70110100752e";
    /**
     * Protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, sets) of BASE plus {@code bytes=b'\x00\xff',
     * long=b'z'*300, set={3}, fs=frozenset({4}), t4=(1,2,3,4), t0=()}.
     */
    private static final String PROTO_4 =
            "8004951d020000000000007d94288c0475736572948c05c3a40a5c78948c016e944b058c03626967948a090000000000"
            + "000000408c036e6567944afdffffff8c066e6567626967948a060000000000ff8c016694473ff80000000000008c0162"
            + "94888c026e6294898c046e6f6e65944e8c036c7374945d94284b018c016194658c03747570944b014b0286948c066e65"
            + "73746564947d94288c0178944b018c0179945d94284b074b0865758c016d944a701101008c05627974657394430200ff"
            + "948c046c6f6e6794422c010000" + "7a".repeat(300) + "948c03736574948f94284b03908c02667394284b049194"
            + "8c02743494284b014b024b034b0474948c0274309429752e";

    @Test
    void decodesTheSpecExampleWithMemoOpcodes() {
        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(SPEC_K_V));

        assertThat(dict).containsExactly(Map.entry("k", "v"));
    }

    @Test
    void emptyFieldIsTheEmptyDict() {
        Map<String, Object> dict = PickleReader.unpickleDict(new byte[0]);

        assertThat(dict).isEmpty();
        dict.put("mutable", true);
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {0, 1, 2})
    void decodesPythonPicklesOfEveryOldProtocol(int protocol) {
        String hex = switch (protocol) {
            case 0 -> PROTO_0;
            case 1 -> PROTO_1;
            default -> PROTO_2;
        };

        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(hex));

        assertThat(dict).as("values, types and order").isEqualTo(baseExpected());
        assertThat(dict.keySet()).containsExactlyElementsOf(baseExpected().keySet());
        assertThat(dict.get("big")).isInstanceOf(BigInteger.class);
        assertThat(dict.get("negbig")).as("fits in a long").isInstanceOf(Long.class);
        assertThat(dict.get("n")).as("never Integer").isInstanceOf(Long.class);
        assertThat(dict).isInstanceOf(LinkedHashMap.class);
    }

    @Test
    void decodesProtocol4WithFramesMemoizeBytesAndSets() {
        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(PROTO_4));

        Map<String, Object> plain = new LinkedHashMap<>(dict);
        plain.keySet().removeAll(List.of("bytes", "long", "set", "fs", "t4", "t0"));
        assertThat(plain).isEqualTo(baseExpected());
        assertThat((byte[]) dict.get("bytes")).containsExactly(0x00, 0xff);
        byte[] zs = new byte[300];
        Arrays.fill(zs, (byte) 'z');
        assertThat((byte[]) dict.get("long")).as("BINBYTES").isEqualTo(zs);
        assertThat(dict.get("set")).isEqualTo(Set.of(3L));
        assertThat(dict.get("fs")).isEqualTo(Set.of(4L));
        assertThat(dict.get("t4")).isEqualTo(List.of(1L, 2L, 3L, 4L));
        assertThat(dict.get("t0")).isEqualTo(List.of());
    }

    @Test
    void tuplesAreUnmodifiableAndListsMutable() {
        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(PROTO_2));

        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) dict.get("lst");
        list.add("more");
        @SuppressWarnings("unchecked")
        List<Object> tuple = (List<Object>) dict.get("tup");
        assertThatThrownBy(() -> tuple.add(3L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void python2StringsBecomeStringsWhenAsciiElseBytesAndBytesKeysBecomeStrings() {
        // Protocol 1, as Python 2 would write {'user': 'abc', 'k2': '\xc3\xa4', b'k': 1} (the last key
        // as SHORT_BINBYTES): SHORT_BINSTRING, BINSTRING and SHORT_BINBYTES.
        String hex = "7d7100285504757365727101550361626355026b325402000000c3a443016b4b01752e";

        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(hex));

        assertThat(dict).containsOnlyKeys("user", "k2", "k");
        assertThat(dict.get("user")).isEqualTo("abc");
        assertThat(dict.get("k2")).as("non-ASCII: bytes, as errors='bytes' gives").isInstanceOf(byte[].class);
        assertThat((byte[]) dict.get("k2")).containsExactly(0xc3, 0xa4);
        assertThat(dict.get("k")).isEqualTo(1L);
    }

    @Test
    void protocol0QuotedStringsAreUnescaped() {
        // (dp0 S'key' p1 S'\xff\n' p2 s .
        String hex = "286470300a53276b6579270a70310a53275c7866665c6e270a70320a732e";

        Map<String, Object> dict = PickleReader.unpickleDict(HEX.parseHex(hex));

        assertThat((byte[]) dict.get("key")).containsExactly(0xff, '\n');
    }

    @Test
    void protocol0UnicodeEscapesFollowRawUnicodeEscape() {
        // (dV\u0041\\u0042\\\u0043\n V\U0001f600\n s .  -> {'A\\u0042\\C': '😀'}
        byte[] pickle = ("(dV\\u0041\\\\u0042\\\\\\u0043\nV\\U0001f600\ns.").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);

        Map<String, Object> dict = PickleReader.unpickleDict(pickle);

        assertThat(dict).containsExactly(Map.entry("A\\\\u0042\\\\C", "\ud83d\ude00"));
    }

    @Test
    void floatLinesAcceptPythonsSpecialValues() {
        byte[] pickle = "}(Va\nFinf\nVb\nF-inf\nVc\nFnan\nVd\nF1e-05\nu."
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        Map<String, Object> dict = PickleReader.unpickleDict(pickle);

        assertThat(dict).containsEntry("a", Double.POSITIVE_INFINITY)
                .containsEntry("b", Double.NEGATIVE_INFINITY)
                .containsEntry("d", 1e-05);
        assertThat((Double) dict.get("c")).isNaN();
    }

    @Test
    void refusesNonStringTopLevelKeys() {
        // pickle.dumps({1: 'x'}, 3)
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d71004b01580100000078732e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("key 1 is a int, not a string");
    }

    @Test
    void refusesAPickleThatIsNotADict() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80035d71002e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("holds a list, not a dict");
    }

    @Test
    void truncatedPickleNamesTheOffset() {
        byte[] truncated = Arrays.copyOf(HEX.parseHex(SPEC_K_V), 12);

        assertThatThrownBy(() -> PickleReader.unpickleDict(truncated))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("offset 11")
                .hasMessageContaining("BINPUT");
    }

    @Test
    void missingStopIsTruncation() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("ends before STOP");
    }

    @Test
    void unknownOpcode() {
        PickleException e = (PickleException) org.assertj.core.api.Assertions.catchThrowable(
                () -> PickleReader.unpickleDict(HEX.parseHex("80037dff2e")));

        assertThat(e).hasMessageContaining("unknown pickle opcode").hasMessageContaining("0xff");
        assertThat(e.offset()).isEqualTo(3);
    }

    @Test
    void missingMemoKey() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d58010000006b6805732e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("memo key 5 is missing")
                .hasMessageContaining("BINGET");
    }

    @Test
    void refusesCodeExecutingOpcodes() {
        // {'k': os.system} would need GLOBAL; an extension must be plain data.
        byte[] pickle = "}(Vk\ncos\nsystem\nu.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> PickleReader.unpickleDict(pickle))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("not supported")
                .hasMessageContaining("GLOBAL");
    }

    @Test
    void stackUnderflow() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d732e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("stack underflow");
    }

    @Test
    void setItemsWithoutMark() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d752e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("no MARK");
    }

    @Test
    void valuesBelowAMarkAreFenced() {
        // EMPTY_DICT, 'k', MARK, SETITEM: SETITEM may not reach below the MARK.
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80037d58010000006b28732e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("stack underflow");
    }

    @Test
    void unsupportedProtocol() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80067d2e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("protocol 6");
    }

    @Test
    void oversizedLengthIsTruncationNotAnAllocation() {
        assertThatThrownBy(() -> PickleReader.unpickleDict(HEX.parseHex("80047d8effffffffffffff7f2e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("truncated");
    }

    /** The dict the protocol 0–2 constants were pickled from. */
    static Map<String, Object> baseExpected() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("x", 1L);
        nested.put("y", List.of(7L, 8L));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", "\u00e4\n\\x");
        m.put("n", 5L);
        m.put("big", BigInteger.ONE.shiftLeft(70));
        m.put("neg", -3L);
        m.put("negbig", -(1L << 40));
        m.put("f", 1.5);
        m.put("b", true);
        m.put("nb", false);
        m.put("none", null);
        m.put("lst", List.of(1L, "a"));
        m.put("tup", List.of(1L, 2L));
        m.put("nested", nested);
        m.put("m", 70000L);
        return m;
    }
}
