package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
    private static final MessageCodec CODEC = new MessageCodec();
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }

    private static String hexOf(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    // ---------------------------------------------------------------- malformed payloads

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty                      | ''                                   | empty payload",
        "not an array (int)         | 01                                   | expected a msgpack array",
        "not an array (map)         | 80                                   | got map",
        "3 elements                 | 93 01 c2 a4 70696e67                 | got 3 elements",
        "5 elements                 | 95 01 c2 a4 70696e67 90 c0           | got 5 elements",
        "name is bin                | 94 01 c2 c4 04 70696e67 90           | method name must be str, got bin (4 bytes)",
        "name is int                | 94 01 c2 07 90                       | method name must be str, got int",
        "args not an array          | 94 01 c2 a4 70696e67 c0              | arguments of ping must be an array, got nil",
        "args a map                 | 94 01 c2 a4 70696e67 80              | must be an array, got map",
        "flag is str                | 94 01 a1 78 a4 70696e67 90           | flag must be bool or int, got str",
        "flag is nil                | 94 01 c0 a4 70696e67 90              | flag must be bool or int, got nil",
        "truncated args             | 94 01 c2 a4 70696e67 92 01           | truncated message",
        "truncated int              | 94 01 c2 a4 70696e67 91 cd 01        | not valid msgpack",
        "truncated name             | 94 01 c2 a8 7265676973               | truncated message",
        "truncated in the header    | dc 00                                | not valid msgpack",
        "trailing bytes             | 94 01 c2 a4 70696e67 90 00 00        | 2 trailing bytes",
        "invalid byte c1            | c1                                   | 0xc1",
        "invalid byte c1 inside     | 94 01 c2 a4 70696e67 91 c1           | 0xc1",
        "huge array announced       | 94 01 c2 a4 70696e67 dd 7fffffff     | array of 2147483647 elements announced",
        "huge bin announced         | 94 01 c2 a4 70696e67 91 c6 7fffffff  | bin of 2147483647 bytes announced",
        "array32 beyond int         | dd ffffffff                          | not valid msgpack",
        "invalid utf-8 name         | 94 01 c2 a2 c328 90                  | str is not valid UTF-8",
        "ext type                   | 94 01 c2 a4 70696e67 91 d4 01 00     | extension types",
        "int map key                | 94 01 c2 a4 70696e67 91 81 01 02     | map key must be str or bin, got int",
        "error reply not a pair     | 94 01 02 a6 2e7265706c79 c0          | an error reply must carry [class_name, exc_args], got nil",
        "error reply 3 elements     | 94 01 02 a6 2e7265706c79 93 a1 78 90 90 | got array of 3 elements",
        "error class not str        | 94 01 02 a6 2e7265706c79 92 c4 01 78 90 | error class name must be str, got bin",
        "error args not map/array   | 94 01 02 a6 2e7265706c79 92 a1 78 a1 79 | exc_args must be a map or an array, got str",
    })
    void malformedPayloadsAreRefusedWithAReason(String what, String payload, String reason) {
        assertThatThrownBy(() -> CODEC.decode(hex(payload)))
                .as(what)
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void deepNestingIsRefusedWithoutAStackOverflow() {
        byte[] payload = new byte[10_000];
        Arrays.fill(payload, (byte) 0x91);
        assertThatThrownBy(() -> CODEC.decode(concat(hex("94 01 c2 a4 70696e67"), payload)))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("nested deeper");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButMalformedMessageException() {
        Random random = new Random(20261122);
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = new byte[1 + random.nextInt(40)];
            random.nextBytes(payload);
            if (i % 2 == 0) {
                payload[0] = (byte) 0x94; // get past the first check half the time
            }
            try {
                CODEC.decode(payload);
            } catch (MalformedMessageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void everyTruncationOfARealMessageIsMalformed() throws Exception {
        byte[] whole = CODEC.encodeCall(List.of(Oid.of(1).toBytes(), Tid.MAX.toBytes()), false, "loadBefore",
                List.of(Oid.of(1), Tid.MAX));
        assertThat(CODEC.decode(whole).name()).isEqualTo("loadBefore");
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> CODEC.decode(cut)).as("first %d bytes", length)
                    .isInstanceOf(MalformedMessageException.class);
        }
    }

    // ---------------------------------------------------------------- msgid echo

    @Test
    void anIntMsgidIsEchoedAsIs() throws Exception {
        WireMessage call = CODEC.decode(hex("94 07 c2 a4 70696e67 90"));
        assertThat(call.msgid().value()).isEqualTo(7L);
        assertThat(call.isAsync()).isFalse();
        assertThat(call.args()).isEmpty();
        assertThat(hexOf(CODEC.encodeReply(call.msgid(), null))).isEqualTo("9407" + "00" + "a62e7265706c79" + "c0");
    }

    @Test
    void aLoadBeforeMsgidIsEchoedAsTheSameArray() throws Exception {
        String id = "92 c408 0000000000000002 c408 7fffffffffffffff";
        WireMessage call = CODEC.decode(hex("94" + id + "c2 aa 6c6f61644265666f7265" + id));
        assertThat(call.name()).isEqualTo("loadBefore");
        assertThat(call.msgid().value()).isInstanceOf(List.class);
        List<?> value = (List<?>) call.msgid().value();
        assertThat((byte[]) value.get(0)).isEqualTo(Oid.of(2).toBytes());
        assertThat(call.msgid()).isEqualTo(MessageId.of(List.of(Oid.of(2), Tid.MAX)));

        byte[] reply = CODEC.encodeError(call.msgid(), WireErrors.POS_KEY_ERROR, List.of(Oid.of(2).toBytes()));
        assertThat(hexOf(reply)).startsWith(hexOf(hex("94" + id + "02")));
        WireMessage decoded = CODEC.decode(reply);
        assertThat(decoded.msgid()).isEqualTo(call.msgid());
        assertThat(decoded.isError()).isTrue();
        assertThat(decoded.errorClassName()).isEqualTo(WireErrors.POS_KEY_ERROR);
    }

    @Test
    void aNonCanonicalMsgidIsStillEchoedByteForByte() throws Exception {
        // A uint16-encoded 5 is unusual but legal; the echo must not normalise it.
        WireMessage call = CODEC.decode(hex("94 cd0005 c2 a4 70696e67 90"));
        assertThat(call.msgid().value()).isEqualTo(5L);
        assertThat(hexOf(CODEC.encodeReply(call.msgid(), null))).startsWith("94cd0005");
        assertThat(call.msgid()).isNotEqualTo(MessageId.of(5L));
    }

    @Test
    void keepAliveIsRecognisedAndEncodedAsPythonDoes() throws Exception {
        byte[] keepAlive = CODEC.encodeKeepAlive();
        assertThat(hexOf(keepAlive)).isEqualTo("94ff00a62e7265706c79c0");
        WireMessage message = CODEC.decode(keepAlive);
        assertThat(message.isKeepAlive()).isTrue();
        assertThat(message.isReply()).isTrue();
        assertThat(message.isError()).isFalse();
        // Ignored whatever the rest says, so not even an odd error body is refused.
        assertThat(CODEC.decode(hex("94 ff 02 a6 2e7265706c79 c0")).isKeepAlive()).isTrue();
    }

    @Test
    void callsCallbacksAndRepliesHaveTheirFlags() throws Exception {
        assertThat(hexOf(CODEC.encodeCallback("info", List.of(Map.of("size", 4L)))))
                .isEqualTo("9400c3a4696e666f9181a473697a6504");
        WireMessage callback = CODEC.decode(CODEC.encodeCallback("info", List.of()));
        assertThat(callback.flag()).isEqualTo(true);
        assertThat(callback.isAsync()).isTrue();
        assertThat(callback.msgid()).isEqualTo(MessageId.ASYNC);

        WireMessage asyncCall = CODEC.decode(CODEC.encodeCall(0, true, "tpc_begin", List.of(1L)));
        assertThat(asyncCall.isAsync()).isTrue();
        WireMessage intFlag = CODEC.decode(hex("94 01 01 a4 70696e67 90"));
        assertThat(intFlag.flag()).isEqualTo(1L);
        assertThat(intFlag.isAsync()).isTrue();

        WireMessage error = CODEC.decode(CODEC.encodeError(MessageId.of(3L), "builtins.ValueError", List.of("x")));
        assertThat(error.flag()).isEqualTo(2L);
        assertThat(error.isError()).isTrue();
        assertThat(error.errorArgs()).isEqualTo(List.of("x"));
        assertThatThrownBy(error::args).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(callback::result).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(callback::errorClassName).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void errorArgsMustBeAMapOrAnArray() {
        assertThatThrownBy(() -> CODEC.encodeError(MessageId.of(1L), "x.Y", "oops"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(CODEC.encodeError(MessageId.of(1L), "x.Y", new Object[] {"a"}))
                .isEqualTo(CODEC.encodeError(MessageId.of(1L), "x.Y", List.of("a")));
    }

    // ---------------------------------------------------------------- Java → msgpack typing

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "0, 00", "127, 7f", "128, cc80", "255, ccff", "256, cd0100", "65535, cdffff", "65536, ce00010000",
        "4294967295, ceffffffff", "4294967296, cf0000000100000000", "140239360206032, cf00007f8c053fa4d0",
        "9223372036854775807, cf7fffffffffffffff", "-1, ff", "-32, e0", "-33, d0df", "-128, d080",
        "-129, d1ff7f", "-32768, d18000", "-32769, d2ffff7fff", "-2147483648, d280000000",
        "-2147483649, d3ffffffff7fffffff",
    })
    void integersUseTheSmallestFormLikePython(long value, String expected) throws Exception {
        assertThat(hexOf(MessageCodec.encodeValue(value))).isEqualTo(expected);
        assertThat(MessageCodec.decodeValue(hex(expected))).isEqualTo(value);
    }

    @Test
    void smallerJavaIntegersAndBigIntegersFollowTheSameRule() throws Exception {
        assertThat(hexOf(MessageCodec.encodeValue(200))).isEqualTo("ccc8");
        assertThat(hexOf(MessageCodec.encodeValue((short) -5))).isEqualTo("fb");
        assertThat(hexOf(MessageCodec.encodeValue(BigInteger.valueOf(300)))).isEqualTo("cd012c");
        BigInteger twoTo63 = BigInteger.ONE.shiftLeft(63);
        assertThat(hexOf(MessageCodec.encodeValue(twoTo63))).isEqualTo("cf8000000000000000");
        BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        assertThat(hexOf(MessageCodec.encodeValue(max))).isEqualTo("cfffffffffffffffff");
        assertThat(MessageCodec.decodeValue(hex("cfffffffffffffffff"))).isEqualTo(max);
        assertThat(MessageCodec.decodeValue(hex("cf8000000000000000"))).isEqualTo(twoTo63);
        // A uint64 that fits a long decodes as a Long, so equals() compares txn ids by value.
        assertThat(MessageCodec.decodeValue(hex("cf00007f8c053fa4d0"))).isEqualTo(140239360206032L);
        assertThatThrownBy(() -> MessageCodec.encodeValue(BigInteger.ONE.shiftLeft(64)))
                .isInstanceOf(WireEncodingException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> MessageCodec.encodeValue(BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE)))
                .isInstanceOf(WireEncodingException.class);
    }

    @Test
    void bytesOidsAndTidsAreBinStringsAreStr() throws Exception {
        assertThat(hexOf(MessageCodec.encodeValue(new byte[] {1, 2}))).isEqualTo("c4020102");
        assertThat(hexOf(MessageCodec.encodeValue(new byte[0]))).isEqualTo("c400");
        assertThat(hexOf(MessageCodec.encodeValue(Oid.of(1)))).isEqualTo("c4080000000000000001");
        assertThat(hexOf(MessageCodec.encodeValue(Tid.MAX))).isEqualTo("c4087fffffffffffffff");
        assertThat(hexOf(MessageCodec.encodeValue(new byte[256]))).startsWith("c50100");
        assertThat(hexOf(MessageCodec.encodeValue(new byte[65536]))).startsWith("c600010000");
        assertThat(hexOf(MessageCodec.encodeValue(""))).isEqualTo("a0");
        assertThat(hexOf(MessageCodec.encodeValue("1"))).isEqualTo("a131");
        assertThat(hexOf(MessageCodec.encodeValue("x".repeat(31)))).startsWith("bf78");
        assertThat(hexOf(MessageCodec.encodeValue("x".repeat(32)))).startsWith("d92078");
        assertThat(hexOf(MessageCodec.encodeValue("x".repeat(255)))).startsWith("d9ff78");
        assertThat(hexOf(MessageCodec.encodeValue("x".repeat(256)))).startsWith("da010078");
        assertThat(hexOf(MessageCodec.encodeValue("x".repeat(70000)))).startsWith("db0001117078");
        // The header counts UTF-8 bytes, not chars: 20 × "é" is 40 bytes, str8.
        assertThat(hexOf(MessageCodec.encodeValue("é".repeat(20)))).startsWith("d928c3a9");
        assertThat(MessageCodec.decodeValue(MessageCodec.encodeValue("é€😀"))).isEqualTo("é€😀");
        assertThatThrownBy(() -> MessageCodec.encodeValue("\ud800"))
                .isInstanceOf(WireEncodingException.class);
    }

    @Test
    void floatsAreFloat64BooleansAndNil() throws Exception {
        assertThat(hexOf(MessageCodec.encodeValue(1.5))).isEqualTo("cb3ff8000000000000");
        assertThat(hexOf(MessageCodec.encodeValue(1.5f))).isEqualTo("cb3ff8000000000000");
        assertThat(MessageCodec.decodeValue(hex("ca3fc00000"))).isEqualTo(1.5);
        assertThat(hexOf(MessageCodec.encodeValue(true))).isEqualTo("c3");
        assertThat(hexOf(MessageCodec.encodeValue(false))).isEqualTo("c2");
        assertThat(hexOf(MessageCodec.encodeValue(null))).isEqualTo("c0");
        assertThat(MessageCodec.decodeValue(hex("c0"))).isNull();
    }

    @Test
    void listsArraysAndMapsKeepTheirOrder() throws Exception {
        assertThat(hexOf(MessageCodec.encodeValue(List.of()))).isEqualTo("90");
        assertThat(hexOf(MessageCodec.encodeValue(new Object[] {1L, "a"}))).isEqualTo("9201a161");
        assertThat(hexOf(MessageCodec.encodeValue(Arrays.asList(new Object[16])))).startsWith("dc0010c0");
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1L);
        map.put("a", null);
        map.put(new byte[] {7}, "bin key");
        byte[] encoded = MessageCodec.encodeValue(map);
        assertThat(hexOf(encoded)).isEqualTo("83a17a01a161c0c40107a762696e206b6579");
        Map<?, ?> decoded = (Map<?, ?>) MessageCodec.decodeValue(encoded);
        assertThat(decoded.keySet()).element(0).isEqualTo("z");
        assertThat(decoded.keySet()).element(1).isEqualTo("a");
        assertThat(decoded.keySet()).element(2).isInstanceOf(byte[].class);
        assertThat(MessageCodec.encodeValue(decoded)).isEqualTo(encoded);
        assertThatThrownBy(() -> decoded.clear()).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) MessageCodec.decodeValue(hex("92c001"));
        assertThat(list).containsExactly(null, 1L);
        assertThatThrownBy(() -> list.clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"date", "intKey", "set", "char"})
    void unsupportedValuesAreRefused(String kind) {
        Object value;
        switch (kind) {
            case "date":
                value = new java.util.Date();
                break;
            case "intKey":
                value = Map.of(1, "x");
                break;
            case "set":
                value = java.util.Set.of(1L);
                break;
            default:
                value = 'c';
                break;
        }
        assertThatThrownBy(() -> MessageCodec.encodeValue(value)).isInstanceOf(WireEncodingException.class);
        assertThatThrownBy(() -> new MessageCodec().encodeReply(MessageId.of(1L), value))
                .isInstanceOf(WireEncodingException.class);
    }

    @Test
    void decodedValuesReEncodeToTheSameBytes() throws Exception {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("length", 2L);
        info.put("size", 322L);
        info.put("name", "Data.fs");
        info.put("supportsUndo", true);
        info.put("interfaces", List.of(List.of("ZODB.interfaces", "IStorage")));
        info.put("lock_time", 1.795314772796E9);
        byte[] encoded = CODEC.encodeReply(MessageId.of(2L), info);
        WireMessage decoded = CODEC.decode(encoded);
        assertThat(decoded.result()).isEqualTo(info);
        assertThat(CODEC.encodeReply(decoded.msgid(), decoded.result())).isEqualTo(encoded);
    }

    @Test
    void theDocumentedFirstCommitFramesAreReproduced() {
        // Spec §13: → [1, false, "register", ["1", 0]] and ← [1, 0, ".reply", z64].
        assertThat(hexOf(CODEC.encodeCall(1, false, "register", List.of("1", 0))))
                .isEqualTo("9401c2a8726567697374657292a13100");
        assertThat(hexOf(CODEC.encodeReply(MessageId.of(1L), Tid.ZERO)))
                .isEqualTo("940100a62e7265706c79c4080000000000000000");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
