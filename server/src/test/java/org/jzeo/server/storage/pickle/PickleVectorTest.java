package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jzeo.api.Oid;
import org.jzeo.server.testsupport.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Runs the pickle code over the Data.fs written by Python ZODB 5.8 (vectors/filestorage), whose JSON
 * description records every transaction and data record.
 */
class PickleVectorTest {
    private static final String DIR = "/vectors/filestorage/";
    private static final HexFormat HEX = HexFormat.of();
    private static final int TRANS_HDR_LEN = 23;
    private static final int DATA_HDR_LEN = 42;
    private static final Set<String> VECTOR_CLASSES = Set.of(
            "persistent.mapping.PersistentMapping",
            "persistent.list.PersistentList",
            "BTrees.OOBTree.OOBTree",
            "BTrees.OOBTree.OOBucket",
            "BTrees.IOBTree.IOBTree");

    private static byte[] dataFs;
    private static Map<String, Object> vector;
    private static List<Object> transactions;
    private static Map<Long, Map<String, Object>> recordsByPos;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = PickleVectorTest.class.getResourceAsStream(DIR + "Data.fs")) {
            assertThat(in).as("test resource %sData.fs", DIR).isNotNull();
            dataFs = in.readAllBytes();
        }
        vector = Json.object(Json.parseResource(DIR + "Data.fs.json"));
        transactions = Json.array(vector.get("transactions"));
        recordsByPos = new HashMap<>();
        for (Object txn : transactions) {
            for (Object record : Json.array(Json.object(txn).get("records"))) {
                recordsByPos.put(number(Json.object(record).get("pos")), Json.object(record));
            }
        }
    }

    @Test
    void theVectorFilesMatchEachOther() {
        assertThat(new String(dataFs, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("FS30");
        assertThat((long) dataFs.length).isEqualTo(number(vector.get("size")));
        assertThat(transactions).hasSizeGreaterThan(10);
    }

    @Test
    void everyExtensionDecodesToTheRecordedDict() {
        int nonEmpty = 0;
        for (Object t : transactions) {
            Map<String, Object> txn = Json.object(t);
            long tpos = number(txn.get("tpos"));
            byte[] raw = HEX.parseHex((String) txn.get("extension_raw_hex"));
            assertThat(extensionInFile(tpos)).as("extension bytes of txn at %d in Data.fs", tpos).isEqualTo(raw);

            Map<String, Object> decoded = PickleReader.unpickleDict(raw);

            assertThat(PickleRoundTripTest.normalize(decoded))
                    .as("extension of txn at %d (%s)", tpos, txn.get("extension_raw_hex"))
                    .isEqualTo(PickleRoundTripTest.normalize(txn.get("extension")));
            assertThat(PickleReader.unpickleDict(PickleWriter.pickleDict(decoded)))
                    .as("our own pickle of the extension of txn at %d", tpos)
                    .isEqualTo(decoded);
            if (raw.length > 0) {
                nonEmpty++;
            }
        }
        assertThat(nonEmpty).as("transactions with an extension").isGreaterThan(10);
    }

    @Test
    void everyDataRecordScans() {
        int scanned = 0;
        Set<Oid> stored = new TreeSet<>();
        recordsByPos.values().forEach(r -> stored.add(Oid.fromHex((String) r.get("oid"))));
        for (Map<String, Object> record : recordsByPos.values()) {
            if (number(record.get("plen")) == 0) {
                continue;
            }
            long pos = number(record.get("pos"));
            byte[] data = inlineData(record);

            List<Oid> refs = scanOrFail(pos, data);

            assertThat(stored).as("references of the record at %d", pos).containsAll(refs);
            assertThat(ReferenceScanner.referencesOf(data)).isEqualTo(refs);
            assertThat(PickleMetadata.className(data)).as("class of the record at %d", pos).isIn(VECTOR_CLASSES);
            scanned++;
        }
        assertThat(scanned).isGreaterThan(50);
    }

    @Test
    void currentRecordsFormTheObjectGraphOfTheRoot() {
        Map<String, Object> current = Json.object(vector.get("current"));
        Map<Oid, List<Oid>> graph = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : current.entrySet()) {
            Map<String, Object> expected = Json.object(e.getValue());
            Map<String, Object> record = currentRecord(e.getKey());
            assertThat(record.get("tid")).as("tid of current %s", e.getKey()).isEqualTo(expected.get("tid"));
            byte[] data = resolveData(record);
            assertThat(sha256(data)).as("data of current %s", e.getKey()).isEqualTo(expected.get("data_sha256"));
            graph.put(Oid.fromHex(e.getKey()), ReferenceScanner.references(data));
        }
        Set<Oid> currentOids = graph.keySet();

        assertThat(graph.get(Oid.ROOT))
                .as("the root PersistentMapping references the four top-level objects")
                .containsExactly(Oid.of(1), Oid.of(2), Oid.of(3), Oid.of(4))
                .allMatch(currentOids::contains);

        Set<Oid> referenced = new TreeSet<>();
        graph.values().forEach(referenced::addAll);
        assertThat(currentOids).as("every reference points at a current object").containsAll(referenced);

        // The vector's txn 20 added oid 0x1d to oid 1's mapping and txn 25 replaced that revision
        // without it, so 0x1d is garbage that a pack would remove; it is the only unreachable object.
        Set<Oid> unreferenced = new TreeSet<>(currentOids);
        unreferenced.removeAll(referenced);
        assertThat(unreferenced).as("objects no current record references").containsExactly(Oid.ROOT, Oid.of(0x1d));
        Set<Oid> unreachable = new TreeSet<>(currentOids);
        unreachable.removeAll(reachableFromRoot(graph));
        assertThat(unreachable).as("objects not reachable from the root").containsExactly(Oid.of(0x1d));
    }

    @Test
    void anOlderRevisionStillReferencesTheGarbageObject() {
        Set<Long> positionsReferencing1d = new TreeSet<>();
        for (Map<String, Object> record : recordsByPos.values()) {
            if (number(record.get("plen")) > 0 && ReferenceScanner.references(inlineData(record)).contains(Oid.of(0x1d))) {
                positionsReferencing1d.add(number(record.get("pos")));
            }
        }

        assertThat(positionsReferencing1d).as("the revision of oid 1 written by txn 20").containsExactly(26878L);
    }

    @Nested
    class JsonHelper {
        @Test
        void parsesTheJsonValueTypes() {
            Object parsed = Json.parse(" {\"a\": [1, -2.5e3, \"x\\u00e9\\n\\ud83d\\ude00\", true, false, null],"
                    + " \"big\": 18446744073709551615, \"o\": {}} ");

            Map<String, Object> o = Json.object(parsed);
            assertThat(Json.array(o.get("a"))).containsExactly(1L, -2500.0, "x\u00e9\n\ud83d\ude00", true, false, null);
            assertThat(o.get("big")).isEqualTo(new java.math.BigInteger("18446744073709551615"));
            assertThat(Json.object(o.get("o"))).isEmpty();
            assertThat(o.keySet()).containsExactly("a", "big", "o");
        }

        @Test
        void rejectsMalformedDocuments() {
            for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "[1] 2", "tru", "\"a\nb\"")) {
                assertThatThrownBy(() -> Json.parse(bad))
                        .as("JSON text <%s>", bad)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("invalid JSON at offset");
            }
        }
    }

    private static List<Oid> scanOrFail(long pos, byte[] data) {
        try {
            return ReferenceScanner.references(data);
        } catch (PickleException e) {
            return fail("record at %d (oid %s) failed to scan: %s", pos, HEX.formatHex(Arrays.copyOfRange(dataFs,
                    (int) pos, (int) pos + 8)), e.getMessage());
        }
    }

    private static Set<Oid> reachableFromRoot(Map<Oid, List<Oid>> graph) {
        Set<Oid> seen = new LinkedHashSet<>();
        Deque<Oid> work = new ArrayDeque<>(List.of(Oid.ROOT));
        while (!work.isEmpty()) {
            Oid oid = work.pop();
            if (seen.add(oid)) {
                work.addAll(graph.getOrDefault(oid, List.of()));
            }
        }
        return seen;
    }

    /** The last record for {@code oidHex} in file order, i.e. the one the index points at. */
    private static Map<String, Object> currentRecord(String oidHex) {
        Map<String, Object> last = null;
        for (Object t : transactions) {
            for (Object r : Json.array(Json.object(t).get("records"))) {
                Map<String, Object> record = Json.object(r);
                if (oidHex.equals(record.get("oid"))) {
                    last = new HashMap<>(record);
                    last.put("tid", Json.object(t).get("tid"));
                }
            }
        }
        assertThat(last).as("a record for current oid %s", oidHex).isNotNull();
        return last;
    }

    /** The record's data, following back pointers (undo) to the record that holds the bytes. */
    private static byte[] resolveData(Map<String, Object> record) {
        Map<String, Object> r = record;
        for (int hops = 0; number(r.get("plen")) == 0; hops++) {
            long back = number(r.get("back"));
            assertThat(back).as("back pointer of the record at %s", r.get("pos")).isPositive();
            assertThat(hops).isLessThan(100);
            r = recordsByPos.get(back);
            assertThat(r).as("record at back pointer %d", back).isNotNull();
        }
        return inlineData(r);
    }

    /** Data bytes straight from Data.fs: they start at pos + 42 and are plen long. */
    private static byte[] inlineData(Map<String, Object> record) {
        int pos = (int) number(record.get("pos"));
        int plen = (int) number(record.get("plen"));
        assertThat(HEX.formatHex(Arrays.copyOfRange(dataFs, pos, pos + 8)))
                .as("oid in the data record header at %d", pos)
                .isEqualTo(record.get("oid"));
        assertThat(ByteBuffer.wrap(dataFs, pos + 34, 8).getLong()).as("plen at %d", pos).isEqualTo(plen);
        byte[] data = Arrays.copyOfRange(dataFs, pos + DATA_HDR_LEN, pos + DATA_HDR_LEN + plen);
        assertThat(sha256(data)).as("data of the record at %d", pos).isEqualTo(record.get("data_sha256"));
        return data;
    }

    private static byte[] extensionInFile(long tpos) {
        ByteBuffer header = ByteBuffer.wrap(dataFs, (int) tpos, TRANS_HDR_LEN);
        int ulen = Short.toUnsignedInt(header.getShort((int) tpos + 17));
        int dlen = Short.toUnsignedInt(header.getShort((int) tpos + 19));
        int elen = Short.toUnsignedInt(header.getShort((int) tpos + 21));
        int start = (int) tpos + TRANS_HDR_LEN + ulen + dlen;
        return Arrays.copyOfRange(dataFs, start, start + elen);
    }

    private static String sha256(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static long number(Object json) {
        return ((Number) json).longValue();
    }
}
