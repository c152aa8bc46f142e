package org.jzeo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.cache.DiskCache;
import org.jzeo.protocol.WireMessage;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.RepeatedTest;

/**
 * ZEO's issues 155/166: a load reply computed before transaction T, followed on the wire by T's invalidation, must
 * be applied to the cache first. A client that stored the reply on the application thread after the I/O thread
 * had already applied the invalidation would keep the old revision as current and serve it forever. The scripted
 * server sends both messages in one TCP write, so they arrive in the same read.
 */
class LoadReplyOrderingTest {
    private static final Oid X = Oid.of(7);
    private static final Tid T1 = Tid.fromHex("03e8000000000001");
    private static final Tid T2 = Tid.fromHex("03e8000000000002");

    @RepeatedTest(5)
    void anInvalidationArrivingRightAfterALoadReplyEndsTheLoadedRevision() throws Exception {
        try (ScriptedServer server = new ScriptedServer(T1);
             ClientStorage client = new ClientStorage(ClientOptions.of(server.address())
                     .withWait(true, Duration.ofSeconds(30)), DiskCache.temporary(1 << 20))) {
            CompletableFuture<LoadResult> firstLoad = CompletableFuture.supplyAsync(
                    () -> client.loadBefore(X, T1.next()));
            WireMessage load = server.nextCall();
            assertThat(load.name()).isEqualTo("loadBefore");
            server.sendTogether(
                    server.reply(load, java.util.Arrays.asList("old".getBytes(), T1.toBytes(), null)),
                    server.callback("invalidateTransaction", T2.toBytes(), List.of(X.toBytes())));
            assertThat(new String(firstLoad.get().data())).isEqualTo("old");
            Await.until(() -> client.lastTransaction().equals(T2), "the invalidation of T2 to be applied");

            CompletableFuture<LoadResult> secondLoad = CompletableFuture.supplyAsync(
                    () -> client.loadBefore(X, T2.next()));
            WireMessage reload = server.nextCall();
            assertThat(reload.name()).as("the old revision is no longer current: the client must ask again")
                    .isEqualTo("loadBefore");
            server.sendTogether(server.reply(reload, java.util.Arrays.asList("new".getBytes(), T2.toBytes(), null)));
            assertThat(new String(secondLoad.get().data())).isEqualTo("new");
            assertThat(new String(client.loadBefore(X, T2).data())).as("the old revision is still right for T1")
                    .isEqualTo("old");
        }
    }
}
