package org.jzeo.bench.objects;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.PersistentList;
import org.jzeo.server.storage.memory.MemoryStorage;

/**
 * What finding changes at commit costs per object the connection holds: N objects are loaded into one connection,
 * then transactions that change nothing (or one object) are committed and timed; the time divided by N is the
 * comparison's cost per loaded object. Two classes: one whose fields are all immutable values (compared field by
 * field, by reference) and one holding a mutable list (compared by re-encoding its state). Also prints the heap
 * each cached object takes. Embedded MemoryStorage: no network, so the figure is the object layer's own.
 *
 * <p>{@code java -cp bench/target/jzeo-benchmarks.jar org.jzeo.bench.objects.ChangeDetectionCost [objects]}
 */
public final class ChangeDetectionCost {
    /** zodbshootout's object: one 128-character string. */
    public static final class Immutable extends Persistent {
        String data;

        Immutable() {
        }
    }

    /** A typical entity with a mutable field: a list of tags. */
    public static final class WithList extends Persistent {
        String name;
        long cents;
        List<String> tags = new ArrayList<>();

        WithList() {
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        measure("all-immutable fields", n, i -> {
            Immutable o = new Immutable();
            o.data = "x".repeat(120) + String.format("%08d", i);
            return o;
        }, o -> ((Immutable) o).data = ((Immutable) o).data + "!");
        measure("a mutable list field ", n, i -> {
            WithList o = new WithList();
            o.name = "customer " + i;
            o.cents = i;
            o.tags.add("gold");
            o.tags.add("eu");
            return o;
        }, o -> ((WithList) o).tags.add("changed"));
    }

    private static void measure(String label, int n, java.util.function.IntFunction<Persistent> make,
                                java.util.function.Consumer<Persistent> change) {
        ObjectTypes types = ObjectTypes.of(Immutable.class, WithList.class);
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(new MemoryStorage("1"), true)) {
            ObjectDatabase db = ObjectDatabase.builder(factory, types).cacheSize(n + 10).build();
            db.run(conn -> {
                PersistentList<Persistent> all = new PersistentList<>();
                for (int i = 0; i < n; i++) {
                    all.add(make.apply(i));
                }
                conn.root().put("all", all);
            });
            try (ObjectConnection warmer = db.open(); ObjectConnection conn = db.open()) {
                conn.begin();
                @SuppressWarnings("unchecked")
                PersistentList<Persistent> all = (PersistentList<Persistent>) conn.root().get("all");
                long heapBefore = settledHeap();
                List<Persistent> held = new ArrayList<>(all);
                long perObject = (settledHeap() - heapBefore - 16L * n) / n;
                held.clear();
                conn.commit();
                int rounds = 50;
                for (int warm = 0; warm < 2; warm++) {
                    long t0 = System.nanoTime();
                    for (int r = 0; r < rounds; r++) {
                        conn.begin();
                        conn.commit();
                    }
                    long idle = (System.nanoTime() - t0) / rounds;
                    t0 = System.nanoTime();
                    for (int r = 0; r < rounds; r++) {
                        conn.begin();
                        change.accept(all.get(r));
                        conn.commit();
                    }
                    long oneChange = (System.nanoTime() - t0) / rounds;
                    if (warm == 1) {
                        System.out.printf("%s: %,d objects held; commit with no change %,d µs (%.0f ns per held"
                                        + " object); commit changing one object %,d µs%n", label, n, idle / 1000,
                                (double) idle / n, oneChange / 1000);
                    }
                }
                System.out.printf("%s: heap per held object about %,d bytes (its fields, its saved state bytes,"
                        + " its field snapshot and the cache's entries)%n", label, perObject);
            }
        }
    }

    /** Used heap after collections have stopped freeing anything. */
    private static long settledHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
