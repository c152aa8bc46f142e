package org.jzeo.e2e.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.objects.ObjectLayerProcessesTest.fields;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.e2e.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "One million entries must insert and iterate with a heap of 256 MB": a JVM started with {@code -Xmx256m} inserts
 * 1 000 000 keys into a {@link org.jzeo.objects.PersistentSortedMap} in a FileStorage, 1 000 a transaction, then
 * reopens the file and iterates every entry, checking the count and the order.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MillionEntriesTest {
    private static final int ENTRIES = 1_000_000;
    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    void aMillionEntriesInsertAndIterateIn256Megabytes() throws Exception {
        Duration limit = Duration.ofMinutes(8);
        try (ChildJvm child = ChildJvm.start(MillionEntriesChild.class, dir.resolve("child-stderr.log"),
                List.of(dir.resolve("Data.fs").toString(), Integer.toString(ENTRIES), Integer.toString(BATCH)),
                "256m", line -> true, "failed ")) {
            long inserted = Long.parseLong(child.awaitNext("inserted ", limit));
            Map<String, String> iterated = fields(child.awaitNext("iterated ", limit));
            Map<String, String> heap = fields(child.awaitNext("heap ", limit));
            assertThat(child.awaitExit(limit)).isZero();
            System.out.printf("a million entries: inserted in %d ms, iterated in %s ms; %s%n", inserted,
                    iterated.get("ms"), heap);

            assertThat(Long.parseLong(heap.get("max"))).as("the child's heap limit").isLessThanOrEqualTo(256L << 20);
            assertThat(iterated).containsEntry("count", Integer.toString(ENTRIES))
                    .containsEntry("size", Integer.toString(ENTRIES)).containsEntry("ordered", "true")
                    .containsEntry("first", MillionEntriesChild.key(0))
                    .containsEntry("last", MillionEntriesChild.key(ENTRIES - 1));
        }
    }
}
