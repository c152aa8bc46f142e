package org.jzeo.server.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/** Compares two storages transaction by transaction, record by record, load by load and blob by blob. */
public final class StorageAssertions {
    private StorageAssertions() {
    }

    /** The tids of every transaction of {@code storage}, in order. */
    public static List<Tid> tids(Storage storage) {
        List<Tid> tids = new ArrayList<>();
        try (StorageIterator it = storage.iterator(null, null)) {
            it.forEachRemaining(t -> tids.add(t.tid()));
        }
        return tids;
    }

    /** The highest oid with a record in {@code storage}. */
    public static Oid highestOid(Storage storage) {
        Oid highest = Oid.ROOT;
        try (StorageIterator it = storage.iterator(null, null)) {
            while (it.hasNext()) {
                for (DataRecord r : it.next().records()) {
                    highest = r.oid().compareTo(highest) > 0 ? r.oid() : highest;
                }
            }
        }
        return highest;
    }

    /**
     * Asserts that {@code copy} holds exactly the transactions of {@code original}: same tids, status, metadata and
     * records (oid, serial, data, back pointer), the same answer to loadBefore of every oid at every tid, and
     * byte-identical blobs. Returns the number of blob revisions compared.
     */
    public static int assertSameHistory(Storage original, Storage copy) {
        Compared compared = compareTransactions(original, copy);
        for (Oid oid : compared.oids()) {
            for (Tid before : compared.tids()) {
                assertThat(load(copy, oid, before)).as("loadBefore(" + oid + ", " + before + ")")
                        .isEqualTo(load(original, oid, before));
            }
        }
        return compared.blobs();
    }

    /** As {@link #assertSameHistory} without the loads: for storages too large to load every revision at every tid. */
    public static void assertSameTransactions(Storage original, Storage copy) {
        compareTransactions(original, copy);
    }

    private record Compared(Set<Oid> oids, List<Tid> tids, int blobs) {
    }

    private static Compared compareTransactions(Storage original, Storage copy) {
        // In lockstep, one transaction of each at a time: the storages compared may be larger than the heap.
        Set<Oid> oids = new TreeSet<>();
        List<Tid> at = new ArrayList<>();
        int blobs = 0;
        try (StorageIterator a = original.iterator(null, null); StorageIterator b = copy.iterator(null, null)) {
            int i = 0;
            while (a.hasNext()) {
                TransactionRecord e = a.next();
                String what = "transaction " + i + " (" + e.tid() + ")";
                assertThat(b.hasNext()).as(what + " in the copy").isTrue();
                TransactionRecord c = b.next();
                assertThat(c.tid()).as(what + " tid").isEqualTo(e.tid());
                assertThat(c.status()).as(what + " status").isEqualTo(e.status());
                assertThat(c.user()).as(what + " user").isEqualTo(e.user());
                assertThat(c.description()).as(what + " description").isEqualTo(e.description());
                assertThat(c.extension()).as(what + " extension").isEqualTo(e.extension());
                assertThat(c.records()).as(what + " records").hasSameSizeAs(e.records());
                for (int j = 0; j < e.records().size(); j++) {
                    DataRecord er = e.records().get(j);
                    DataRecord cr = c.records().get(j);
                    String record = what + " record " + j;
                    assertThat(cr.oid()).as(record + " oid").isEqualTo(er.oid());
                    assertThat(cr.tid()).as(record + " serial").isEqualTo(er.tid());
                    assertThat(java.util.Arrays.equals(cr.data(), er.data())).as(record + " data").isTrue();
                    assertThat(cr.dataTxn()).as(record + " back pointer").isEqualTo(er.dataTxn());
                    blobs += assertSameBlob(original, copy, er, record);
                    oids.add(er.oid());
                }
                at.add(e.tid());
                i++;
            }
            assertThat(b.hasNext()).as("the copy has more transactions than the original").isFalse();
        }
        at.add(Tid.MAX);
        return new Compared(oids, at, blobs);
    }

    private static int assertSameBlob(Storage original, Storage copy, DataRecord r, String what) {
        byte[] expected = blob(original, r);
        byte[] actual = blob(copy, r);
        assertThat(actual).as(what + " blob").isEqualTo(expected);
        return expected == null ? 0 : 1;
    }

    private static byte[] blob(Storage storage, DataRecord r) {
        if (!storage.supportsBlobs()) {
            return null;
        }
        try {
            return Files.readAllBytes(storage.loadBlob(r.oid(), r.tid()));
        } catch (POSKeyException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** loadBefore's answer as comparable text: the data and validity, or the error's kind. */
    private static String load(Storage storage, Oid oid, Tid before) {
        try {
            LoadResult r = storage.loadBefore(oid, before);
            return r == null ? "none" : java.util.HexFormat.of().formatHex(r.data()) + " " + r.start() + ".."
                    + r.end();
        } catch (POSKeyException e) {
            return "POSKeyException";
        }
    }
}
