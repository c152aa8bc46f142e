package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent client cache file damaged while the client was stopped (truncated, bytes flipped) is discarded
 * at the next start with a warning, moved aside, and never served: the client reloads every object from the
 * server and gets the right data.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptClientCacheTest {
    private static final int OBJECTS = 12;

    @TempDir
    static Path dir;
    static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Ways a cache file gets damaged; each picks its target among the file's blocks. */
    enum Damage {
        TRUNCATED_TO_HALF {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.truncate(file, Files.size(file) / 2);
            }
        },
        TRUNCATED_INSIDE_THE_HEADER {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.truncate(file, 60);
            }
        },
        FLIPPED_BYTE_IN_AN_OBJECTS_DATA {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.Block current = blocks.stream().filter(b -> b.isRecord() && b.end() == 0).findFirst()
                        .orElseThrow();
                CacheFiles.flip(file, current.offset() + 48 + 10, 0x01);
            }
        },
        END_TID_OF_AN_OLD_REVISION_ZEROED {
            // The old revision would then claim to be current: the stalest possible answer.
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.Block old = blocks.stream().filter(b -> b.isRecord() && b.end() != 0).findFirst()
                        .orElseThrow();
                CacheFiles.write(file, old.offset() + 32, new byte[8]);
            }
        },
        FLIPPED_BIT_IN_A_BLOCK_LENGTH {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.Block record = blocks.stream().filter(CacheFiles.Block::isRecord).skip(1).findFirst()
                        .orElseThrow();
                CacheFiles.flip(file, record.offset() + 7, 0x10);
            }
        },
        FLIPPED_BYTE_IN_THE_HEADERS_LAST_TID {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.flip(file, 16 + 6, 0x04);
            }
        },
        ZEROED_FREE_BLOCK_PREFIX {
            @Override
            void apply(Path file, List<CacheFiles.Block> blocks) throws IOException {
                CacheFiles.Block free = blocks.stream().filter(b -> !b.isRecord()).findFirst().orElseThrow();
                CacheFiles.write(file, free.offset(), new byte[16]);
            }
        };

        abstract void apply(Path file, List<CacheFiles.Block> blocks) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedCacheFileIsDiscardedWithAWarningAndNeverServed(Damage damage, @TempDir Path var) throws Exception {
        ClientOptions options = Clients.persistent(Clients.options(server), var, "damaged");
        Path file = options.cacheFile();
        Map<Oid, String> expected;
        try (ClientStorage writer = Clients.open(Clients.options(server))) {
            expected = new LinkedHashMap<>(Clients.createObjects(writer, damage.name(), OBJECTS));
            List<Oid> oids = Clients.oids(expected);
            try (ClientStorage client = Clients.open(options)) {
                expected.forEach((oid, v) -> assertThat(Clients.current(client, oid)).isEqualTo(v));
                // Newer revisions of some objects: the file then also holds revisions that are no longer current.
                Map<Oid, String> change = Map.of(oids.get(0), "changed 0", oids.get(1), "changed 1");
                Tid tid = Clients.change(writer, change);
                expected.putAll(change);
                Clients.awaitSeen(client, tid);
                expected.forEach((oid, v) -> assertThat(Clients.current(client, oid)).isEqualTo(v));
                for (Oid oid : List.of(oids.get(0), oids.get(1))) {
                    Tid before = Clients.currentRevision(client, oid).start();
                    assertThat(client.loadBefore(oid, before).end()).isEqualTo(before);
                }
            }
        }
        List<CacheFiles.Block> blocks = CacheFiles.blocks(file);
        assertThat(blocks.stream().filter(b -> b.isRecord() && b.end() == 0)).hasSize(OBJECTS);
        assertThat(blocks.stream().filter(b -> b.isRecord() && b.end() != 0)).hasSizeGreaterThanOrEqualTo(2);

        damage.apply(file, blocks);

        DiskCache cache;
        String log;
        try (StderrCapture err = new StderrCapture()) {
            cache = Clients.openCache(options);
            log = err.text();
        }
        assertThat(cache.openReport().wasDiscarded()).as("open report %s", cache.openReport()).isTrue();
        assertThat(cache.openReport().reason()).isNotBlank();
        assertThat(log).contains("WARN").contains("client cache " + file + " discarded")
                .contains(cache.openReport().reason());
        assertThat(file.resolveSibling(file.getFileName() + ".bad")).exists();
        assertThat(cache.entryCount()).isZero();
        assertThat(cache.lastTid()).isEqualTo(Tid.ZERO);

        try (ClientStorage restarted = Clients.open(options, cache)) {
            expected.forEach((oid, v) -> assertThat(Clients.current(restarted, oid)).as("object %s", oid)
                    .isEqualTo(v));
            assertThat(restarted.networkLoads()).isEqualTo(OBJECTS);
            assertThat(restarted.cacheStats().hits()).isZero();
        }
    }
}
