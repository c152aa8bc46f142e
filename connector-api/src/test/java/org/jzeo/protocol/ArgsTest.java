package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;

class ArgsTest {
    private static final MessageCodec CODEC = new MessageCodec();

    /** Arguments as the codec decodes them from a real call, so the Java types are the decoded ones. */
    private static List<Object> decoded(Object... args) throws Exception {
        return CODEC.decode(CODEC.encodeCall(1, false, "m", Arrays.asList(args))).args();
    }

    @Test
    void oidsAndTidsAreBinOfEightBytes() throws Exception {
        List<Object> args = decoded(Oid.of(5), Tid.MAX, null);
        assertThat(Args.oid(args, 0)).isEqualTo(Oid.of(5));
        assertThat(Args.tid(args, 1)).isEqualTo(Tid.MAX);
        assertThat(Args.optionalTid(args, 2)).isNull();
        assertThat(Args.optionalTid(args, 3)).isNull();
        assertThat(Args.optionalOid(args, 2)).isNull();
        assertThat(Args.optionalOid(args, 0)).isEqualTo(Oid.of(5));
    }

    @Test
    void aWrongTypeNamesTheIndexTheExpectedAndTheActualType() throws Exception {
        List<Object> args = decoded(new byte[7], "0000000000000001", 3L);
        assertThatThrownBy(() -> Args.oid(args, 0))
                .isInstanceOfSatisfying(WireTypeException.class, e -> {
                    assertThat(e.argumentIndex()).isEqualTo(0);
                    assertThat(e.expected()).isEqualTo("bin (8 bytes, oid)");
                    assertThat(e.actual()).isEqualTo("bin (7 bytes)");
                    assertThat(e.method()).isNull();
                    assertThat(e.isArityError()).isFalse();
                })
                .hasMessage("argument 0: expected bin (8 bytes, oid), got bin (7 bytes)");
        assertThatThrownBy(() -> Args.tid(args, 1)).hasMessage("argument 1: expected bin (8 bytes, tid), got str");
        assertThatThrownBy(() -> Args.bytes(args, 2)).hasMessage("argument 2: expected bin, got int");
        assertThatThrownBy(() -> Args.string(args, 0)).hasMessage("argument 0: expected str, got bin (7 bytes)");
        assertThatThrownBy(() -> Args.oid(args, 3)).hasMessage("argument 3: expected an argument, got missing");
    }

    @Test
    void theDispatcherAddsTheMethodName() throws Exception {
        List<Object> args = decoded("x");
        try {
            Args.oid(args, 0);
        } catch (WireTypeException e) {
            WireTypeException named = e.inMethod("loadBefore");
            assertThat(named).hasMessage("loadBefore() argument 0: expected bin (8 bytes, oid), got str");
            assertThat(named.method()).isEqualTo("loadBefore");
            assertThat(named.getStackTrace()).isEqualTo(e.getStackTrace());
            assertThat(WireErrors.toWire(named).className()).isEqualTo("builtins.TypeError");
            return;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void arityIsCheckedLikeAPythonSignature() throws Exception {
        List<Object> none = decoded();
        assertThatThrownBy(() -> Args.requireCount(none, 1, 2))
                .isInstanceOfSatisfying(WireTypeException.class, e -> assertThat(e.isArityError()).isTrue())
                .hasMessage("takes 1 to 2 arguments, got 0 arguments");
        assertThatThrownBy(() -> Args.requireCount(decoded(1L, 2L), 1, 1))
                .isInstanceOfSatisfying(WireTypeException.class,
                        e -> assertThat(e.inMethod("getTid")).hasMessage("getTid() takes 1 argument, got 2 arguments"));
        assertThatThrownBy(() -> Args.requireCount(none, 2, -1)).hasMessageContaining("at least 2 arguments");
        Args.requireCount(decoded("1", false, "credentials"), 2, 3);
        assertThat(Args.has(none, 0)).isFalse();
    }

    @Test
    void userAndDescriptionMayBeBinOrStr() throws Exception {
        List<Object> args = decoded("alice", "é".getBytes(StandardCharsets.UTF_8), 1L);
        assertThat(Args.textBytes(args, 0)).isEqualTo("alice".getBytes(StandardCharsets.UTF_8));
        assertThat(Args.textBytes(args, 1)).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Args.textBytes(args, 2)).hasMessage("argument 2: expected bin or str, got int");
        assertThatThrownBy(() -> Args.bytes(args, 0)).isInstanceOf(WireTypeException.class);
    }

    @Test
    void integersFloatsAndTruthiness() throws Exception {
        BigInteger huge = BigInteger.ONE.shiftLeft(63);
        List<Object> args = decoded(140239360206032L, huge, 1.5, 7L, false, 0L, 1L, "x", null);
        assertThat(Args.longValue(args, 0)).isEqualTo(140239360206032L);
        assertThat(Args.integer(args, 0)).isEqualTo(140239360206032L);
        assertThat(Args.integer(args, 1)).isEqualTo(huge);
        assertThatThrownBy(() -> Args.longValue(args, 1))
                .hasMessage("argument 1: expected int within the signed 64-bit range, got int 9223372036854775808");
        assertThatThrownBy(() -> Args.longValue(args, 2)).hasMessage("argument 2: expected int, got float");
        assertThat(Args.doubleValue(args, 2)).isEqualTo(1.5);
        assertThat(Args.doubleValue(args, 3)).isEqualTo(7.0);
        assertThat(Args.truthy(args, 4)).isFalse();
        assertThat(Args.truthy(args, 5)).isFalse();
        assertThat(Args.truthy(args, 6)).isTrue();
        assertThat(Args.truthy(args, 3)).isTrue();
        assertThat(Args.truthy(args, 1)).isTrue();
        assertThatThrownBy(() -> Args.truthy(args, 7)).hasMessage("argument 7: expected bool or int, got str");
        assertThatThrownBy(() -> Args.truthy(args, 8)).hasMessage("argument 8: expected bool or int, got nil");
        assertThatThrownBy(() -> Args.doubleValue(args, 7)).hasMessage("argument 7: expected float or int, got str");
        assertThat(Args.optionalTruthy(args, 8, true)).isTrue();
        assertThat(Args.optionalTruthy(args, 9, false)).isFalse();
        assertThat(Args.optionalLong(args, 8, 1)).isEqualTo(1);
        assertThat(Args.optionalLong(args, 42, 100)).isEqualTo(100);
        assertThat(Args.optionalLong(args, 3, 100)).isEqualTo(7);
    }

    @Test
    void stringsListsAndMaps() throws Exception {
        List<Object> args = decoded("1", List.of(1L, 2L), Map.of("tag", "y"), null, new byte[] {1});
        assertThat(Args.string(args, 0)).isEqualTo("1");
        assertThat(Args.optionalString(args, 3, " ")).isEqualTo(" ");
        assertThat(Args.optionalString(args, 0, " ")).isEqualTo("1");
        assertThat(Args.list(args, 1)).containsExactly(1L, 2L);
        assertThat(Args.map(args, 2)).containsEntry("tag", "y");
        assertThat(Args.optionalMap(args, 3)).isNull();
        assertThat(Args.optionalBytes(args, 3)).isNull();
        assertThat(Args.optionalBytes(args, 4)).containsExactly(1);
        assertThat(Args.value(args, 3)).isNull();
        assertThatThrownBy(() -> Args.list(args, 2)).hasMessage("argument 2: expected array, got map");
        assertThatThrownBy(() -> Args.map(args, 1)).hasMessage("argument 1: expected map, got array");
        assertThatThrownBy(() -> Args.string(args, 4)).hasMessage("argument 4: expected str, got bin (1 byte)");
    }
}
