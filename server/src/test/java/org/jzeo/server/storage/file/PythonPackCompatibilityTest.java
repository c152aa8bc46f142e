package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.testsupport.Json;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs Python's Data.fs at the time of its transaction #30, with GC, and compares the result with the file
 * Python's own pack produced (Data-packed.fs): the same transactions with the same statuses, the same objects
 * with the same current data, and the same loadBefore answers.
 */
class PythonPackCompatibilityTest {
    @TempDir
    Path dir;

    @Test
    void packAtTransaction30KeepsExactlyWhatPythonKept() {
        Map<String, Object> packed = VectorFiles.description("Data-packed.fs");
        Tid packTime = Tid.fromHex((String) packed.get("pack_tid"));
        Path data = VectorFiles.copy("Data.fs", dir);
        try (FileStorage storage = FileStorage.open(data, VectorFiles.testOptions(), VectorFiles.PICKLE_REFERENCES)) {
            storage.pack(packTime, true);

            List<String> expectedTxns = new ArrayList<>();
            for (Object t : Json.array(packed.get("transactions"))) {
                Map<String, Object> txn = Json.object(t);
                expectedTxns.add(txn.get("tid") + " '" + txn.get("status") + "' " + oidsOf(txn));
            }
            List<String> actualTxns = new ArrayList<>();
            try (StorageIterator it = storage.iterator(null, null)) {
                while (it.hasNext()) {
                    TransactionRecord r = it.next();
                    actualTxns.add(r.tid() + " '" + r.status() + "' "
                            + r.records().stream().map(rec -> rec.oid().toString()).toList());
                }
            }
            assertThat(actualTxns).containsExactlyElementsOf(expectedTxns);

            Map<String, Object> current = Json.object(packed.get("current"));
            assertThat(storage.length()).isEqualTo(current.size());
            Map<String, String> actualCurrent = new LinkedHashMap<>();
            Map<String, String> expectedCurrent = new LinkedHashMap<>();
            current.forEach((oid, v) -> {
                Map<String, Object> cur = Json.object(v);
                expectedCurrent.put(oid, cur.get("tid") + " " + cur.get("data_sha256"));
                LoadResult r = storage.loadBefore(Oid.fromHex(oid), Tid.MAX);
                actualCurrent.put(oid, r.start() + " " + VectorFiles.sha256(r.data()));
            });
            assertThat(actualCurrent).isEqualTo(expectedCurrent);

            for (Object p : Json.array(packed.get("loadBefore_probes"))) {
                Map<String, Object> probe = Json.object(p);
                Oid oid = Oid.fromHex((String) probe.get("oid"));
                Tid before = Tid.fromHex((String) probe.get("before"));
                String at = "loadBefore(" + oid + ", " + before + ")";
                LoadResult r;
                try {
                    r = storage.loadBefore(oid, before);
                } catch (org.jzeo.api.POSKeyException e) {
                    assertThat(probe.get("result")).as(at + " raised POSKeyError in jzeo").isEqualTo("POSKeyError");
                    continue;
                }
                if (probe.get("result") == null) {
                    assertThat(r).as(at).isNull();
                } else {
                    Map<String, Object> result = Json.object(probe.get("result"));
                    assertThat(r).as(at).isNotNull();
                    assertThat(r.start() + " " + VectorFiles.sha256(r.data())).as(at)
                            .isEqualTo(result.get("start") + " " + result.get("data_sha256"));
                }
            }
        }
        assertThat(dir.resolve("Data.fs.old")).exists();
        assertThat(dir.resolve("Data.fs.pack")).doesNotExist();
    }

    private static List<String> oidsOf(Map<String, Object> txn) {
        List<String> oids = new ArrayList<>();
        for (Object r : Json.array(txn.get("records"))) {
            oids.add((String) Json.object(r).get("oid"));
        }
        return oids;
    }
}
