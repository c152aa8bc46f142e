package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.testsupport.Json;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the Data.fs written by Python's FileStorage and checks every transaction, every record, every current
 * object and every loadBefore probe against the JSON description made by the reference implementation.
 */
class PythonDataFsCompatibilityTest {
    @TempDir
    Path dir;
    private FileStorage storage;
    private Map<String, Object> expected;

    @BeforeEach
    void open() {
        Path data = VectorFiles.copy("Data.fs", dir);
        storage = FileStorage.open(data, VectorFiles.testOptions(), VectorFiles.PICKLE_REFERENCES);
        expected = VectorFiles.description("Data.fs");
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void storageSummaryMatches() {
        assertThat(storage.lastTransaction()).isEqualTo(Tid.fromHex((String) expected.get("lastTransaction")));
        assertThat(storage.length()).isEqualTo((Long) expected.get("object_count"));
        assertThat(storage.size()).isEqualTo((Long) expected.get("size"));
    }

    @Test
    void everyTransactionAndRecordIsReadIdentically() {
        List<Object> transactions = Json.array(expected.get("transactions"));
        List<TransactionRecord> actual = new ArrayList<>();
        try (StorageIterator it = storage.iterator(null, null)) {
            it.forEachRemaining(actual::add);
        }
        assertThat(actual).hasSize(transactions.size());
        for (int i = 0; i < transactions.size(); i++) {
            Map<String, Object> txn = Json.object(transactions.get(i));
            TransactionRecord got = actual.get(i);
            String where = "transaction #" + i;
            assertThat(got.tid()).as(where).isEqualTo(Tid.fromHex((String) txn.get("tid")));
            assertThat(String.valueOf(got.status())).as(where).isEqualTo(txn.get("status"));
            assertThat(new String(got.user(), StandardCharsets.UTF_8)).as(where).isEqualTo(txn.get("user"));
            assertThat(new String(got.description(), StandardCharsets.UTF_8)).as(where)
                    .isEqualTo(txn.get("description"));
            assertThat(normalise(got.extension())).as(where + " extension").isEqualTo(normalise(txn.get("extension")));
            List<Object> records = Json.array(txn.get("records"));
            assertThat(got.records()).as(where).hasSize(records.size());
            for (int r = 0; r < records.size(); r++) {
                Map<String, Object> rec = Json.object(records.get(r));
                DataRecord record = got.records().get(r);
                String at = where + " record " + r;
                assertThat(record.oid()).as(at).isEqualTo(Oid.fromHex((String) rec.get("oid")));
                assertThat(record.tid()).as(at).isEqualTo(got.tid());
                assertThat(record.dataTxn()).as(at + " data_txn")
                        .isEqualTo(rec.get("data_txn") == null ? null : Tid.fromHex((String) rec.get("data_txn")));
                if (rec.get("data_sha256") == null) {
                    assertThat(record.data()).as(at).isNull();
                } else {
                    assertThat(record.data()).as(at).hasSize(((Long) rec.get("data_len")).intValue());
                    assertThat(VectorFiles.sha256(record.data())).as(at).isEqualTo(rec.get("data_sha256"));
                }
            }
        }
    }

    @Test
    void everyRecordHeaderMatchesOnBytes() {
        DataFile file = storage.currentFile();
        for (Object t : Json.array(expected.get("transactions"))) {
            Map<String, Object> txn = Json.object(t);
            TransactionHeader header = file.readTransactionHeader((Long) txn.get("tpos"));
            assertThat(header.tlen()).isEqualTo((Long) txn.get("tlen"));
            assertThat(header.extension()).isEqualTo(java.util.HexFormat.of()
                    .parseHex((String) txn.get("extension_raw_hex")));
            for (Object r : Json.array(txn.get("records"))) {
                Map<String, Object> rec = Json.object(r);
                DataHeader h = file.readDataHeader((Long) rec.get("pos"));
                String at = "record at " + rec.get("pos");
                assertThat(h.oid()).as(at).isEqualTo(Oid.fromHex((String) rec.get("oid")));
                assertThat(h.prev()).as(at).isEqualTo((Long) rec.get("prev"));
                assertThat(h.tloc()).as(at).isEqualTo((Long) rec.get("tloc"));
                assertThat(h.plen()).as(at).isEqualTo((Long) rec.get("plen"));
                long back = h.plen() == 0 ? file.readBackPointer(h) : 0;
                assertThat(back).as(at).isEqualTo((Long) rec.get("back"));
            }
        }
    }

    @Test
    void everyCurrentObjectLoads() {
        Map<String, Object> current = Json.object(expected.get("current"));
        assertThat(current).hasSize(((Long) expected.get("object_count")).intValue());
        current.forEach((oidHex, value) -> {
            Map<String, Object> cur = Json.object(value);
            LoadResult r = storage.loadBefore(Oid.fromHex(oidHex), Tid.MAX);
            assertThat(r.start()).as(oidHex).isEqualTo(Tid.fromHex((String) cur.get("tid")));
            assertThat(r.end()).as(oidHex).isNull();
            assertThat(VectorFiles.sha256(r.data())).as(oidHex).isEqualTo(cur.get("data_sha256"));
            assertThat(storage.getTid(Oid.fromHex(oidHex))).isEqualTo(r.start());
        });
    }

    @Test
    void everyLoadBeforeProbeGivesTheExpectedAnswer() {
        List<Object> probes = Json.array(expected.get("loadBefore_probes"));
        assertThat(probes).hasSizeGreaterThan(80);
        for (Object p : probes) {
            Map<String, Object> probe = Json.object(p);
            Oid oid = Oid.fromHex((String) probe.get("oid"));
            Tid before = Tid.fromHex((String) probe.get("before"));
            LoadResult r = storage.loadBefore(oid, before);
            String at = "loadBefore(" + oid + ", " + before + ")";
            if (probe.get("result") == null) {
                assertThat(r).as(at).isNull();
                continue;
            }
            Map<String, Object> result = Json.object(probe.get("result"));
            assertThat(r).as(at).isNotNull();
            assertThat(r.start()).as(at).isEqualTo(Tid.fromHex((String) result.get("start")));
            assertThat(r.end()).as(at).isEqualTo(result.get("end") == null ? null
                    : Tid.fromHex((String) result.get("end")));
            assertThat(VectorFiles.sha256(r.data())).as(at).isEqualTo(result.get("data_sha256"));
        }
    }

    @Test
    void loadSerialFindsEveryRevisionWithData() {
        for (Object t : Json.array(expected.get("transactions"))) {
            Map<String, Object> txn = Json.object(t);
            Tid tid = Tid.fromHex((String) txn.get("tid"));
            for (Object r : Json.array(txn.get("records"))) {
                Map<String, Object> rec = Json.object(r);
                Oid oid = Oid.fromHex((String) rec.get("oid"));
                if (rec.get("data_sha256") != null) {
                    assertThat(VectorFiles.sha256(storage.loadSerial(oid, tid))).isEqualTo(rec.get("data_sha256"));
                }
            }
        }
        assertThatThrownBy(() -> storage.loadSerial(Oid.ROOT, Tid.of(1))).isInstanceOf(POSKeyException.class);
    }

    @Test
    void indexRebuiltByScanEqualsIndexLoadedFromSnapshot() {
        Map<Long, Long> scanned = entries(storage.index());
        storage.close();
        storage = FileStorage.open(dir.resolve("Data.fs"), VectorFiles.testOptions(), VectorFiles.PICKLE_REFERENCES);
        assertThat(dir.resolve("Data.fs.jzindex")).exists();
        assertThat(dir.resolve("Data.fs.index")).doesNotExist();
        assertThat(entries(storage.index())).isEqualTo(scanned);
    }

    private static Map<Long, Long> entries(OidIndex index) {
        Map<Long, Long> map = new LinkedHashMap<>();
        index.forEach(map::put);
        return map;
    }

    /** JSON numbers are Longs or Doubles; the unpickler may give Integers. Compare by value. */
    private static Object normalise(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), normalise(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(PythonDataFsCompatibilityTest::normalise).toList();
        }
        if (value instanceof Object[] array) {
            return java.util.Arrays.stream(array).map(PythonDataFsCompatibilityTest::normalise).toList();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        return value;
    }
}
