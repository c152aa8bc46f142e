package org.jzeo.server.storage.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test helper: assembles pickle bytes by hand so tests can spell out exactly which opcodes they use. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes pickle() {
        return new PickleBytes();
    }

    /** Raw bytes given as hex (spaces allowed for readability). */
    PickleBytes hex(String hex) {
        out.writeBytes(HexFormat.of().parseHex(hex.replace(" ", "")));
        return this;
    }

    /** Raw bytes of a Latin-1 string, e.g. an opcode followed by its text argument. */
    PickleBytes text(String latin1) {
        out.writeBytes(latin1.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** GLOBAL {@code c module\nname\n}. */
    PickleBytes global(String module, String name) {
        return text("c" + module + "\n" + name + "\n");
    }

    /** BINUNICODE {@code X} with a 4-byte length. */
    PickleBytes binunicode(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
        out.writeBytes(utf8);
        return this;
    }

    /** SHORT_BINBYTES {@code C 08} with the oid's 8 big-endian bytes, as ZODB writes an oid. */
    PickleBytes oid(long oid) {
        out.write('C');
        out.write(8);
        out.writeBytes(oidBytes(oid));
        return this;
    }

    /** SHORT_BINSTRING {@code U 08} with the oid's bytes, as Python 2 ZODB wrote an oid. */
    PickleBytes legacyOid(long oid) {
        out.write('U');
        out.write(8);
        out.writeBytes(oidBytes(oid));
        return this;
    }

    PickleBytes append(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    static byte[] oidBytes(long oid) {
        return ByteBuffer.allocate(8).putLong(oid).array();
    }

    /**
     * The root record observed in spec filestorage-format.md §10: a PersistentMapping holding
     * {@code {'x': <oid 1>, 'b': <oid 2, a ZODB.blob.Blob>}}. Its state pickle BINGETs memo 0, which
     * only the class pickle defines.
     */
    static byte[] observedRootRecord() {
        return pickle()
                // pickle 1: PROTO 3, GLOBAL, BINPUT 0, STOP
                .hex("80 03").global("persistent.mapping", "PersistentMapping").hex("71 00 2e")
                // pickle 2: PROTO 3, EMPTY_DICT, BINPUT 1, 'data', BINPUT 2, EMPTY_DICT, BINPUT 3, MARK
                .hex("80 03 7d 71 01").binunicode("data").hex("71 02 7d 71 03 28")
                // 'x', BINPUT 4, SHORT_BINBYTES oid 1, BINPUT 5, BINGET 0 (the class), TUPLE2, BINPUT 6, BINPERSID
                .binunicode("x").hex("71 04").oid(1).hex("71 05 68 00 86 71 06 51")
                // 'b', BINPUT 7, oid 2, BINPUT 8, GLOBAL ZODB.blob.Blob, BINPUT 9, TUPLE2, BINPUT 10, BINPERSID
                .binunicode("b").hex("71 07").oid(2).hex("71 08").global("ZODB.blob", "Blob")
                .hex("71 09 86 71 0a 51")
                // SETITEMS, SETITEM, STOP
                .hex("75 73 2e")
                .build();
    }
}
