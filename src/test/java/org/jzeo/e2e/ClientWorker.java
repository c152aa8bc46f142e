package org.jzeo.e2e;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * A client for {@link ClientKillTest}, run in its own JVM: with a persistent cache it commits and loads in a
 * loop until it is killed. Arguments: server address, var folder, client name, cache size, seed, then the oids
 * (hex) to work on. Prints {@code ready} once connected and {@code committed N} after each commit.
 */
public final class ClientWorker {
    private ClientWorker() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        ClientOptions options = ClientOptions.of(args[0]).withClient(args[2]).withVar(Path.of(args[1]))
                .withCacheSize(Long.parseLong(args[3])).withDisconnectPoll(Duration.ofMillis(100),
                        Duration.ofMillis(500));
        Random random = new Random(Long.parseLong(args[4]));
        List<Oid> oids = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            oids.add(Oid.fromHex(args[i]));
        }
        List<Tid> commits = new ArrayList<>();
        try (ClientStorage storage = new ClientStorage(options)) {
            out.println("ready");
            out.flush();
            for (long n = 1; ; ) {
                Oid oid = oids.get(random.nextInt(oids.size()));
                int action = random.nextInt(10);
                if (action < 4) {
                    LoadResult current = storage.loadBefore(oid, storage.lastTransaction().next());
                    StorageTransaction txn = storage.begin(TransactionMetadata.empty());
                    // Sizes vary so that records move around the file and evict each other.
                    String value = oid + " commit " + n + " " + "x".repeat(random.nextInt(3000));
                    txn.store(oid, current.start(), Clients.record(value));
                    txn.vote();
                    commits.add(txn.finish());
                    out.println("committed " + n++);
                    out.flush();
                } else if (action < 8 || commits.isEmpty()) {
                    storage.loadBefore(oid, storage.lastTransaction().next());
                } else {
                    // An older revision: the cache keeps non-current records too.
                    Tid at = commits.get(random.nextInt(commits.size()));
                    try {
                        storage.loadBefore(oid, at);
                    } catch (org.jzeo.api.POSKeyException e) {
                        // no revision before that tid
                    }
                }
            }
        } catch (Throwable e) {
            e.printStackTrace(out);
            out.println("failed " + e);
            out.flush();
            System.exit(2);
        }
    }
}
