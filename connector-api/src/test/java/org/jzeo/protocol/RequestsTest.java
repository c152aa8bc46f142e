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

/**
 * The request records decode what ZEO's server accepts (the values the stock client was seen to send) and
 * refuse, as a TypeError, what ZEO refuses; what jzeo's clients build decodes back to the same request.
 */
class RequestsTest {
    private static final byte[] OID = Oid.of(7).toBytes();
    private static final byte[] TID = Tid.of(0x03aL).toBytes();

    /** Through the codec, as the server receives them. */
    private static List<Object> wire(Object... args) {
        MessageCodec codec = new MessageCodec();
        try {
            return codec.decode(codec.encodeCall(1L, true, "m", Arrays.asList(args))).args();
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStoreSerialMayBeNilOrAnEightCharacterStr() {
        assertThat(Requests.Store.decode(wire(OID, null, new byte[] {1}, 5L)).serial())
                .as("store(oid, None, ...): no previous revision").isNull();
        assertThat(Requests.Store.decode(wire(OID, "\0\0\0\0\0\0\0\0", new byte[] {1}, 5L)).serial())
                .as("ZEO's thread tests' '\\0' * 8").isEqualTo(Tid.ZERO);
        assertThat(Requests.Store.decode(wire(OID, TID, new byte[] {1}, 5L)).serial()).isEqualTo(Tid.of(0x03aL));
        assertThatThrownBy(() -> Requests.Store.decode(wire(OID, "short", new byte[] {1}, 5L)))
                .isInstanceOf(WireTypeException.class).hasMessageContaining("argument 1");
        assertThatThrownBy(() -> Requests.Store.decode(wire(null, TID, new byte[] {1}, 5L)))
                .as("the oid is not lenient").isInstanceOf(WireTypeException.class);
    }

    @Test
    void historyTellsAnExplicitNilSizeFromAnAbsentOne() {
        assertThat(Requests.History.decode(wire(OID)).size()).isEqualTo(1L);
        assertThat(Requests.History.decode(wire(OID, null)).size()).as("history(oid, None)").isNull();
        assertThat(Requests.History.decode(wire(null, null)).oid()).as("history(None, None)").isNull();
        assertThat(Requests.History.decode(wire(OID, 5L)).size()).isEqualTo(5L);
    }

    @Test
    void textArgumentsTakeBinOrStr() {
        assertThat(Requests.Register.decode(wire("1".getBytes(StandardCharsets.UTF_8), 0L)))
                .isEqualTo(new Requests.Register("1", false));
        assertThat(Requests.SetClientLabel.decode(wire(42L)).label()).as("ZEO logs str(label)").isEqualTo("42");
        Requests.TpcBegin begin = Requests.TpcBegin.decode(wire(BigInteger.ONE.shiftLeft(63), "user", new byte[0],
                Map.of("k".getBytes(StandardCharsets.UTF_8), 1L)));
        assertThat(begin.txn()).as("id(txn) above 2^63, as a uint64").isEqualTo(BigInteger.ONE.shiftLeft(63));
        assertThat(begin.user()).isEqualTo("user".getBytes(StandardCharsets.UTF_8));
        assertThat(begin.extension()).containsEntry("k", 1L);
        assertThat(begin.status()).as("the default status").isEqualTo(" ");
        assertThat(begin.tid()).isNull();
    }

    @Test
    void iteratorGcIgnoresWhatIsNotAnIteratorId() {
        assertThat(Requests.IteratorGc.decode(wire(Arrays.asList(1L, "x", null, 3L))).iteratorIds())
                .containsExactly(1L, 3L);
    }

    @Test
    void whatJzeosClientsBuildDecodesToTheSameRequest() {
        Requests.Store store = new Requests.Store(Oid.of(9), Tid.of(8), new byte[] {1, 2}, 77L);
        Requests.Store back = Requests.Store.decode(wire(store.args().toArray()));
        assertThat(back.oid()).isEqualTo(store.oid());
        assertThat(back.serial()).isEqualTo(store.serial());
        assertThat(back.data()).isEqualTo(store.data());
        assertThat(back.txn()).isEqualTo(77L);
        assertThat(Requests.LoadBefore.decode(wire(new Requests.LoadBefore(Oid.of(1), Tid.MAX).args().toArray())))
                .isEqualTo(new Requests.LoadBefore(Oid.of(1), Tid.MAX));
        assertThat(Requests.UndoLog.decode(Requests.UndoLog.LOG, wire(0L, -20L)))
                .isEqualTo(new Requests.UndoLog(Requests.UndoLog.LOG, 0, -20, null));
        assertThat(Requests.Pack.decode(wire(1234L))).as("pack(t) with an int time and wait's default")
                .isEqualTo(new Requests.Pack(1234.0, true));
    }
}
