package org.jzeo.storage.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.jzeo.api.Oid;
import org.junit.jupiter.api.Test;

class JzeoRecordTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void encodesTheDocumentedLayout() {
        byte[] bytes = JzeoRecord.encode(List.of(Oid.of(1), Oid.of(0x0102030405060708L)), new byte[] {9, 8});

        assertThat(HEX.formatHex(bytes))
                .as("magic FF 'J' 'Z', version 1, big-endian count 2, two oids, payload")
                .isEqualTo("ff4a5a01" + "00000002" + "0000000000000001" + "0102030405060708" + "0908");
    }

    @Test
    void roundTripsReferencesAndPayload() {
        List<Oid> refs = List.of(Oid.of(7), Oid.of(-1L), Oid.of(7));
        byte[] payload = "hello".getBytes();

        JzeoRecord record = JzeoRecord.decode(JzeoRecord.encode(refs, payload));

        assertThat(record.references()).as("order and duplicates are kept").containsExactlyElementsOf(refs);
        assertThat(record.payload()).isEqualTo(payload);
    }

    @Test
    void emptyReferencesAndPayloadAreAllowed() {
        byte[] bytes = JzeoRecord.encode(List.of(), new byte[0]);

        assertThat(bytes).hasSize(JzeoRecord.HEADER_LENGTH);
        JzeoRecord record = JzeoRecord.decode(bytes);
        assertThat(record.references()).isEmpty();
        assertThat(record.payload()).isEmpty();
    }

    @Test
    void accessorsDoNotExposeInternalState() {
        JzeoRecord record = JzeoRecord.decode(JzeoRecord.encode(List.of(Oid.of(1)), new byte[] {1}));

        record.payload()[0] = 42;

        assertThat(record.payload()).containsExactly(1);
        assertThatThrownBy(() -> record.references().add(Oid.of(2)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void recognisesOnlyTheMagic() {
        assertThat(JzeoRecord.isJzeoRecord(HEX.parseHex("ff4a5a"))).isTrue();
        assertThat(JzeoRecord.isJzeoRecord(HEX.parseHex("ff4a5a02ffff"))).as("any version").isTrue();
        assertThat(JzeoRecord.isJzeoRecord(HEX.parseHex("80037d"))).as("a pickle").isFalse();
        assertThat(JzeoRecord.isJzeoRecord(HEX.parseHex("ff4a"))).as("too short").isFalse();
        assertThat(JzeoRecord.isJzeoRecord(new byte[0])).isFalse();
        assertThat(JzeoRecord.isJzeoRecord(null)).isFalse();
    }

    @Test
    void rejectsBadMagic() {
        assertThatThrownBy(() -> JzeoRecord.decode(HEX.parseHex("80037d2e")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a jzeo record")
                .hasMessageContaining("80 03 7D");
    }

    @Test
    void rejectsUnknownVersion() {
        assertThatThrownBy(() -> JzeoRecord.decode(HEX.parseHex("ff4a5a0200000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported jzeo record version 2");
    }

    @Test
    void rejectsMissingVersion() {
        assertThatThrownBy(() -> JzeoRecord.decode(HEX.parseHex("ff4a5a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("version");
    }

    @Test
    void rejectsTruncatedHeader() {
        assertThatThrownBy(() -> JzeoRecord.decode(HEX.parseHex("ff4a5a01000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("header");
    }

    @Test
    void rejectsTruncatedReferences() {
        byte[] twoRefsButOneAndAHalf = HEX.parseHex("ff4a5a01" + "00000002" + "0000000000000001" + "00000000");

        assertThatThrownBy(() -> JzeoRecord.decode(twoRefsButOneAndAHalf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("declares 2 references");
    }

    @Test
    void treatsTheCountAsUnsigned() {
        byte[] hugeCount = HEX.parseHex("ff4a5a01" + "ffffffff");

        assertThatThrownBy(() -> JzeoRecord.decode(hugeCount))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares 4294967295 references");
    }

    @Test
    void equalityIsByValue() {
        byte[] bytes = JzeoRecord.encode(List.of(Oid.of(3)), new byte[] {1, 2});

        assertThat(JzeoRecord.decode(bytes)).isEqualTo(JzeoRecord.decode(bytes.clone()));
        assertThat(JzeoRecord.decode(bytes)).hasSameHashCodeAs(JzeoRecord.decode(bytes.clone()));
    }
}
