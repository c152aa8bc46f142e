package org.jzeo.objects.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.objects.python.PythonRecords.*;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jzeo.api.Oid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The holder's state pickled by Python's own pickle module at every protocol (0–5), so that every
 * opcode family occurs; each must decode to what ZODB's protocol-3 record decodes to, apart from the
 * differences python-records/README.txt lists.
 */
class PickleRecordReaderProtocolsTest {

    private static Map<Object, Object> state(String name) {
        return new LinkedHashMap<>(read(name, 1).stateAsMap());
    }

    @Test
    void stdlibProtocol3MatchesTheZodbRecord() {
        Map<Object, Object> zodb = state("holder.pickle");
        Map<Object, Object> stdlib = state("holder-protocol3.pickle");
        stdlib.remove("ordered");
        stdlib.remove("huge");
        assertThat(stdlib).isEqualTo(zodb);
        assertThat(new ArrayList<>(stdlib.keySet())).isEqualTo(new ArrayList<>(zodb.keySet()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void everyProtocolDecodesToTheSameValues(int protocol) {
        PythonObject holder = read("holder-protocol" + protocol + ".pickle", 1);
        assertThat(holder.className()).isEqualTo("jzeo_testdata.Holder");
        assertThat(holder.oid()).isEqualTo(Oid.of(1));
        Map<Object, Object> actual = new LinkedHashMap<>(holder.stateAsMap());
        Map<Object, Object> expected = state("holder.pickle");

        // Values only these pickles have.
        PythonObject ordered = (PythonObject) actual.remove("ordered");
        assertThat(ordered.className()).isEqualTo("collections.OrderedDict");
        assertThat(ordered.args()).isEmpty();
        assertThat(ordered.dictItems()).isEqualTo(dict("z", 1L, "a", 2L));
        assertThat(new ArrayList<>(ordered.dictItems().keySet())).containsExactly("z", "a");
        assertThat(actual.remove("huge")).isEqualTo(BigInteger.TWO.pow(2100).add(BigInteger.ONE));
        if (protocol >= 4) {
            PythonObject kw = (PythonObject) actual.remove("kw");
            assertThat(kw.className()).isEqualTo("jzeo_testdata.WithKwargs");
            assertThat(kw.args()).containsExactly(5L);
            assertThat(kw.kwargs()).isEqualTo(Map.of("key", "k"));
            assertThat(kw.state()).isEqualTo(dict("a", 5L, "key", "k"));
        }

        // What the protocol cannot say, or says differently.
        if (protocol == 0) {
            expected.remove("weak");
            expected.replaceAll((k, v) -> v instanceof PythonReference r ? bareRef(r.oid().value()) : v);
        }
        if (protocol < 2) {
            expected.remove("slots");
        }
        if (protocol < 3) {
            expected.put("barr", obj("__builtin__", "bytearray", b('b', 'a')));
        }

        assertThat(actual).isEqualTo(expected);
        assertThat(new ArrayList<>(actual.keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
        assertThat(actual.get("shared1")).isSameAs(actual.get("shared2"));
        assertThat(actual.get("tup")).isInstanceOf(PythonTuple.class);
        assertThat(actual.get("lst")).isNotInstanceOf(PythonTuple.class);
    }
}
