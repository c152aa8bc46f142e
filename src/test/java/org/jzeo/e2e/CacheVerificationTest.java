package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.client.cache.OpenReport;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client with a persistent cache is restarted while the server keeps running: it serves its working set
 * from the cache file, and the verification on reconnect drops exactly what changed while it was down.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CacheVerificationTest {
    private static final int WORKING_SET = 60;

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

    @Test
    void restartedPersistentClientServesItsWorkingSetWithZeroNetworkLoads(@TempDir Path var) throws Exception {
        ClientOptions options = Clients.persistent(Clients.options(server), var, "restarted");
        Map<Oid, String> objects;
        try (ClientStorage writer = Clients.open(Clients.options(server))) {
            objects = Clients.createObjects(writer, "ws", WORKING_SET);
        }
        try (ClientStorage first = Clients.open(options)) {
            objects.forEach((oid, v) -> assertThat(Clients.current(first, oid)).isEqualTo(v));
            assertThat(first.networkLoads()).isEqualTo(WORKING_SET);
        }

        DiskCache cache = Clients.openCache(options);
        assertThat(cache.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
        EventRecorder events = new EventRecorder();
        try (ClientStorage restarted = Clients.open(options, cache, events)) {
            objects.forEach((oid, v) -> assertThat(Clients.current(restarted, oid)).isEqualTo(v));
            assertThat(restarted.networkLoads()).isZero();
            assertThat(restarted.cacheStats().hits()).isEqualTo(WORKING_SET);
            assertThat(events.events(EventRecorder.CacheDropped.class)).isEmpty();
            assertThat(events.events(EventRecorder.Invalidated.class)).isEmpty();
        }
    }

    @Test
    void objectsChangedWhileTheClientWasDownAreReloadedAndOthersAreNot(@TempDir Path var) throws Exception {
        ClientOptions options = Clients.persistent(Clients.options(server), var, "verified");
        try (ClientStorage writer = Clients.open(Clients.options(server))) {
            Map<Oid, String> objects = Clients.createObjects(writer, "v", WORKING_SET);
            List<Oid> oids = Clients.oids(objects);
            Tid loadedAt;
            try (ClientStorage first = Clients.open(options)) {
                objects.forEach((oid, v) -> assertThat(Clients.current(first, oid)).isEqualTo(v));
                assertThat(first.networkLoads()).isEqualTo(WORKING_SET);
                loadedAt = first.lastTransaction();
            }

            // While the client is down: three transactions change 7 of its objects (one of them twice), and a
            // fourth creates objects it never saw.
            Map<Oid, String> expected = new LinkedHashMap<>(objects);
            List<Map<Oid, String>> changes = List.of(
                    Map.of(oids.get(3), "v-3 changed", oids.get(10), "v-10 changed", oids.get(11), "v-11 changed"),
                    Map.of(oids.get(20), "v-20 changed", oids.get(3), "v-3 changed again"),
                    Map.of(oids.get(40), "v-40 changed", oids.get(41), "v-41 changed", oids.get(59),
                            "v-59 changed"));
            Tid last = null;
            for (Map<Oid, String> change : changes) {
                last = Clients.change(writer, change);
                expected.putAll(change);
            }
            Set<Oid> created = Clients.createObjects(writer, "unrelated", 3).keySet();
            Set<Oid> changed = new HashSet<>();
            changes.forEach(c -> changed.addAll(c.keySet()));
            assertThat(changed).hasSize(7);
            assertThat(last).isGreaterThan(loadedAt);

            DiskCache cache = Clients.openCache(options);
            assertThat(cache.openReport().outcome()).isEqualTo(OpenReport.Outcome.REUSED);
            assertThat(cache.entryCount()).isEqualTo(WORKING_SET);
            EventRecorder events = new EventRecorder();
            try (ClientStorage restarted = Clients.open(options, cache, events)) {
                // Verification dropped exactly the changed objects and told the listeners of every oid the
                // server reported (the new objects too: the client cannot know it never saw them).
                assertThat(events.events(EventRecorder.CacheDropped.class)).isEmpty();
                List<EventRecorder.Invalidated> invalidated = events.events(EventRecorder.Invalidated.class);
                assertThat(invalidated).hasSize(1);
                Set<Oid> reported = new HashSet<>(changed);
                reported.addAll(created);
                assertThat(invalidated.get(0).oids()).containsExactlyInAnyOrderElementsOf(reported);
                assertThat(invalidated.get(0).tid()).isEqualTo(writer.lastTransaction());
                assertThat(cache.entryCount()).isEqualTo(WORKING_SET - changed.size());
                assertThat(restarted.lastTransaction()).isEqualTo(writer.lastTransaction());

                for (Oid oid : oids) {
                    long before = restarted.networkLoads();
                    assertThat(Clients.current(restarted, oid)).as("object %s", oid).isEqualTo(expected.get(oid));
                    assertThat(restarted.networkLoads() - before).as("network loads for %s", oid)
                            .isEqualTo(changed.contains(oid) ? 1 : 0);
                }
                assertThat(restarted.networkLoads()).isEqualTo(changed.size());
                assertThat(restarted.cacheStats().hits()).isEqualTo(WORKING_SET - changed.size());

                // Read again: now everything comes from the cache.
                expected.forEach((oid, v) -> assertThat(Clients.current(restarted, oid)).isEqualTo(v));
                assertThat(restarted.networkLoads()).isEqualTo(changed.size());
            }
        }
    }
}
