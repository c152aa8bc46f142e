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
        List<TransactionRecord> expected = new ArrayList<>();
        List<TransactionRecord> actual = new ArrayList<>();
        try (StorageIterator a = original.iterator(null, null); StorageIterator b = copy.iterator(null, null)) {
            a.forEachRemaining(expected::add);
            b.forEachRemaining(actual::add);
        }
        assertThat(actual).as("transactions of the copy").hasSameSizeAs(expected);
        Set<Oid> oids = new TreeSet<>();
        int blobs = 0;
        for (int i = 0; i < expected.size(); i++) {
            TransactionRecord e = expected.get(i);
            TransactionRecord c = actual.get(i);
            String what = "transaction " + i + " (" + e.tid() + ")";
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
                assertThat(cr.data()).as(record + " data").isEqualTo(er.data());
                assertThat(cr.dataTxn()).as(record + " back pointer").isEqualTo(er.dataTxn());
                blobs += assertSameBlob(original, copy, er, record);
                oids.add(er.oid());
            }
        }
        List<Tid> at = new ArrayList<>(expected.stream().map(TransactionRecord::tid).toList());
        at.add(Tid.MAX);
        for (Oid oid : oids) {
            for (Tid before : at) {
                assertThat(load(copy, oid, before)).as("loadBefore(" + oid + ", " + before + ")")
                        .isEqualTo(load(original, oid, before));
            }
        }
        return blobs;
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
