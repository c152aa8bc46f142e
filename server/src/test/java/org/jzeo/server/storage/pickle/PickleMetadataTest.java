package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.storage.pickle.PickleBytes.observedRootRecord;
import static org.jzeo.server.storage.pickle.PickleBytes.pickle;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.Test;

class PickleMetadataTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void observedRootRecordIsAPersistentMapping() {
        assertThat(PickleMetadata.className(observedRootRecord())).isEqualTo("persistent.mapping.PersistentMapping");
    }

    @Test
    void globalWithoutProto() {
        byte[] record = pickle().global("BTrees.OOBTree", "OOBucket").hex("71 00 2e 7d 2e").build();

        assertThat(PickleMetadata.className(record)).isEqualTo("BTrees.OOBTree.OOBucket");
    }

    @Test
    void classWithNewArgs() {
        // PROTO 3, GLOBAL, BINPUT 0, EMPTY_TUPLE, TUPLE2, BINPUT 1, STOP (Python 3, (Thing, ()))
        byte[] record = pickle().hex("80 03").global("myapp.things", "Thing").hex("71 00 29 86 71 01 2e").build();

        assertThat(PickleMetadata.className(record)).isEqualTo("myapp.things.Thing");
    }

    @Test
    void markGlobalTupleForm() {
        // Old (class, args) form: MARK, GLOBAL, BINPUT, NONE, TUPLE, STOP.
        byte[] record = pickle().text("(").global("myapp", "Thing").hex("71 01 4e 74 2e").build();

        assertThat(PickleMetadata.className(record)).isEqualTo("myapp.Thing");
    }

    @Test
    void protocol4StackGlobal() {
        // PROTO 4, FRAME, SHORT_BINUNICODE, MEMOIZE, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, MEMOIZE, STOP
        byte[] record = HEX.parseHex("8004952c000000000000008c1270657273697374656e742e6d617070696e67948c11"
                + "50657273697374656e744d617070696e679493942e");

        assertThat(PickleMetadata.className(record)).isEqualTo("persistent.mapping.PersistentMapping");
    }

    @Test
    void tupleOfModuleAndNameForms() {
        // ((module, name), args) with Python 2 strings: MARK MARK U U TUPLE NONE TUPLE STOP
        byte[] nested = pickle().text("((U\u0005myappq\u0001U\u0005Thingq\u0002tq\u0003Ntq\u0004.").build();
        // (module, name) in protocol 2: PROTO 2, X, X, TUPLE2, STOP
        byte[] pair = pickle().hex("80 02").binunicode("myapp").binunicode("Thing").hex("86 2e").build();

        assertThat(PickleMetadata.className(nested)).isEqualTo("myapp.Thing");
        assertThat(PickleMetadata.className(pair)).isEqualTo("myapp.Thing");
    }

    @Test
    void jzeoRecord() {
        byte[] record = JzeoRecord.encode(List.of(Oid.of(1)), new byte[] {1});

        assertThat(PickleMetadata.className(record)).isEqualTo("jzeo.record");
    }

    @Test
    void unknownFormsAreNullNeverAnException() {
        assertThat(PickleMetadata.className(null)).isNull();
        assertThat(PickleMetadata.className(new byte[0])).isNull();
        assertThat(PickleMetadata.className(HEX.parseHex("80037d2e"))).as("a dict").isNull();
        assertThat(PickleMetadata.className(HEX.parseHex("ff00"))).as("garbage").isNull();
        assertThat(PickleMetadata.className(HEX.parseHex("8003"))).as("truncated").isNull();
        assertThat(PickleMetadata.className(Arrays.copyOf(observedRootRecord(), 10))).as("cut in GLOBAL").isNull();
        assertThat(PickleMetadata.className(HEX.parseHex("80048c01619493"))).as("one string").isNull();
    }
}
