package org.jzeo.server.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.cli.JzeoCommand;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy streams: {@code jzeo copy} of a Data.fs three times larger than its heap ({@code -Xmx48m}, in a child
 * JVM) succeeds and the copy is complete. A copier that held the storage, or even a few dozen transactions, in
 * memory would fail here with an OutOfMemoryError.
 */
class CopyMemoryBoundTest {
    private static final int TRANSACTIONS = 150;
    private static final int RECORD_BYTES = 1_000_000;
    private static final int OBJECTS = 20;
    private static final Pattern SUMMARY = Pattern.compile(
            "jzeo copy: copied (\\d+) transactions, (\\d+) records, ([\\d.]+) MB in ([\\d.]+) s \\(([\\d.]+) MB/s\\)");

    @TempDir
    Path tmp;

    @Test
    void copiesA150MegabyteFileStorageWithA48MegabyteHeap() throws Exception {
        Path source = tmp.resolve("Data.fs");
        Path destination = tmp.resolve("copy/Data.fs");
        Files.createDirectories(destination.getParent());
        generate(source);
        assertThat(Files.size(source)).isGreaterThan(150L * 1_000_000);
        Path conf = tmp.resolve("copy.conf");
        Files.writeString(conf, "<filestorage source>\n path " + source + "\n</filestorage>\n"
                + "<filestorage destination>\n path " + destination + "\n</filestorage>\n");

        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process child = new ProcessBuilder(javaCommand(JzeoCommand.class.getName(), "copy", conf.toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = child.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly().waitFor();
        }
        String printed = Files.readString(out) + Files.readString(err);
        assertThat(ended).as("the copy ended in time: " + printed).isTrue();
        assertThat(child.exitValue()).as(printed).isZero();
        Matcher summary = SUMMARY.matcher(Files.readString(out));
        assertThat(summary.find()).as(printed).isTrue();
        assertThat(Integer.parseInt(summary.group(1))).isEqualTo(TRANSACTIONS);
        // For whoever reads the build log: the copy's throughput (a rough benchmark, not a test).
        System.out.println("CopyMemoryBoundTest: " + summary.group());

        FileStorageOptions options = FileStorageOptions.defaults().withFsync(false).withReadOnly(true);
        try (FileStorage original = FileStorage.open(source, options, ReferenceFinder.unavailable());
             FileStorage copy = FileStorage.open(destination, options, ReferenceFinder.unavailable())) {
            StorageAssertions.assertSameTransactions(original, copy);
            assertThat(copy.lastTransaction()).isEqualTo(original.lastTransaction());
        }
    }

    /** 150 transactions of one 1 MB record each over 20 objects; one buffer, its first bytes varied, for speed. */
    private static void generate(Path file) {
        FileStorageOptions options = FileStorageOptions.defaults().withFsync(false).withRecordCacheBytes(0);
        try (FileStorage storage = FileStorage.open(file, options, ReferenceFinder.unavailable())) {
            List<Oid> oids = new ArrayList<>(storage.newOids(OBJECTS));
            Tid[] serials = new Tid[OBJECTS];
            java.util.Arrays.fill(serials, Tid.ZERO);
            byte[] data = new byte[RECORD_BYTES];
            new java.util.Random(42).nextBytes(data);
            for (int i = 0; i < TRANSACTIONS; i++) {
                int object = i % OBJECTS;
                java.nio.ByteBuffer.wrap(data).putInt(i);
                StorageTransaction txn = storage.begin(TransactionMetadata.of("gen", "transaction " + i, Map.of()));
                txn.store(oids.get(object), serials[object], data);
                txn.vote();
                serials[object] = txn.finish();
            }
        }
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx48m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
