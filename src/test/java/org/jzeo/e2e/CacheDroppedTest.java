package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.jzeo.client.cache.OpenReport;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server keeps only the last 2 transactions for verification ({@code --invalidation-queue-size 2}); a
 * persistent-cache client that was away for more than that must drop its whole cache on reconnect.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CacheDroppedTest {
    private static final int OBJECTS = 20;

    @TempDir
    static Path dir;
    static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"), "--invalidation-queue-size", "2");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void cacheIsDroppedWhenTheInvalidationQueueNoLongerCoversTheClientsLastTid(@TempDir Path var)
            throws Exception {
        ClientOptions options = Clients.persistent(Clients.options(server), var, "dropped");
        try (ClientStorage writer = Clients.open(Clients.options(server))) {
            Map<Oid, String> objects = Clients.createObjects(writer, "d", OBJECTS);
            List<Oid> oids = Clients.oids(objects);
            Map<Oid, LoadResult> seen = new LinkedHashMap<>();
            Tid cacheTid;
            try (ClientStorage first = Clients.open(options)) {
                for (Oid oid : oids) {
                    seen.put(oid, Clients.currentRevision(first, oid));
                }
                cacheTid = first.lastTransaction();
            }

            // Three commits while the client is down: the queue (2 entries) no longer reaches back to cacheTid.
            Map<Oid, String> expected = new LinkedHashMap<>(objects);
            for (int i = 0; i < 3; i++) {
                Map<Oid, String> change = Map.of(oids.get(i), "d-" + i + " changed");
                Clients.change(writer, change);
                expected.putAll(change);
            }

            DiskCache cache = Clients.openCache(options);
            assertThat(cache.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertThat(cache.lastTid()).isEqualTo(cacheTid);
            assertThat(cache.entryCount()).isEqualTo(OBJECTS);
            EventRecorder events = new EventRecorder();
            try (ClientStorage restarted = Clients.open(options, cache, events)) {
                assertThat(events.events(EventRecorder.CacheDropped.class)).hasSize(1);
                // Dropped before the client went live: the connection is announced after it.
                assertThat(events.events().get(0)).isInstanceOf(EventRecorder.CacheDropped.class);
                assertThat(events.events().get(1)).isInstanceOf(EventRecorder.Connected.class);
                assertThat(cache.entryCount()).isZero();
                assertThat(restarted.lastTransaction()).isEqualTo(writer.lastTransaction());

                // No stale record is served: every object comes from the server again, current.
                for (Oid oid : oids) {
                    LoadResult now = Clients.currentRevision(restarted, oid);
                    assertThat(Clients.value(now.data())).as("object %s", oid).isEqualTo(expected.get(oid));
                    assertThat(now.end()).isNull();
                }
                assertThat(restarted.networkLoads()).isEqualTo(OBJECTS);
                for (int i = 0; i < 3; i++) {
                    assertThat(Clients.currentRevision(restarted, oids.get(i)).start())
                            .isGreaterThan(seen.get(oids.get(i)).start());
                }
            }
        }
    }
}
