package org.jzeo.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jzeo.bench.server.ZeoRequests;
import org.jzeo.server.cli.AdminConnection;

/**
 * The objects a storage was populated with, and each one's current serial. Workers that update objects keep the
 * serials current; each index is only ever updated by one worker at a time (disjoint objects per connection), and
 * phases are joined before the next starts, so plain arrays suffice.
 */
final class Population {
    private static final byte[] USER = "clusterbench".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DESC = "add".getBytes(StandardCharsets.UTF_8);

    final byte[][] oids;
    final byte[][] serials;
    final int size;

    private Population(int objects, int size) {
        this.oids = new byte[objects][];
        this.serials = new byte[objects][];
        this.size = size;
    }

    /** Adds {@code objects} objects of {@code size} bytes via {@code address}, {@code perTxn} at once. */
    static Population create(InetSocketAddress address, int objects, int size, int perTxn, Duration timeout)
            throws IOException {
        Population p = new Population(objects, size);
        byte[] data = ZeoRequests.record(size, 1);
        long start = System.nanoTime();
        int txns = 0;
        try (AdminConnection client = Connections.open(address, timeout)) {
            List<byte[]> pool = new ArrayList<>();
            for (int created = 0; created < objects; ) {
                int n = Math.min(perTxn, objects - created);
                ZeoRequests.addObjects(client, pool, p.oids, p.serials, created, n, ++txns, USER, DESC, data);
                created += n;
            }
        }
        System.out.printf(Locale.ROOT, "# populated %,d objects of %d bytes in %d transactions, %.2f s%n", objects,
                size, txns, (System.nanoTime() - start) / 1e9);
        return p;
    }

    int count() {
        return oids.length;
    }
}
