package org.jzeo.objects.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.objects.python.PythonRecords.*;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.Oid;
import org.junit.jupiter.api.Test;

/** Records written by Python ZODB 5.8.1 (see python-records/README.txt), decoded value by value. */
class PickleRecordReaderZodbTest {

    @Test
    void rootPersistentMappingWithEveryReferenceForm() {
        PythonObject root = read("root.pickle", 0);

        assertThat(root.oid()).isEqualTo(Oid.ROOT);
        assertThat(root.className()).isEqualTo("persistent.mapping.PersistentMapping");
        assertThat(root.args()).isEmpty();
        assertThat(root.stateAsMap()).containsOnlyKeys("data");
        @SuppressWarnings("unchecked")
        Map<Object, Object> data = (Map<Object, Object>) root.stateAsMap().get("data");
        assertThat(new ArrayList<>(data.keySet())).containsExactly(
                "holder", "plist", "small_tree", "big_tree", "ibig", "newargs", "remote", "remote_newargs");
        assertThat(data.get("holder")).isEqualTo(ref(1, "jzeo_testdata", "Holder"));
        assertThat(data.get("plist")).isEqualTo(ref(2, "persistent.list", "PersistentList"));
        assertThat(data.get("small_tree")).isEqualTo(ref(3, "BTrees.OOBTree", "OOBTree"));
        assertThat(data.get("big_tree")).isEqualTo(ref(4, "BTrees.OOBTree", "OOBTree"));
        assertThat(data.get("ibig")).isEqualTo(ref(5, "BTrees.IOBTree", "IOBTree"));

        // A class with __getnewargs__: ZODB writes the bare oid.
        PythonReference newargs = (PythonReference) data.get("newargs");
        assertThat(newargs).isEqualTo(bareRef(6));
        assertThat(newargs.hasClass()).isFalse();
        assertThat(newargs.isWeak()).isFalse();

        // ['m', ('other', oid, class)]: the class is a BINGET of the class pickle's memo.
        PythonReference remote = (PythonReference) data.get("remote");
        assertThat(remote.oid()).isEqualTo(Oid.of(1));
        assertThat(remote.database()).isEqualTo("other");
        assertThat(remote.isCrossDatabase()).isTrue();
        assertThat(remote.module()).isEqualTo("persistent.mapping");
        assertThat(remote.name()).isEqualTo("PersistentMapping");
        assertThat(remote.isWeak()).isFalse();

        // ['n', ('other', oid)]
        PythonReference remoteNewargs = (PythonReference) data.get("remote_newargs");
        assertThat(remoteNewargs).isEqualTo(new PythonReference(Oid.of(2), null, null, false, "other", null));
    }

    @Test
    void referencesResolveLazilyThroughTheResolver() {
        Map<Oid, Object> loaded = new HashMap<>();
        List<Oid> asked = new ArrayList<>();
        loaded.put(Oid.of(2), "the persistent list");
        PythonObject root = new PickleRecordReader().read(Oid.ROOT, bytes("root.pickle"), oid -> {
            asked.add(oid);
            return loaded.get(oid);
        });
        @SuppressWarnings("unchecked")
        Map<Object, Object> data = (Map<Object, Object>) root.stateAsMap().get("data");
        assertThat(asked).as("nothing is loaded while reading").isEmpty();

        assertThat(((PythonReference) data.get("plist")).resolve()).isEqualTo("the persistent list");
        assertThat(((PythonReference) data.get("holder")).resolve()).isNull();
        assertThat(asked).containsExactly(Oid.of(2), Oid.of(1));

        assertThatThrownBy(() -> ((PythonReference) data.get("remote")).resolve())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("database 'other'");

        PythonObject withoutResolver = read("root.pickle", 0);
        @SuppressWarnings("unchecked")
        Map<Object, Object> data2 = (Map<Object, Object>) withoutResolver.stateAsMap().get("data");
        assertThat(((PythonReference) data2.get("plist")).resolve()).isNull();
    }

    @Test
    void customClassWithEveryKindOfValue() {
        PythonObject holder = read("holder.pickle", 1);

        assertThat(holder.oid()).isEqualTo(Oid.of(1));
        assertThat(holder.module()).isEqualTo("jzeo_testdata");
        assertThat(holder.name()).isEqualTo("Holder");
        assertThat(holder.args()).isEmpty();
        Map<Object, Object> s = holder.stateAsMap();

        assertThat(new ArrayList<>(s.keySet())).containsExactly("text", "empty_text", "small", "negative",
                "int32", "int64", "min64", "big", "negbig", "pi", "negzero", "data", "long_data", "tup",
                "empty_tuple", "lst", "dct", "st", "fst", "when", "day", "price", "nothing", "yes", "no",
                "plain", "slots", "klass", "shared1", "shared2", "plist", "small_tree", "weak", "newargs",
                "barr");
        assertThat(s.get("text")).isEqualTo("h\u00e9llo \u2603 \uD83D\uDE00");
        assertThat(s.get("empty_text")).isEqualTo("");
        assertThat(s.get("small")).isEqualTo(7L);
        assertThat(s.get("negative")).isEqualTo(-300L);
        assertThat(s.get("int32")).isEqualTo(2147483647L);
        assertThat(s.get("int64")).isEqualTo(Long.MAX_VALUE);
        assertThat(s.get("min64")).isEqualTo(Long.MIN_VALUE);
        assertThat(s.get("big")).isEqualTo(BigInteger.TWO.pow(70).add(BigInteger.valueOf(5)));
        assertThat(s.get("negbig")).isEqualTo(BigInteger.TWO.pow(80).negate());
        assertThat(s.get("pi")).isEqualTo(3.25);
        assertThat(s.get("negzero")).isEqualTo(-0.0).isNotEqualTo(0.0);
        assertThat(s.get("data")).isEqualTo(b(0, 1, 0xfe, 0xff, ' ', 'b', 'y', 't', 'e', 's'));
        byte[] longData = new byte[512];
        for (int i = 0; i < 512; i++) {
            longData[i] = (byte) i;
        }
        assertThat(s.get("long_data")).isEqualTo(PythonBytes.of(longData));
        assertThat(s.get("tup")).isInstanceOf(PythonTuple.class).isEqualTo(t(1L, "two", t(3.0)));
        assertThat(((PythonTuple) s.get("tup")).get(2)).isInstanceOf(PythonTuple.class);
        assertThat(s.get("empty_tuple")).isEqualTo(t());
        assertThat(s.get("lst")).isNotInstanceOf(PythonTuple.class).isEqualTo(List.of(1L, List.of(2L, 3L), "x"));
        assertThat(s.get("dct")).isEqualTo(dict("k", "v", t(1L, 2L), "tuple key", 5L, null));
        assertThat(new ArrayList<Object>(((Map<?, ?>) s.get("dct")).keySet())).containsExactly("k", t(1L, 2L), 5L);
        assertThat(s.get("st")).isEqualTo(Set.of(1L, 2L, 3L));
        assertThat(s.get("fst")).isEqualTo(Set.of("f"));
        assertThat(s.get("when")).isEqualTo(
                obj("datetime", "datetime", b(0x07, 0xe8, 0x02, 0x1d, 0x0d, 0x2d, 0x1e, 0x01, 0xe2, 0x40)));
        assertThat(s.get("day")).isEqualTo(obj("datetime", "date", b(0x07, 0xcf, 0x0c, 0x1f)));
        assertThat(s.get("price")).isEqualTo(obj("decimal", "Decimal", "12.50"));
        assertThat(s.get("price").toString()).isEqualTo("decimal.Decimal('12.50')");
        assertThat(s).containsEntry("nothing", null);
        assertThat(s.get("yes")).isEqualTo(true);
        assertThat(s.get("no")).isEqualTo(false);
        assertThat(s.get("plain")).isEqualTo(built("jzeo_testdata", "Plain", dict("x", 1L, "y", "one")));
        assertThat(s.get("slots")).isEqualTo(
                built("jzeo_testdata", "WithSlots", t(null, dict("a", "A", "b", null))));
        assertThat(s.get("klass")).isEqualTo(new PythonClass("jzeo_testdata", "Plain"));
        assertThat(s.get("shared1")).isEqualTo(List.of("shared", "list")).isSameAs(s.get("shared2"));
        assertThat(s.get("plist")).isEqualTo(ref(2, "persistent.list", "PersistentList"));
        assertThat(s.get("small_tree")).isEqualTo(ref(3, "BTrees.OOBTree", "OOBTree"));
        PythonReference weak = (PythonReference) s.get("weak");
        assertThat(weak.oid()).isEqualTo(Oid.of(4));
        assertThat(weak.isWeak()).isTrue();
        assertThat(weak.hasClass()).isFalse();
        assertThat(weak.isCrossDatabase()).isFalse();
        assertThat(s.get("newargs")).isEqualTo(bareRef(6));
        assertThat(s.get("barr")).isEqualTo(obj("builtins", "bytearray", b('b', 'a')));
    }

    @Test
    void decodedValuesCannotBeChanged() {
        Map<Object, Object> s = read("holder.pickle", 1).stateAsMap();
        assertThatThrownBy(() -> s.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) s.get("lst");
        assertThatThrownBy(() -> list.add(1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> tuple = (List<Object>) s.get("tup");
        assertThatThrownBy(() -> tuple.set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Set<Object> set = (Set<Object>) s.get("st");
        assertThatThrownBy(() -> set.remove(1L)).isInstanceOf(UnsupportedOperationException.class);
        PythonBytes data = (PythonBytes) s.get("data");
        data.toByteArray()[0] = 42;
        assertThat(data.get(0)).isZero();
    }

    @Test
    void persistentList() {
        PythonObject plist = read("plist.pickle", 2);
        assertThat(plist.className()).isEqualTo("persistent.list.PersistentList");
        assertThat(plist.state()).isEqualTo(dict("data", java.util.Arrays.asList("a", 1L, null)));
    }

    @Test
    void smallOOBTreeHoldsItsBucketInline() {
        PythonObject tree = read("small-oobtree.pickle", 3);
        assertThat(tree.className()).isEqualTo("BTrees.OOBTree.OOBTree");
        assertThat(tree.state()).isEqualTo(
                t(t(t(t("apple", 1L, "banana", 2L, "cherry", t(3L, "three"))))));
    }

    @Test
    void bigOOBTreeReferencesItsBuckets() {
        PythonObject tree = read("big-oobtree.pickle", 4);
        PythonTuple state = (PythonTuple) tree.state();
        assertThat(state).hasSize(2);
        assertThat(state.get(0)).isEqualTo(t(
                ref(7, "BTrees.OOBTree", "OOBucket"), "k015",
                ref(8, "BTrees.OOBTree", "OOBucket"), "k030",
                ref(9, "BTrees.OOBTree", "OOBucket"), "k045",
                ref(10, "BTrees.OOBTree", "OOBucket"), "k060",
                ref(11, "BTrees.OOBTree", "OOBucket"), "k075",
                ref(12, "BTrees.OOBTree", "OOBucket")));
        assertThat(state.get(1)).isEqualTo(ref(7, "BTrees.OOBTree", "OOBucket"));

        PythonObject bucket = read("big-oobtree-first-bucket.pickle", 7);
        assertThat(bucket.className()).isEqualTo("BTrees.OOBTree.OOBucket");
        PythonTuple bucketState = (PythonTuple) bucket.state();
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            items.add(String.format("k%03d", i));
            items.add((long) i);
        }
        assertThat(bucketState).containsExactly(PythonTuple.of(items.toArray()), ref(8, "BTrees.OOBTree", "OOBucket"));
    }

    @Test
    void iobtree() {
        PythonObject tree = read("iobtree.pickle", 5);
        assertThat(tree.className()).isEqualTo("BTrees.IOBTree.IOBTree");
        assertThat(tree.state()).isEqualTo(t(t(t(t(0L, "v0", 1000L, "v1", 2000L, "v2", 3000L, "v3", 4000L, "v4")))));
    }

    @Test
    void classPickleWithNewArgs() {
        PythonObject o = read("newargs.pickle", 6);
        assertThat(o.className()).isEqualTo("jzeo_testdata.WithNewArgs");
        assertThat(o.args()).containsExactly("made-with-newargs");
        assertThat(o.state()).isEqualTo(dict("label", "made-with-newargs"));
        // the state's value is the very string the class pickle memoized
        assertThat(o.stateAsMap().get("label")).isSameAs(o.args().get(0));
    }
}
