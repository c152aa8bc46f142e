package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files: a Data.fs cut at every byte of its last transaction opens and serves every earlier transaction;
 * flipped bytes in the structure of the committed part stop the open with an error naming the offset.
 */
class DamagedFileTest {
    private static final int TRANSACTIONS = 6;

    @TempDir
    Path dir;
    private Path original;
    private byte[] bytes;
    /** Per transaction: its tid, position and the data of each oid it wrote. */
    private final List<Tid> tids = new ArrayList<>();
    private final List<Long> positions = new ArrayList<>();
    private final List<Map<Oid, byte[]>> written = new ArrayList<>();

    @BeforeEach
    void writeFile() throws IOException {
        original = dir.resolve("original").resolve("Data.fs");
        Files.createDirectories(original.getParent());
        try (FileStorage storage = open(original)) {
            Map<Oid, Tid> serials = new LinkedHashMap<>();
            for (int t = 0; t < TRANSACTIONS; t++) {
                positions.add(storage.size());
                StorageTransaction txn = storage.begin(TransactionMetadata.of("user" + t, "txn " + t,
                        Map.of("seq", (long) t)));
                Map<Oid, byte[]> data = new LinkedHashMap<>();
                for (int o = 0; o < 3; o++) {
                    Oid oid = Oid.of(o + (t % 2) * 2L);
                    byte[] payload = ("object " + oid + " in transaction " + t).getBytes(StandardCharsets.UTF_8);
                    txn.store(oid, serials.getOrDefault(oid, Tid.ZERO), payload);
                    data.put(oid, payload);
                }
                txn.vote();
                Tid tid = txn.finish();
                data.keySet().forEach(oid -> serials.put(oid, tid));
                tids.add(tid);
                written.add(data);
            }
        }
        bytes = Files.readAllBytes(original);
    }

    private static FileStorage open(Path path) {
        return FileStorage.open(path, VectorFiles.testOptions(), ReferenceFinder.unavailable());
    }

    private Path variant(String name, byte[] content) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        Path file = d.resolve("Data.fs");
        Files.write(file, content);
        return file;
    }

    @Test
    void cutAtEveryOffsetOfTheLastTransactionKeepsAllEarlierOnes() throws IOException {
        long lastStart = positions.get(TRANSACTIONS - 1);
        for (long cut = lastStart; cut < bytes.length; cut++) {
            Path file = variant("cut" + cut, Arrays.copyOf(bytes, (int) cut));
            try (FileStorage storage = open(file)) {
                assertThat(storage.lastTransaction()).as("cut at %d", cut).isEqualTo(tids.get(TRANSACTIONS - 2));
                assertThat(storage.size()).as("cut at %d", cut).isEqualTo(lastStart);
                assertEarlierTransactionsReadable(storage, TRANSACTIONS - 1, "cut at " + cut);
            }
            assertThat(Files.size(file)).as("file cut back to the last complete transaction").isEqualTo(lastStart);
            if (cut > lastStart) {
                Path saved = file.resolveSibling("Data.fs.tr0");
                assertThat(saved).as("cut at %d: the removed tail is saved", cut).exists();
                assertThat(Files.readAllBytes(saved)).isEqualTo(Arrays.copyOfRange(bytes, (int) lastStart, (int) cut));
            }
        }
    }

    @Test
    void readOnlyOpenOfACutFileIgnoresTheTailWithoutChangingTheFile() throws IOException {
        long cut = bytes.length - 5;
        Path file = variant("ro", Arrays.copyOf(bytes, (int) cut));
        try (FileStorage storage = FileStorage.open(file, VectorFiles.testOptions().withReadOnly(true),
                ReferenceFinder.unavailable())) {
            assertThat(storage.lastTransaction()).isEqualTo(tids.get(TRANSACTIONS - 2));
            assertEarlierTransactionsReadable(storage, TRANSACTIONS - 1, "read-only");
        }
        assertThat(Files.size(file)).isEqualTo(cut);
    }

    @Test
    void cutWithAnIndexFileCoveringTheEarlierTransactions() throws IOException {
        // The index snapshot written at close covers the whole file; cut the file and keep that snapshot: it no
        // longer matches, so the index is rebuilt and the tail cut.
        Path file = variant("indexed", Arrays.copyOf(bytes, bytes.length - 10));
        Files.copy(IndexFile.pathFor(original), IndexFile.pathFor(file));
        try (FileStorage storage = open(file)) {
            assertThat(storage.lastTransaction()).isEqualTo(tids.get(TRANSACTIONS - 2));
            assertEarlierTransactionsReadable(storage, TRANSACTIONS - 1, "with index");
        }
    }

    @Test
    void unfinishedCheckpointTransactionAtTheEndIsCutAway() throws IOException {
        byte[] content = bytes.clone();
        content[(int) (positions.get(TRANSACTIONS - 1) + 16)] = 'c';
        Path file = variant("checkpoint", content);
        try (FileStorage storage = open(file)) {
            assertThat(storage.lastTransaction()).isEqualTo(tids.get(TRANSACTIONS - 2));
        }
        assertThat(Files.size(file)).isEqualTo(positions.get(TRANSACTIONS - 1));
    }

    /**
     * A power loss while the last transaction was appended, torn at every offset inside it: what was written is
     * there, the rest zeros up to the new size (a file system that kept the size but not the data). The status byte
     * may be zero then; it is still an incomplete tail, cut away, never a corrupt file that stops the server.
     */
    @Test
    void anAppendTornWithZerosAtEveryOffsetIsCutAway() throws IOException {
        int lastStart = (int) (long) positions.get(TRANSACTIONS - 1);
        for (int tear = lastStart; tear < bytes.length - 1; tear++) {
            byte[] content = bytes.clone();
            content[lastStart + 16] = 'c';   // as appended: finished only later
            Arrays.fill(content, tear, content.length, (byte) 0);
            Path file = variant("torn" + tear, content);
            try (FileStorage storage = open(file)) {
                assertThat(storage.lastTransaction()).as("torn at %d", tear).isEqualTo(tids.get(TRANSACTIONS - 2));
                assertEarlierTransactionsReadable(storage, TRANSACTIONS - 1, "torn at " + tear);
            }
            assertThat(Files.size(file)).as("torn at %d: cut back", tear).isEqualTo(lastStart);
        }
    }

    /** Each case: a field of the committed structure, the byte to damage, and how. */
    private record Damage(String field, long offset, int xor) {
    }

    private List<Damage> damages() {
        List<Damage> damages = new ArrayList<>();
        for (int t = 0; t < TRANSACTIONS; t++) {
            long tpos = positions.get(t);
            long tlenPos = tpos + 8;
            String txn = "transaction " + t + " ";
            damages.add(new Damage(txn + "tid (high byte)", tpos, 0x01));
            damages.add(new Damage(txn + "tid (low byte)", tpos + 7, 0x01));
            for (int b = 0; b < 8; b++) {
                damages.add(new Damage(txn + "tlen byte " + b, tlenPos + b, 0x10));
            }
            damages.add(new Damage(txn + "status", tpos + 16, 0xff));
            damages.add(new Damage(txn + "ulen", tpos + 17, 0x01));
            damages.add(new Damage(txn + "dlen", tpos + 19, 0x01));
            damages.add(new Damage(txn + "elen", tpos + 21, 0x01));
            long end = t + 1 < TRANSACTIONS ? positions.get(t + 1) : bytes.length;
            for (int b = 0; b < 8; b++) {
                damages.add(new Damage(txn + "trailing length byte " + b, end - 8 + b, 0x04));
            }
            TransactionHeader h = readHeader(tpos);
            long p = h.dataStart();
            int r = 0;
            while (p < h.dataEnd()) {
                String rec = txn + "record " + r + " ";
                damages.add(new Damage(rec + "tid", p + 8 + 7, 0x01));
                damages.add(new Damage(rec + "prev", p + 16 + 7, 0x03));
                damages.add(new Damage(rec + "tloc", p + 24 + 7, 0x01));
                damages.add(new Damage(rec + "vlen", p + 32, 0x01));
                damages.add(new Damage(rec + "plen", p + 34 + 7, 0x02));
                long plen = java.nio.ByteBuffer.wrap(bytes, (int) p + 34, 8).getLong();
                p += 42 + plen;
                r++;
            }
        }
        return damages;
    }

    private TransactionHeader readHeader(long tpos) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes, (int) tpos, FileFormat.TRANS_HDR_LEN);
        TransactionHeader.Fixed f = TransactionHeader.parseFixed(b);
        return new TransactionHeader(tpos, f.tid(), f.tlen(), f.status(), new byte[f.ulen()], new byte[f.dlen()],
                new byte[f.elen()]);
    }

    @Test
    void flippedBytesInTheCommittedStructureStopTheOpenWithTheOffset() throws IOException {
        List<String> undetected = new ArrayList<>();
        int n = 0;
        for (Damage damage : damages()) {
            byte[] content = bytes.clone();
            content[(int) damage.offset()] ^= (byte) damage.xor();
            Path file = variant("flip" + n++, content);
            try (FileStorage storage = open(file)) {
                undetected.add(damage.field() + " at offset " + damage.offset() + " (opened; last tid "
                        + storage.lastTransaction() + ")");
            } catch (StorageFormatException e) {
                assertThat(e.getMessage()).as(damage.field()).contains(file.toString()).contains("offset");
                assertThat(e.offset()).as(damage.field()).isBetween(0L, (long) content.length);
                assertThat(Files.readAllBytes(file)).as("a damaged file is never modified").isEqualTo(content);
            }
        }
        assertThat(undetected).as("damage that opened without an error").isEmpty();
    }

    @Test
    void garbageAfterTheLastTransactionIsCutNotFatal() throws IOException {
        byte[] content = Arrays.copyOf(bytes, bytes.length + 100);
        Arrays.fill(content, bytes.length, content.length, (byte) 0);
        Path file = variant("zeros", content);
        try (FileStorage storage = open(file)) {
            assertThat(storage.lastTransaction()).isEqualTo(tids.get(TRANSACTIONS - 1));
            assertEarlierTransactionsReadable(storage, TRANSACTIONS, "zero tail");
        }
        assertThat(Files.size(file)).isEqualTo(bytes.length);
    }

    @Test
    void notAFileStorageIsRefusedWithAClearError() throws IOException {
        Path file = variant("bad-magic", "FS99 something else".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> open(file)).isInstanceOf(StorageFormatException.class)
                .hasMessageContaining("not a FileStorage file");
        Path py2 = variant("py2", "FS21".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> open(py2)).isInstanceOf(StorageFormatException.class)
                .hasMessageContaining("read-only");
        Path tiny = variant("tiny", new byte[] {'F', 'S'});
        assertThatThrownBy(() -> open(tiny)).isInstanceOf(StorageFormatException.class)
                .hasMessageContaining("too short");
    }

    private void assertEarlierTransactionsReadable(FileStorage storage, int count, String context) {
        for (int t = 0; t < count; t++) {
            Tid tid = tids.get(t);
            for (Map.Entry<Oid, byte[]> e : written.get(t).entrySet()) {
                assertThat(storage.loadSerial(e.getKey(), tid)).as("%s: oid %s of transaction %d", context,
                        e.getKey(), t).isEqualTo(e.getValue());
            }
        }
    }
}
