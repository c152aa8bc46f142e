package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.commit.PreparedRecord;
import org.jzeo.server.storage.commit.PreparedTransaction;
import org.jzeo.server.storage.commit.RecordSource;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** The bytes of each record type, field by field, as filestorage-format §3 and §4 lay them out. */
class RecordLayoutTest {
    private static final Tid TID = Tid.fromHex("040d2d5f3b156f00");
    private static final long TPOS = 4;

    private static TransactionEncoder.Encoded encode(TransactionMetadata meta, List<PreparedRecord> records,
                                                     Map<Long, Long> committed) {
        return TransactionEncoder.encode(new PreparedTransaction(meta, records), TID, TPOS,
                oid -> committed.getOrDefault(oid, OidIndex.ABSENT), (oid, same) -> same.position());
    }

    @Test
    void transactionHeaderWithUserDescriptionAndExtension() {
        TransactionMetadata meta = TransactionMetadata.of("u", "dd", Map.of("k", "v"));
        ByteBuffer b = encode(meta, List.of(), Map.of()).bytes();
        byte[] ext = HexFormat.of().parseHex("80037d71005801000000" + "6b" + "71015801000000" + "76" + "7102732e");
        int headerLength = 23 + 1 + 2 + b.get(22);
        assertThat(b.getLong(0)).as("tid").isEqualTo(TID.value());
        assertThat(b.getLong(8)).as("tlen of a transaction without records = its header length")
                .isEqualTo(headerLength);
        assertThat(b.get(16)).as("status").isEqualTo((byte) ' ');
        assertThat(b.getShort(17)).as("ulen").isEqualTo((short) 1);
        assertThat(b.getShort(19)).as("dlen").isEqualTo((short) 2);
        assertThat(new String(b.array(), 23, 3, StandardCharsets.UTF_8)).isEqualTo("udd");
        byte[] written = new byte[b.getShort(21)];
        b.get(26, written);
        // Python writes memo opcodes that jzeo leaves out; both decode to {'k': 'v'}.
        assertThat(org.jzeo.server.storage.pickle.PickleReader.unpickleDict(written))
                .isEqualTo(org.jzeo.server.storage.pickle.PickleReader.unpickleDict(ext));
        assertThat(b.getLong(headerLength)).as("redundant length").isEqualTo(headerLength);
        assertThat(b.remaining()).isEqualTo(headerLength + 8);
    }

    @Test
    void emptyExtensionTakesNoBytes() {
        ByteBuffer b = encode(TransactionMetadata.empty(), List.of(), Map.of()).bytes();
        assertThat(b.getShort(21)).isZero();
        assertThat(b.getLong(8)).isEqualTo(23);
    }

    @Test
    void dataRecordWithInlineDataAndPrevPointer() {
        byte[] data = {1, 2, 3, 4, 5};
        TransactionEncoder.Encoded e = encode(TransactionMetadata.empty(),
                List.of(new PreparedRecord(Oid.of(7), new RecordSource.Inline(data))), Map.of(7L, 1234L));
        ByteBuffer b = e.bytes();
        int p = 23;
        assertThat(b.getLong(p)).as("oid").isEqualTo(7);
        assertThat(b.getLong(p + 8)).as("tid").isEqualTo(TID.value());
        assertThat(b.getLong(p + 16)).as("prev = committed position").isEqualTo(1234);
        assertThat(b.getLong(p + 24)).as("tloc").isEqualTo(TPOS);
        assertThat(b.getShort(p + 32)).as("vlen").isZero();
        assertThat(b.getLong(p + 34)).as("plen").isEqualTo(5);
        byte[] payload = new byte[5];
        b.get(p + 42, payload);
        assertThat(payload).isEqualTo(data);
        assertThat(b.getLong(8)).as("tlen").isEqualTo(23 + 42 + 5);
        assertThat(e.positions()).containsExactly(TPOS + 23);
        assertThat(e.end()).isEqualTo(TPOS + 23 + 42 + 5 + 8);
    }

    @Test
    void backPointerAndDeletionRecordsHaveNoDataAndAnEightByteBackPointer() {
        TransactionEncoder.Encoded e = encode(TransactionMetadata.empty(), List.of(
                new PreparedRecord(Oid.of(1), new RecordSource.SameAs(Tid.of(5), 777)),
                new PreparedRecord(Oid.of(2), new RecordSource.NoData())), Map.of());
        ByteBuffer b = e.bytes();
        int first = 23;
        int second = first + 42 + 8;
        assertThat(b.getLong(first + 16)).as("prev of a new object").isZero();
        assertThat(b.getLong(first + 34)).as("plen").isZero();
        assertThat(b.getLong(first + 42)).as("back pointer").isEqualTo(777);
        assertThat(b.getLong(second)).as("oid").isEqualTo(2);
        assertThat(b.getLong(second + 34)).as("plen").isZero();
        assertThat(b.getLong(second + 42)).as("back pointer 0 = no data").isZero();
        assertThat(b.getLong(8)).isEqualTo(23 + 2 * 50);
    }

    @Test
    void parsedHeadersReadBackWhatWasWritten() {
        ByteBuffer b = encode(TransactionMetadata.of("a", "b", Map.of()), List.of(
                new PreparedRecord(Oid.of(9), new RecordSource.Inline(new byte[] {42}))), Map.of()).bytes();
        TransactionHeader.Fixed t = TransactionHeader.parseFixed(b.duplicate());
        assertThat(t.tid()).isEqualTo(TID);
        assertThat(t.headerLength()).isEqualTo(25);
        DataHeader d = DataHeader.parse(TPOS + 25, b.duplicate().position(25));
        assertThat(d.oid()).isEqualTo(Oid.of(9));
        assertThat(d.tloc()).isEqualTo(TPOS);
        assertThat(d.plen()).isEqualTo(1);
        assertThat(d.recordLength()).isEqualTo(43);
    }
}
