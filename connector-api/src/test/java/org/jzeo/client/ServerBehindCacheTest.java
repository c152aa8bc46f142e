package org.jzeo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.DiskCache;
import org.junit.jupiter.api.Test;

/**
 * A server whose last transaction is older than the client cache's has lost transactions or is another database:
 * the client refuses it (client-cache spec §7), keeps polling, and says why to whoever asks for data.
 */
class ServerBehindCacheTest {
    private static final Tid SERVER_TID = Tid.fromHex("03e8000000000001");
    private static final Tid CACHE_TID = Tid.fromHex("03e8000000000005");

    @Test
    void aServerBehindTheCacheIsRefusedAndPolledAgain() throws Exception {
        DiskCache cache = DiskCache.temporary(1 << 20);
        cache.store(Oid.of(1), Tid.fromHex("03e8000000000004"), null, "cached".getBytes());
        cache.setLastTid(CACHE_TID);
        try (ScriptedServer server = new ScriptedServer(SERVER_TID);
             ClientStorage client = new ClientStorage(ClientOptions.of(server.address())
                     .withWait(false, Duration.ofSeconds(1))
                     .withDisconnectPoll(Duration.ofMillis(50), Duration.ofMillis(100)), cache)) {
            Await.until(() -> server.registrations() >= 2, "the client to register, refuse and try again");
            assertThat(client.isConnected()).isFalse();
            assertThat(client.lastTransaction()).as("the cache keeps its last tid").isEqualTo(CACHE_TID);
            assertThat(new String(client.loadBefore(Oid.of(1), CACHE_TID.next()).data()))
                    .as("cached data is still served while disconnected").isEqualTo("cached");
            assertThatThrownBy(() -> client.loadBefore(Oid.of(2), CACHE_TID.next()))
                    .isInstanceOf(DisconnectedException.class)
                    .hasMessageContaining(server.address())
                    .hasMessageContaining("out of sync");
        }
    }
}
