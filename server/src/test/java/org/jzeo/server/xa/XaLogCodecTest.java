package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** The prepared log's bytes on their own: every record type survives encode and decode; damage is refused. */
class XaLogCodecTest {
    private static final WireXid XID = new WireXid(7, "gtrid".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2});

    private static XaLogRecord.Prepared prepared() {
        TransactionMetadata meta = new TransactionMetadata("alice".getBytes(StandardCharsets.UTF_8),
                "move money".getBytes(StandardCharsets.UTF_8), Map.of("jzeo.xid", XID.toString()), null, ' ');
        return new XaLogRecord.Prepared(XID, 1_000L, Tid.of(42), 30, meta, List.of(
                new Operation.Store(Oid.of(1), Tid.of(40), new byte[] {9, 8, 7}),
                new Operation.CheckCurrent(Oid.of(2), Tid.of(41)),
                new Operation.Delete(Oid.of(3), Tid.of(39))));
    }

    private static XaLogRecord roundTrip(XaLogRecord record) {
        return XaLogCodec.decode(ByteBuffer.wrap(XaLogCodec.encode(record)));
    }

    @Test
    void aPreparedRecordComesBackWithItsMetadataAndOperations() {
        XaLogRecord.Prepared back = (XaLogRecord.Prepared) roundTrip(prepared());

        assertThat(back.xid()).isEqualTo(XID);
        assertThat(back.timeMillis()).isEqualTo(1_000L);
        assertThat(back.lastTidAtPrepare()).isEqualTo(Tid.of(42));
        assertThat(back.timeoutSeconds()).isEqualTo(30);
        assertThat(new String(back.metadata().user(), StandardCharsets.UTF_8)).isEqualTo("alice");
        assertThat(new String(back.metadata().description(), StandardCharsets.UTF_8)).isEqualTo("move money");
        assertThat(back.metadata().extension()).containsEntry("jzeo.xid", XID.toString());
        assertThat(back.metadata().explicitTid()).isNull();
        assertThat(back.metadata().status()).isEqualTo(' ');
        assertThat(back.operations()).hasSize(3);
        Operation.Store store = (Operation.Store) back.operations().get(0);
        assertThat(store.oid()).isEqualTo(Oid.of(1));
        assertThat(store.serial()).isEqualTo(Tid.of(40));
        assertThat(store.data()).containsExactly(9, 8, 7);
        assertThat(back.operations().subList(1, 3)).containsExactly(
                new Operation.CheckCurrent(Oid.of(2), Tid.of(41)), new Operation.Delete(Oid.of(3), Tid.of(39)));
    }

    @Test
    void aStoreOfANewObjectWithoutASerialComesBackAsSerialZero() {
        XaLogRecord.Prepared p = prepared();
        XaLogRecord.Prepared newObject = new XaLogRecord.Prepared(XID, 1L, Tid.of(1), 0, p.metadata(),
                List.of(new Operation.Store(Oid.of(5), null, new byte[0])));

        Operation.Store back = (Operation.Store) ((XaLogRecord.Prepared) roundTrip(newObject)).operations().get(0);

        assertThat(back.serial()).isEqualTo(Tid.ZERO);
    }

    @Test
    void aBlobStoreComesBackWithItsFile() {
        XaLogRecord.Prepared p = prepared();
        java.nio.file.Path file = java.nio.file.Path.of("/var/jzeo/blobs/tmp/upload-1é.tmp");
        XaLogRecord.Prepared withBlob = new XaLogRecord.Prepared(XID, 1L, Tid.of(1), 0, p.metadata(),
                List.of(new Operation.StoreBlob(Oid.of(6), Tid.of(4), new byte[] {1, 2}, file)));

        Operation.StoreBlob back = (Operation.StoreBlob) ((XaLogRecord.Prepared) roundTrip(withBlob))
                .operations().get(0);

        assertThat(back.oid()).isEqualTo(Oid.of(6));
        assertThat(back.serial()).isEqualTo(Tid.of(4));
        assertThat(back.data()).containsExactly(1, 2);
        assertThat(back.file()).isEqualTo(file);
    }

    @Test
    void everyOutcomeRecordComesBackEqual() {
        List<XaLogRecord> outcomes = List.of(
                new XaLogRecord.Committed(XID, 5L, Tid.of(77), List.of(Oid.of(1), Oid.of(2))),
                new XaLogRecord.RolledBack(XID, 6L),
                new XaLogRecord.HeuristicRollback(XID, 7L, "waited longer than xa-heuristic-timeout"),
                new XaLogRecord.HeuristicRollback(XID, 7L, "could not be locked again", "alice"),
                new XaLogRecord.Forgotten(XID, 8L));

        for (XaLogRecord record : outcomes) {
            assertThat(roundTrip(record)).isEqualTo(record);
        }
    }

    @Test
    void aFrameIsTheBodyAfterItsCheckedLengthAndDurableEndAndBeforeItsChecksum() {
        byte[] body = XaLogCodec.encode(prepared());
        ByteBuffer frame = ByteBuffer.wrap(XaLogCodec.frame(prepared(), 4242));

        assertThat(frame.capacity()).isEqualTo(XaLogCodec.FRAME_HEADER + body.length + 4);
        assertThat(frame.getInt()).isEqualTo(body.length);
        assertThat(frame.getLong()).isEqualTo(4242);
        assertThat(frame.getInt()).isEqualTo(XaLogCodec.crc(frame.array(), 0, 12));
        int at = XaLogCodec.FRAME_HEADER;
        assertThat(Arrays.copyOfRange(frame.array(), at, at + body.length)).isEqualTo(body);
        assertThat(frame.getInt(at + body.length)).isEqualTo(XaLogCodec.crc(body, 0, body.length));
    }

    @Test
    void aTornBodyIsRefusedAtEveryCut() {
        byte[] body = XaLogCodec.encode(prepared());

        for (int cut = 0; cut < body.length; cut++) {
            ByteBuffer torn = ByteBuffer.wrap(body, 0, cut).slice();
            assertThatThrownBy(() -> XaLogCodec.decode(torn)).as("body cut at %d of %d bytes", cut, body.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void bytesAfterARecordAndUnknownTypesAreRefused() {
        byte[] body = XaLogCodec.encode(new XaLogRecord.RolledBack(XID, 6L));
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        byte[] unknown = body.clone();
        unknown[0] = 99;

        assertThatThrownBy(() -> XaLogCodec.decode(ByteBuffer.wrap(longer)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the record");
        assertThatThrownBy(() -> XaLogCodec.decode(ByteBuffer.wrap(unknown)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("record type 99");
    }

    @Test
    void aBranchCannotBeWrittenWithAnUndoOrARestore() {
        XaLogRecord.Prepared withUndo = new XaLogRecord.Prepared(XID, 1L, Tid.of(1), 0, prepared().metadata(),
                List.of(new Operation.Undo(new byte[] {1})));

        assertThatThrownBy(() -> XaLogCodec.encode(withUndo)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFileHeaderIsMagicAndVersion() {
        assertThat(XaLogCodec.fileHeader()).containsExactly('J', 'Z', 'X', 'A', 3, 0, 0, 0);
    }

    /** A prepared record as version 2 wrote it, by the documented layout: no owner. */
    private static byte[] version2Prepared(int type, byte[] owner) {
        ByteBuffer b = ByteBuffer.allocate(200);
        b.put((byte) type).putInt(7).put((byte) 5).put("gtrid".getBytes(StandardCharsets.UTF_8));
        b.put((byte) 2).put(new byte[] {1, 2}).putLong(1_000L);
        if (owner != null) {
            b.putInt(owner.length).put(owner);
        }
        b.putLong(42).putInt(30);
        b.putInt(1).put((byte) 'u').putInt(0).putInt(0); // user "u", no description, no extension
        b.put((byte) 0).putLong(0).put((byte) ' ').putInt(0); // no explicit tid, status ' ', no operations
        return Arrays.copyOf(b.array(), b.position());
    }

    private static XaLogRecord.Prepared ownedBy(String owner) {
        TransactionMetadata meta = new TransactionMetadata("u".getBytes(StandardCharsets.UTF_8), new byte[0],
                Map.of(), null, ' ');
        return new XaLogRecord.Prepared(XID, 1_000L, Tid.of(42), 30, meta, List.of(), owner);
    }

    @Test
    void aPreparedRecordWithoutOwnerIsWrittenAndReadAsVersion2DidWithOwnerNull() {
        byte[] old = version2Prepared(1, null);

        assertThat(XaLogCodec.encode(ownedBy(null))).isEqualTo(old);
        XaLogRecord.Prepared back = (XaLogRecord.Prepared) XaLogCodec.decode(ByteBuffer.wrap(old));
        assertThat(back.owner()).isNull();
        assertThat(back.lastTidAtPrepare()).isEqualTo(Tid.of(42));
        assertThat(back.timeoutSeconds()).isEqualTo(30);
    }

    @Test
    void anOwnedPreparedRecordIsType6WithTheOwnerAfterTheTime() {
        byte[] owner = "zoë".getBytes(StandardCharsets.UTF_8);
        byte[] expected = version2Prepared(6, owner);

        assertThat(XaLogCodec.encode(ownedBy("zoë"))).isEqualTo(expected);
        XaLogRecord.Prepared back = (XaLogRecord.Prepared) XaLogCodec.decode(ByteBuffer.wrap(expected));
        assertThat(back.owner()).isEqualTo("zoë");
        assertThat(roundTrip(ownedBy("zoë"))).usingRecursiveComparison().isEqualTo(back);
        assertThat(((XaLogRecord.Prepared) roundTrip(prepared())).owner()).isNull();
        assertThat(XaLogCodec.preparedXidOrNull(expected, 0)).as("the xid of a damaged owned record").isEqualTo(XID);
    }

    @Test
    void anOwnedRecordCutShortIsRefusedAtEveryCut() {
        for (XaLogRecord record : List.of(ownedBy("alice"),
                new XaLogRecord.HeuristicRollback(XID, 7L, "reason", "alice"))) {
            byte[] body = XaLogCodec.encode(record);
            for (int cut = 0; cut < body.length; cut++) {
                ByteBuffer torn = ByteBuffer.wrap(body, 0, cut).slice();
                assertThatThrownBy(() -> XaLogCodec.decode(torn)).as("%s cut at %d", record, cut)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
