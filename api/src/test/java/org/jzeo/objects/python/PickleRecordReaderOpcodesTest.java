package org.jzeo.objects.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.jzeo.objects.python.PythonRecords.*;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.jzeo.api.Oid;
import org.junit.jupiter.api.Test;

/**
 * Opcodes the Python-written vectors do not contain (Python 2 strings, INST/OBJ, DUP/POP/POP_MARK,
 * LONG_BINPUT/LONG_BINGET, BINBYTES8/BINUNICODE8), on small hand-made records, and every refusal.
 * The hand-made records that are valid pickles were checked to load in CPython 3.11 as their comments say.
 */
class PickleRecordReaderOpcodesTest {
    private static final Oid OID = Oid.of(0x2a);
    private static final PickleRecordReader READER = new PickleRecordReader();
    private static String hex(String latin1) {
        return HexFormat.of().formatHex(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static PythonObject read(String hex) {
        return READER.read(OID, HexFormat.of().parseHex(hex), null);
    }

    private static PickleFormatException failure(String hex) {
        PickleFormatException e = catchThrowableOfType(PickleFormatException.class, () -> read(hex));
        assertThat(e).as("a PickleFormatException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith("oid 000000000000002a: ");
        assertThat(e.oid()).isEqualTo(OID);
        return e;
    }

    @Test
    void python2Zodb3RecordWithBinaryStrings() {
        // ((b'mymodule', b'Foo'), None) then {'name': 'Alice', 'city': b'caf\xe9',
        //   'next': persistent id (b'\0..\5', (b'mod', b'Bar')), 'weak': persistent id [b'\0..\6']}
        PythonObject o = read("282855086d796d6f64756c6571015503466f6f71027471034e7471042e7d71052855046e616d6571065505"
                + "416c696365710755046369747971085404000000636166e9710955046e657874710a285508000000000000"
                + "0005710b2855036d6f64710c5503426172710d74710e74710f5155047765616b71105d7111550800000000"
                + "0000000671126151752e");
        assertThat(o.className()).isEqualTo("mymodule.Foo");
        assertThat(o.args()).isEmpty();
        assertThat(o.state()).isEqualTo(dict(
                "name", "Alice",
                "city", b('c', 'a', 'f', 0xe9),
                "next", ref(5, "mod", "Bar"),
                "weak", new PythonReference(Oid.of(6), null, null, true, null, null)));
    }

    @Test
    void protocol0StringsInstObjDupPopAndPopMark() {
        // mod.Cls, then {b"quote's AA\n": mod.Old() with state {b'a': 1}, b'obj': mod.Old2(2, 3),
        //   b'l': [1, 2], b'p': 10, b'u': 'a\u20ac\\\\u\U0001f600'}
        PythonObject o = read("636d6f640a436c730a70300a2e286470310a532771756f74655c2773205c7834315c3130315c6e270a7032"
                + "0a28696d6f640a4f6c640a70330a286470340a532761270a49310a73627353276f626a270a28636d6f640a"
                + "4f6c64320a49320a49330a6f70350a7353276c270a2849310a49320a6c70360a32307353277027"
                + "0a49370a302849380a49390a314931300a73532775270a56615c75323061635c5c755c5530303031663630"
                + "300a70370a732e");
        assertThat(o.className()).isEqualTo("mod.Cls");
        assertThat(o.state()).isEqualTo(dict(
                "quote's AA\n", built("mod", "Old", dict("a", 1L)),
                "obj", obj("mod", "Old2", 2L, 3L),
                "l", List.of(1L, 2L),
                "p", 10L,
                "u", "a\u20ac\\\\u\uD83D\uDE00"));
    }

    @Test
    void eightByteLengthsAndLongMemoKeys() {
        // protocol 4, STACK_GLOBAL mod.Cls, then {'a': b'xyz' (BINBYTES8), 'b': 'é' (BINUNICODE8),
        //   'c': memo[65536] (LONG_BINPUT, LONG_BINGET)}
        PythonObject o = read("80048c036d6f64948c03436c739493942e80047d288c01618e030000000000000078797a8c01628d0200"
                + "000000000000c3a972000100008c01636a00010000752e");
        assertThat(o.className()).isEqualTo("mod.Cls");
        assertThat(o.state()).isEqualTo(dict("a", b('x', 'y', 'z'), "b", "\u00e9", "c", "\u00e9"));
        assertThat(o.stateAsMap().get("c")).isSameAs(o.stateAsMap().get("b"));
    }

    @Test
    void classDescriptionForms() {
        // ((module, name), None) with BINUNICODE names; state None
        PythonObject a = read("8003" + "58010000006d" + "5803000000436c73" + "86" + "4e" + "86" + "2e" + "80034e2e");
        assertThat(a.className()).isEqualTo("m.Cls");
        assertThat(a.hasState()).isTrue();
        assertThat(a.state()).isNull();
        // (class, None)
        PythonObject b = read("8003" + hex("cm\nK\n") + "4e862e" + "8003292e");
        assertThat(b.className()).isEqualTo("m.K");
        assertThat(b.state()).isEqualTo(t());
        // a persistent class (the class is itself a persistent reference) is refused
        PickleFormatException e = failure("8003" + "43080000000000000009" + "51" + "2e" + "80034e2e");
        assertThat(e.getMessage()).contains("persistent class");
        // something that is no class at all
        assertThat(failure("8003" + "4b05" + "2e" + "80034e2e").getMessage())
                .contains("the class pickle holds a int");
    }

    @Test
    void persistentIdShapes() {
        String cls = "8003" + hex("cm\nK\n") + "2e";
        // ['w', (oid, 'otherdb')]
        PythonObject w = read(cls + "8003" + "5d" + "28" + "5801000000" + "77" + "430800000000000000" + "07"
                + "5807000000" + hex("otherdb") + "86" + "65" + "51" + "2e");
        assertThat(w.state()).isEqualTo(new PythonReference(Oid.of(7), null, null, true, "otherdb", null));
        // an oid of the wrong length
        assertThat(failure(cls + "8003" + "4303010203" + "51" + "2e").getMessage())
                .contains("persistent id's oid is 3 bytes long, not 8")
                .contains("0x51 'Q' BINPERSID at offset");
        // an int as a persistent id
        assertThat(failure(cls + "8003" + "4b01" + "51" + "2e").getMessage()).contains("persistent id is a int");
        // an unknown list form
        assertThat(failure(cls + "8003" + "5d" + "28" + "5801000000" + "7a" + "29" + "65" + "51" + "2e").getMessage())
                .contains("persistent id of unknown kind 'z'");
    }

    @Test
    void refusedOpcodesNameTheOpcodeAndOffset() {
        String cls = "8003" + hex("cm\nK\n") + "2e"; // 8 bytes
        PickleFormatException ext = failure(cls + "8003" + "8201" + "2e");
        assertThat(ext.getMessage()).isEqualTo("oid 000000000000002a: EXT1 (a copyreg extension registry code)"
                + " is not supported (opcode 0x82 EXT1 at offset 10)");
        assertThat(ext.offset()).isEqualTo(10);
        assertThat(ext.opcode()).isEqualTo(0x82);
        assertThat(failure(cls + "8003" + "830100" + "2e").getMessage()).contains("EXT2");
        assertThat(failure(cls + "8003" + "8401000000" + "2e").getMessage()).contains("EXT4");
        assertThat(failure(cls + "8005" + "97" + "2e").getMessage())
                .contains("out-of-band buffers").contains("0x97 NEXT_BUFFER at offset 10");
        assertThat(failure(cls + "8005" + "43016198" + "2e").getMessage()).contains("READONLY_BUFFER");
        assertThat(failure(cls + "8006" + "4e2e").getMessage())
                .contains("unsupported pickle protocol 6").contains("0x80 PROTO at offset 8");
        assertThat(failure(cls + "8003" + "ff" + "2e").getMessage())
                .isEqualTo("oid 000000000000002a: unknown opcode (opcode 0xff (unknown opcode) at offset 10)");
    }

    @Test
    void malformedInput() {
        String cls = "8003" + hex("cm\nK\n") + "2e";
        assertThat(failure("").getMessage()).contains("empty record");
        assertThat(failure(cls).getMessage()).contains("no state pickle").contains("at offset 8");
        assertThat(failure(cls + "80034e2e" + "00").getMessage())
                .contains("1 bytes after the state pickle's STOP").contains("at offset 12");
        assertThat(failure(cls + "8003" + "6863" + "2e").getMessage())
                .contains("memo key 99 was never stored").contains("BINGET");
        assertThat(failure(cls + "8003" + "2e").getMessage()).contains("stack underflow").contains("STOP");
        assertThat(failure(cls + "8003" + "4e4e2e").getMessage()).contains("left on the stack at STOP");
        assertThat(failure(cls + "8003" + "5d4e622e").getMessage()).contains("BUILD on a list");
        assertThat(failure(cls + "8003" + "7d4e612e").getMessage()).contains("append to a dict");
        assertThat(failure(cls + "8003" + "4b014b02522e").getMessage()).contains("REDUCE calls a int");
        assertThat(failure(cls + "8003" + "58020000" + "00" + "c328" + "2e").getMessage())
                .contains("text is not valid UTF-8");
        assertThat(failure(cls + "8003" + "8bffffffff" + "2e").getMessage()).contains("negative length");
        assertThat(failure(cls + "8003" + "8effffffffffffffff" + "2e").getMessage()).contains("truncated");
        assertThat(failure(cls + "8004" + "950001000000000000" + "4e2e").getMessage())
                .contains("frame of 256 bytes");
        assertThat(failure(cls + "8004" + "95ffffffffffffffff" + "4e2e").getMessage())
                .contains("frame of 18446744073709551615 bytes");
    }

    @Test
    void unhashableKeysAreRefusedAsInPython() {
        String cls = "8003" + hex("cm\nK\n") + "2e";
        // {[]: None}
        assertThat(failure(cls + "8003" + "7d" + "5d" + "4e" + "73" + "2e").getMessage())
                .contains("unhashable type: list");
        // {([],): None}
        assertThat(failure(cls + "8003" + "7d" + "5d" + "85" + "4e" + "73" + "2e").getMessage())
                .contains("unhashable type: list");
        // frozenset([{}]) (protocol 4)
        assertThat(failure(cls + "8004" + "28" + "7d" + "91" + "2e").getMessage())
                .contains("unhashable type: dict").contains("FROZENSET");
        // a list that contains itself, as a set element: refused before any hashing
        assertThat(failure(cls + "8004" + "8f" + "5d" + "94" + "6800" + "61" + "30" + "28" + "6800" + "90" + "2e")
                .getMessage()).contains("unhashable type: list");
    }

    @Test
    void truncatedBinInt() {
        byte[] holder = bytes("holder.pickle");
        // BININT -300 starts at offset 119; keep its opcode and one argument byte
        byte[] cut = java.util.Arrays.copyOf(holder, 121);
        PickleFormatException e = catchThrowableOfType(PickleFormatException.class,
                () -> READER.read(Oid.of(1), cut, null));
        assertThat(e.getMessage()).isEqualTo("oid 0000000000000001: truncated record: needs 4 bytes, 1 left"
                + " (opcode 0x4a 'J' BININT at offset 119)");
        assertThat(e.offset()).isEqualTo(119);
    }

    @Test
    void everyTruncationOfEveryVectorIsAClearError() {
        for (String name : List.of("root.pickle", "holder.pickle", "big-oobtree.pickle", "newargs.pickle",
                "holder-protocol0.pickle", "holder-protocol1.pickle", "holder-protocol2.pickle",
                "holder-protocol4.pickle", "holder-protocol5.pickle")) {
            byte[] record = bytes(name);
            for (int n = 0; n < record.length; n++) {
                byte[] cut = java.util.Arrays.copyOf(record, n);
                int length = n;
                assertThatThrownBy(() -> READER.read(Oid.of(1), cut, null))
                        .as("%s cut to %d bytes", name, length)
                        .isInstanceOf(PickleFormatException.class)
                        .hasMessageStartingWith("oid 0000000000000001: ")
                        .hasMessageNotContaining("\n");
            }
        }
    }

    @Test
    void corruptedBytesNeverEscapeAsOtherExceptions() {
        byte[] record = bytes("holder.pickle");
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] copy = record.clone();
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
            try {
                READER.read(Oid.of(1), copy, null);
            } catch (PickleFormatException expected) {
                assertThat(expected.getMessage()).doesNotContain("\n");
            }
        }
    }

    @Test
    void decodedValuesPrintReadably() {
        PythonObject o = read("8003" + hex("cm\nK\n") + "2e" + "8003" + "7d" + "5801000000" + "61"
                + "4b01" + "73" + "2e");
        assertThat(o.toString()).isEqualTo("m.K(){a=1}");
        assertThat(b('a', 0, '\'').toString()).isEqualTo("b'a\\x00\\''");
        assertThat(t(1L).toString()).isEqualTo("(1,)");
        assertThat(t("a", null).toString()).isEqualTo("('a', None)");
    }
}
