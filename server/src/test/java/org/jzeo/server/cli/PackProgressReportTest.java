package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How jzeo pack and jzeo status put a running pack's progress into words. */
class PackProgressReportTest {

    @Test
    void bytesAreShownInUnitsAnOperatorReads() {
        assertThat(ByteSize.format(0)).isEqualTo("0 bytes");
        assertThat(ByteSize.format(9_999)).isEqualTo("9999 bytes");
        assertThat(ByteSize.format(12_345)).isEqualTo("12.3 kB");
        assertThat(ByteSize.format(50_200_000)).isEqualTo("50.2 MB");
        assertThat(ByteSize.format(3_000_000_000L)).isEqualTo("3.0 GB");
    }

    @Test
    void aPhaseCountedInBytesShowsSizesAndPercent() {
        Map<String, Object> entry = Map.of("phase", "copying", "done", 12_500_000L, "total", 50_000_000L,
                "unit", "bytes", "started", 1.7e9);

        assertThat(PackProgressReport.from(entry)).hasValueSatisfying(p ->
                assertThat(p.describe()).isEqualTo("copying: 12.5 MB of 50.0 MB (25%)"));
    }

    @Test
    void msgpackKeysAsBytesAndObjectCountsAreReadToo() {
        Map<Object, Object> entry = new LinkedHashMap<>();
        entry.put(bytes("phase"), bytes("finding reachable objects"));
        entry.put(bytes("done"), 1);
        entry.put(bytes("total"), 2);
        entry.put(bytes("unit"), bytes("objects"));

        assertThat(PackProgressReport.from(entry)).hasValueSatisfying(p ->
                assertThat(p.describe()).isEqualTo("finding reachable objects: 1 of 2 objects (50%)"));
    }

    @Test
    void anUnknownTotalShowsWhatIsDoneAndSomethingElseIsNoReport() {
        assertThat(PackProgressReport.from(Map.of("phase", "copying", "done", 5L, "total", 0L, "unit", "bytes")))
                .hasValueSatisfying(p -> assertThat(p.describe()).isEqualTo("copying: 5 bytes"));
        assertThat(PackProgressReport.from("copying")).isEmpty();
        assertThat(PackProgressReport.from(Map.of("phase", "copying"))).isEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
