package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.jzeo.server.storage.pickle.PickleBytes.observedRootRecord;
import static org.jzeo.server.storage.pickle.PickleBytes.pickle;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;

class ReferenceScannerTest {
    private static final HexFormat HEX = HexFormat.of();

    // Records written by Python 3.11's pickle with one Pickler for both pickles (as ZODB does), a
    // persistent_id hook standing in for ZODB's, and stub modules persistent.mapping and myapp.things.

    /**
     * Protocol 3, PersistentMapping whose data holds every §10.1 persistent-id shape: 'a' (oid 1,
     * Thing) tuple, 'b' bare bytes oid 2, 'w' ['w', (oid 3,)], 'wd' ['w', (oid 4, 'other')],
     * 'n' ['n', ('other', oid 5)], 'm' ['m', ('other', oid 6, Thing)], 'lg' legacy [oid 7],
     * 'c' (oid 8, Thing), 'pm' (oid 9, PersistentMapping via BINGET 0 from pickle 1).
     */
    private static final String P3_SHAPES =
            "80036370657273697374656e742e6d617070696e670a50657273697374656e744d617070696e670a71002e80037d7101"
            + "58040000006461746171027d7103285801000000617104430800000000000000017105636d796170702e7468696e6773"
            + "0a5468696e670a710686710751580100000062710843080000000000000002710951580100000077710a5d710b28680a"
            + "43080000000000000003710c85710d655158020000007764710e5d710f28680a43080000000000000004711058050000"
            + "006f746865727111867112655158010000006e71135d7114286813681143080000000000000005711586711665515801"
            + "0000006d71175d71182868176811430800000000000000067119680687711a655158020000006c67711b5d711c430800"
            + "00000000000007711d6151580100000063711e43080000000000000008711f6806867120515802000000706d71214308"
            + "0000000000000009712268008671235175732e";

    /** Protocol 4: FRAME, MEMOIZE, STACK_GLOBAL; refs 0x101, 0x102 (tuples) and a weak ref 0x103. */
    private static final String P4 =
            "8004952c000000000000008c1270657273697374656e742e6d617070696e67948c1150657273697374656e744d617070"
            + "696e679493942e800495a5000000000000007d948c0464617461947d94288c01619443080000000000000101948c0c6d"
            + "796170702e7468696e6773948c055468696e679493948694518c0162944308000000000000010294680a8694518c0177"
            + "945d9428680f4308000000000000010394859465518c026261948c086275696c74696e73948c09627974656172726179"
            + "9493944302787994859452948c0173948f94284b014b02908c02667394288c017194919475732e";

    /** Protocol 5, same objects as {@link #P4}; the bytearray is a BYTEARRAY8. */
    private static final String P5 =
            "8005952c000000000000008c1270657273697374656e742e6d617070696e67948c1150657273697374656e744d617070"
            + "696e679493942e8005958f000000000000007d948c0464617461947d94288c01619443080000000000000101948c0c6d"
            + "796170702e7468696e6773948c055468696e679493948694518c0162944308000000000000010294680a8694518c0177"
            + "945d9428680f4308000000000000010394859465518c026261949602000000000000007879948c0173948f94284b014b"
            + "02908c02667394288c017194919475732e";

    /** Protocol 2 with str oids (BINUNICODE): (0x0a80, Thing), bare 0x0b, weak 0x0c; LONG1, TUPLE. */
    private static final String P2 =
            "80026370657273697374656e742e6d617070696e670a50657273697374656e744d617070696e670a71002e80027d7101"
            + "58040000006461746171027d710328580100000061710458090000000000000000000ac2807105636d796170702e7468"
            + "696e67730a5468696e670a71068671075158010000006271085808000000000000000000000b71095158010000007771"
            + "0a5d710b28680a5808000000000000000000000c710c85710d6551580100000066710e473ff400000000000058030000"
            + "00626967710f8a0b00000000000000000000015801000000747110284b014b024b034b0474711175732e";

    /** Protocol 1, same objects as {@link #P2}: MARK … TUPLE, LONG line. */
    private static final String P1 =
            "6370657273697374656e742e6d617070696e670a50657273697374656e744d617070696e670a71002e7d710158040000"
            + "006461746171027d71032858010000006171042858090000000000000000000ac2807105636d796170702e7468696e67"
            + "730a5468696e670a71067471075158010000006271085808000000000000000000000b710951580100000077710a5d71"
            + "0b28680a285808000000000000000000000c710c74710d6551580100000066710e473ff4000000000000580300000062"
            + "6967710f4c313230383932353831393631343632393137343730363137364c0a5801000000747110284b014b024b034b"
            + "0474711175732e";

    /** Protocol 0: a bare str pid is written as PERSID (oid 0x0d); UNICODE with escapes, FLOAT, INT 01. */
    private static final String P0 =
            "6370657273697374656e742e6d617070696e670a50657273697374656e744d617070696e670a70300a2e286470310a56"
            + "646174610a70320a286470330a56610a70340a50000000000000000d0a7356746578740a70350a566c696e655c753030"
            + "30616261636b5c7530303563736c6173685c75323061630a70360a7356660a70370a46322e350a73566269670a70380a"
            + "4c313230383932353831393631343632393137343730363137364c0a7356690a70390a49370a7356740a7031300a2849"
            + "310a4930310a747031310a73732e";

    /** Protocol 3, class pickle (Thing, ()) as for a class with __getnewargs__; ref (0x0e, BINGET 0). */
    private static final String NEWARGS3 =
            "8003636d796170702e7468696e67730a5468696e670a7100298671012e80037d71025801000000787103430800000000"
            + "0000000e7104680086710551732e";

    /** Protocol 2, class pickle (Thing, (1,)); ref (str oid 0x0f, BINGET 0). */
    private static final String NEWARGS2 =
            "8002636d796170702e7468696e67730a5468696e670a71004b018571018671022e80027d710358010000007871045808"
            + "000000000000000000000f7105680086710651732e";

    /**
     * Hand-written (checked with pickletools.dis): every opcode of spec §10.2 in one record, the state
     * pickle in a protocol-5 FRAME. Strong refs in order: 0x11 (MARK…TUPLE with BINGET 0), 0x12
     * (PERSID), 0x14 (SHORT_BINSTRING in TUPLE1), 0x15 (SHORT_BINUNICODE bare), 0x16 (TUPLE1), 0x16
     * again (bare, BINGET). A weak ref to 0x13 is ignored.
     */
    private static final String KITCHEN_SINK =
            "8002636d6f640a4b6c6173730a71002e800595f5010000000000007d72010000002856730a4e56620a8856630a895664"
            + "0a4931320a56650a4930310a56660a4c3132334c0a56670a4a0100000056680a4b0156690a4d0102566a0a8a0105566b"
            + "0a8b020000000102566c0a46312e350a566d0a474004000000000000566e0a42020000006162566f0a8e020000000000"
            + "0000616256700a5402000000616256710a53276162270a56720a8d0200000000000000616256740a9602000000000000"
            + "00616256750a979856760a284b014b026c56770a5d4b016156780a284b014b026456790a8f284b0190567a0a284b0191"
            + "56410a4b014b024b038756420a284b01745642320a295642330a4b01854b028656430a636d6f640a460a295256440a68"
            + "0029817d6256450a6800297d9256460a2868004b016f56470a284b01696d6f640a4b6c6173730a56480a8c036d6f6494"
            + "8c014b949356490a8201564a0a830100564b0a8401000000564c0a4b013286564c320a4b01304b01564d0a284b01314b"
            + "02564e0a4b017039390a306739390a564f0a4b057200010000306a0001000056570a28304b0156500a28430800000000"
            + "000000116800745156510a5000000000000000120a56520a5d2856770a4308000000000000001385655156530a550800"
            + "00000000000014855156540a8c0800000000000000155156550a430800000000000000167107855156560a680751752e";

    @Test
    void observedRootRecordReferencesItsMappingValues() {
        assertThat(ReferenceScanner.references(observedRootRecord()))
                .as("'x' -> oid 1, 'b' -> oid 2 (Blob)")
                .containsExactly(Oid.of(1), Oid.of(2));
    }

    @Test
    void statePickleNeedsTheMemoOfTheClassPickle() {
        byte[] record = observedRootRecord();
        int statePickle = indexOfSecondPickle(record);
        byte[] stateOnly = Arrays.copyOfRange(record, statePickle, record.length);

        assertThatThrownBy(() -> ReferenceScanner.references(stateOnly))
                .as("the BINGET 0 of the state pickle refers to the class pickle's memo")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("memo key 0 is missing");
    }

    @Test
    void everyPersistentIdShape() {
        assertThat(ReferenceScanner.references(HEX.parseHex(P3_SHAPES)))
                .as("tuples and bare bytes are strong; weak, cross-database and legacy lists are not")
                .containsExactly(Oid.of(1), Oid.of(2), Oid.of(8), Oid.of(9));
    }

    @Test
    void protocol4And5() {
        assertThat(ReferenceScanner.references(HEX.parseHex(P4))).containsExactly(Oid.of(0x101), Oid.of(0x102));
        assertThat(ReferenceScanner.references(HEX.parseHex(P5))).containsExactly(Oid.of(0x101), Oid.of(0x102));
    }

    @Test
    void protocols0To2WithStrOids() {
        assertThat(ReferenceScanner.references(HEX.parseHex(P2)))
                .as("a str oid is converted with Latin-1: U+0080 is byte 0x80")
                .containsExactly(Oid.of(0x0a80), Oid.of(0x0b));
        assertThat(ReferenceScanner.references(HEX.parseHex(P1))).containsExactly(Oid.of(0x0a80), Oid.of(0x0b));
        assertThat(ReferenceScanner.references(HEX.parseHex(P0))).as("PERSID").containsExactly(Oid.of(0x0d));
    }

    @Test
    void classPicklesWithNewArgs() {
        assertThat(ReferenceScanner.references(HEX.parseHex(NEWARGS3))).containsExactly(Oid.of(0x0e));
        assertThat(ReferenceScanner.references(HEX.parseHex(NEWARGS2))).containsExactly(Oid.of(0x0f));
    }

    @Test
    void everyOpcodeOfTheSpec() {
        assertThat(ReferenceScanner.references(HEX.parseHex(KITCHEN_SINK)))
                .containsExactly(Oid.of(0x11), Oid.of(0x12), Oid.of(0x14), Oid.of(0x15), Oid.of(0x16), Oid.of(0x16));
    }

    @Test
    void legacyStringOidInATupleIsFound() {
        byte[] record = pickle()
                .hex("80 01").global("myapp", "Thing").hex("71 00 2e")
                // EMPTY_DICT, MARK, 'a', MARK, SHORT_BINSTRING oid 7, BINGET 0, TUPLE, BINPERSID, SETITEMS, STOP
                .hex("7d 28").binunicode("a").hex("28").legacyOid(7).hex("68 00 74 51 75 2e")
                .build();

        assertThat(ReferenceScanner.references(record)).containsExactly(Oid.of(7));
    }

    @Test
    void protocol0QuotedStringOid() {
        // (S'\x00\x00\x00\x00\x00\x00\x00\t' cmyapp\nThing\n t Q as Python 2 could write it.
        byte[] record = pickle()
                .global("myapp", "Thing").text(".")
                .text("(S'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\t'\n").global("myapp", "Thing").text("tQ.")
                .build();

        assertThat(ReferenceScanner.references(record)).containsExactly(Oid.of(9));
    }

    @Test
    void weakAndCrossDatabaseReferencesAreIgnored() {
        byte[] record = pickle()
                .hex("80 03").global("myapp", "Thing").hex("2e")
                // ['w', (oid 3,)] BINPERSID, then ['m', ('other', oid 4, Thing)] BINPERSID in a list
                .hex("80 03 5d 28").binunicode("w").oid(3).hex("85 65 51")
                .hex("5d 28").binunicode("m").binunicode("other").oid(4).global("myapp", "Thing").hex("87 65 51")
                .hex("86 2e")
                .build();

        assertThat(ReferenceScanner.references(record)).isEmpty();
    }

    @Test
    void aRecordWithOnlyOnePickleIsScanned() {
        byte[] record = pickle().hex("80 03").global("myapp", "Thing").hex("71 00 2e").build();

        assertThat(ReferenceScanner.references(record)).isEmpty();
    }

    @Test
    void referencesInTheClassPickleCount() {
        byte[] record = pickle().hex("80 03").oid(5).hex("51 2e").build();

        assertThat(ReferenceScanner.references(record)).containsExactly(Oid.of(5));
    }

    @Test
    void emptyRecord() {
        assertThatThrownBy(() -> ReferenceScanner.references(new byte[0]))
                .isInstanceOf(PickleException.class)
                .hasMessage("empty record");
        assertThatThrownBy(() -> ReferenceScanner.referencesOf(new byte[0]))
                .isInstanceOf(PickleException.class)
                .hasMessage("empty record");
    }

    @Test
    void truncatedRecord() {
        byte[] record = observedRootRecord();

        for (int length = 1; length < record.length; length++) {
            byte[] truncated = Arrays.copyOf(record, length);
            if (length == indexOfSecondPickle(record)) {
                // Exactly the class pickle: legal, and it has no references.
                assertThat(ReferenceScanner.references(truncated)).isEmpty();
                continue;
            }
            assertThatThrownBy(() -> ReferenceScanner.references(truncated))
                    .as("record cut to %d of %d bytes", length, record.length)
                    .isInstanceOf(PickleException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void unknownOpcode() {
        byte[] record = pickle().hex("80 03").global("myapp", "Thing").hex("2e 80 03 7d ff 2e").build();

        PickleException e = catchThrowableOfType(PickleException.class, () -> ReferenceScanner.references(record));

        assertThat(e).hasMessageContaining("unknown pickle opcode").hasMessageContaining("0xff");
        assertThat(e.offset()).as("offset within the whole record").isEqualTo(record.length - 2);
    }

    @Test
    void missingMemoKey() {
        byte[] record = pickle().hex("80 03").global("myapp", "Thing").hex("71 00 2e 80 03 68 01 2e").build();

        assertThatThrownBy(() -> ReferenceScanner.references(record))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("memo key 1 is missing")
                .hasMessageContaining("BINGET");
    }

    @Test
    void stackUnderflow() {
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("800351 2e".replace(" ", ""))))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("stack underflow")
                .hasMessageContaining("BINPERSID");
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("80037d28732e")))
                .as("SETITEM may not reach below a MARK")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("stack underflow");
    }

    @Test
    void persistentIdWithAnOidOfTheWrongLength() {
        byte[] record = pickle().hex("80 03 43 07 00 00 00 00 00 00 01 51 2e").build();

        assertThatThrownBy(() -> ReferenceScanner.references(record))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("7 bytes long");
    }

    @Test
    void persistentIdOfAnUnexpectedShape() {
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("80037d512e")))
                .as("a dict pid")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("persistent id holds a dict");
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("800329512e")))
                .as("an empty tuple pid")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("empty tuple");
        byte[] reducedOid = pickle().hex("80 02 28").global("_codecs", "encode").hex("29 52")
                .global("myapp", "Thing").hex("74 51 2e").build();
        assertThatThrownBy(() -> ReferenceScanner.references(reducedOid))
                .as("an oid built by REDUCE (Python 3 bytes pickled with protocol 2) cannot be read")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("persistent id holds an object");
    }

    @Test
    void oddDictItems() {
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("80037d284b01752e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("odd number of items");
    }

    @Test
    void truncatedFrame() {
        assertThatThrownBy(() -> ReferenceScanner.references(HEX.parseHex("800495ff00000000000000292e")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("frame");
    }

    @Test
    void protocol5OutOfBandBuffersAreOpaque() {
        byte[] record = pickle().hex("80 05").global("myapp", "Thing").hex("2e")
                .hex("80 05 28 97 98").oid(0x20).hex("85 51 74 2e")
                .build();

        assertThat(ReferenceScanner.references(record)).containsExactly(Oid.of(0x20));
    }

    @Test
    void jzeoRecordsAreDispatchedByReferencesOf() {
        byte[] record = JzeoRecord.encode(List.of(Oid.of(5), Oid.of(6)), "payload".getBytes());

        assertThat(ReferenceScanner.referencesOf(record)).containsExactly(Oid.of(5), Oid.of(6));
        assertThat(ReferenceScanner.referencesOf(observedRootRecord())).containsExactly(Oid.of(1), Oid.of(2));
        assertThatThrownBy(() -> ReferenceScanner.references(record))
                .as("the pickle scanner alone refuses jzeo records: 0xFF is not an opcode")
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("unknown pickle opcode");
    }

    @Test
    void malformedJzeoRecordIsAPickleException() {
        assertThatThrownBy(() -> ReferenceScanner.referencesOf(HEX.parseHex("ff4a5a0100000002")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("malformed jzeo record")
                .hasMessageContaining("declares 2 references");
    }

    @Test
    void resultIsUnmodifiable() {
        List<Oid> refs = ReferenceScanner.references(observedRootRecord());

        assertThatThrownBy(() -> refs.add(Oid.of(3))).isInstanceOf(UnsupportedOperationException.class);
    }

    /** The offset just after the first STOP of a record whose class pickle has no 0x2e inside arguments. */
    private static int indexOfSecondPickle(byte[] record) {
        for (int i = 0; i < record.length; i++) {
            if (record[i] == '.' && i + 1 < record.length && (record[i + 1] & 0xFF) == 0x80) {
                return i + 1;
            }
        }
        throw new AssertionError("no second pickle");
    }
}
