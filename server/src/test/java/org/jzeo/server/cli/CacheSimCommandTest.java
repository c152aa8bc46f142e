package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jzeo.client.cache.CacheTrace;
import org.jzeo.client.cache.TraceEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jzeo cache-sim on synthetic traces and on a trace file. */
class CacheSimCommandTest {
    @TempDir
    Path dir;

    @Test
    void syntheticZipfPrintsOneRowPerDefaultSize() {
        Cli.Result r = Cli.run("cache-sim", "--synthetic", "zipf", "--objects", "5000", "--loads", "50000");

        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).startsWith("trace: synthetic zipf (5000 objects of 300 bytes, 50000 loads, seed 42)");
        assertThat(lines[1]).contains("size", "s3-fifo hits", "fifo hits", "hit ratio");
        assertThat(lines).hasSize(5);
        for (int i = 2; i < 5; i++) {
            assertThat(lines[i]).matches(" *\\S+ +\\d+ +\\d+ +[\\d.]+% +\\d+ +\\d+ +[\\d.]+%");
        }
    }

    @Test
    void aTraceFileAtGivenSizes() throws Exception {
        Path trace = dir.resolve("cache.trace");
        try (CacheTrace.Writer w = CacheTrace.append(trace)) {
            for (int round = 0; round < 3; round++) {
                for (int oid = 0; oid < 100; oid++) {
                    w.write(new TraceEvent(0, TraceEvent.Type.LOAD_MISS, oid, 1, 1000));
                }
            }
        }

        Cli.Result r = Cli.run("cache-sim", trace.toString(), "--sizes", "64KB,1MB");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("64KB").contains("1.0MB");
        // 1 MB holds all 100 objects: only the first round misses.
        assertThat(r.out()).containsPattern("1\\.0MB +200 +100 +66\\.7% +200 +100 +66\\.7%");
    }

    @Test
    void usageErrors() {
        assertThat(Cli.run("cache-sim").exitCode()).isEqualTo(2);
        assertThat(Cli.run("cache-sim", "x.trace", "--synthetic", "zipf").exitCode()).isEqualTo(2);
        assertThat(Cli.run("cache-sim", "--synthetic", "zipf", "--sizes", "lots").err())
                .contains("'lots' is not a byte size");
        assertThat(Cli.run("cache-sim", "--synthetic", "zipf", "--sizes", "1KB").exitCode()).isEqualTo(2);
    }

    @Test
    void anUnreadableTraceFails() {
        Cli.Result r = Cli.run("cache-sim", dir.resolve("missing.trace").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot read");
    }

    @Test
    void byteSizes() {
        assertThat(CacheSimCommand.byteSize("20MB")).isEqualTo(20L << 20);
        assertThat(CacheSimCommand.byteSize("512kb")).isEqualTo(512L << 10);
        assertThat(CacheSimCommand.byteSize("1GB")).isEqualTo(1L << 30);
        assertThat(CacheSimCommand.byteSize("65536")).isEqualTo(65536);
    }
}
