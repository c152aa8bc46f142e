package org.jzeo.server.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.objects.Counter;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.PersistentMap;
import org.jzeo.objects.PersistentSortedMap;
import org.jzeo.objects.TreeInspection;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tree stored through the object layer in a real storage (MemoryStorage through the embedded connection
 * factory): one record per bucket and node, loaded on demand; a change rewrites one bucket and the counter;
 * concurrent transactions changing distinct keys of one bucket both commit through the bucket's and the counter's
 * conflict resolution, and the rest conflict.
 *
 * <p>Each "session" is a new connection (the factory pools none), so it starts with a cold object cache. Which
 * records a session read is recorded on its way through to the real connection; which records a commit wrote is
 * what the storage holds for the commit's transaction.
 */
class PersistentSortedMapStoredTest {
    private static final int BUCKET = 4;
    private static final int NODE = 4;

    private final MemoryStorage storage = new MemoryStorage("1");
    /** No pooling: every connection is new, with empty caches. */
    private final EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(storage, true, 0, 10_000);
    /** The oids the object layer read through its storage connections, in order. */
    private final List<Oid> reads = new ArrayList<>();
    private final ObjectDatabase db = ObjectDatabase.over(recordingReads(factory), ObjectTypes.of());
    private final List<ObjectConnection> opened = new ArrayList<>();
    private TreeMap<Integer, String> model;

    /** Connections of {@code real} whose reads are noted in {@link #reads}; everything else goes straight through. */
    private StorageConnectionFactory recordingReads(StorageConnectionFactory real) {
        return () -> {
            StorageConnection connection = real.getConnection();
            return (StorageConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {StorageConnection.class}, (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("read")) {
                            reads.add(((StoredObject) result).oid());
                        }
                        return result;
                    });
        };
    }

    @BeforeEach
    void storeATree() {
        model = new TreeMap<>();
        ObjectConnection s = session();
        PersistentSortedMap<Integer, String> map = TreeInspection.newMap(BUCKET, NODE);
        for (int i = 0; i < 200; i++) {
            map.put(i * 10, "v" + i);
            model.put(i * 10, "v" + i);
        }
        s.root().put("map", map);
        Tid tid = s.commit();
        assertThat(TreeInspection.height(map)).isGreaterThanOrEqualTo(3);
        assertThat(classesOf(written(tid))).as("one record per bucket and node")
                .containsOnlyOnce(PersistentMap.class, PersistentSortedMap.class, Counter.class)
                .filteredOn(c -> c == TreeInspection.BUCKET).hasSizeGreaterThanOrEqualTo(200 / BUCKET);
    }

    @AfterEach
    void close() {
        opened.forEach(ObjectConnection::close);
        factory.close();
    }

    @Test
    void afterTheCommitTheLinksToNewBucketsNoLongerHoldTheirTargets() {
        // A bucket that splits links to its new right sibling by a Lazy, which held the new bucket strongly until
        // next used: an insert-only workload kept every bucket in memory, past the cache size.
        ObjectConnection first = session();
        first.root().put("other", TreeInspection.newMap(BUCKET, NODE));
        first.commit();
        int checked = 0;
        for (int t = 0; t < 20; t++) { // each transaction splits buckets made by earlier ones
            ObjectConnection s = session();
            @SuppressWarnings("unchecked")
            PersistentSortedMap<Integer, String> other = (PersistentSortedMap<Integer, String>) s.root().get("other");
            for (int i = t * 5; i < t * 5 + 5; i++) {
                other.put(i, "v" + i);
            }
            s.commit();
            List<Boolean> holding = TreeInspection.linksHoldingTheirTarget(other);
            assertThat(holding).as("links after transaction %d", t).doesNotContain(true);
            checked += holding.size();
        }
        assertThat(checked).isGreaterThan(20);
    }

    /** A new connection (cold caches) in a new transaction. */
    private ObjectConnection session() {
        ObjectConnection c = db.open();
        opened.add(c);
        c.begin();
        return c;
    }

    @SuppressWarnings("unchecked")
    private static PersistentSortedMap<Integer, String> map(ObjectConnection s) {
        return (PersistentSortedMap<Integer, String>) s.root().get("map");
    }

    /** The oids of the records the storage holds for transaction {@code tid}. */
    private List<Oid> written(Tid tid) {
        List<Oid> oids = new ArrayList<>();
        try (StorageIterator it = storage.iterator(tid, tid)) {
            while (it.hasNext()) {
                TransactionRecord t = it.next();
                assertThat(t.tid()).isEqualTo(tid);
                t.records().stream().map(DataRecord::oid).forEach(oids::add);
            }
        }
        assertThat(oids).as("transaction %s is in the storage", tid).isNotEmpty();
        return oids;
    }

    /** The classes of these records' latest states, read through a connection of their own. */
    private List<Class<?>> classesOf(Collection<Oid> oids) {
        List<Class<?>> classes = new ArrayList<>();
        try (StorageConnection c = factory.getConnection()) {
            c.begin();
            for (Oid oid : oids) {
                classes.add(TreeInspection.classOf(c.read(oid).payload()));
            }
            c.abort();
        }
        return classes;
    }

    @Test
    void bucketsAndNodesAreLoadedOnDemand() {
        ObjectConnection s = session();
        reads.clear();
        PersistentSortedMap<Integer, String> map = map(s);
        assertThat(classesOf(reads)).as("the root, the map and its counter; no node or bucket yet")
                .containsExactlyInAnyOrder(PersistentMap.class, PersistentSortedMap.class, Counter.class);
        assertThat(map.size()).isEqualTo(200);
        assertThat(reads).hasSize(3);
        int height = TreeInspection.height(map);
        reads.clear();
        assertThat(map.get(1230)).isEqualTo("v123");
        assertThat(reads).as("one path from the top").hasSizeLessThanOrEqualTo(height);
        assertThat(map.subMap(500, 600)).isEqualTo(model.subMap(500, 600));
        assertThat(map).isEqualTo(model);
        TreeInspection.checkTree(map, BUCKET, NODE);
    }

    @Test
    void aChangeRewritesItsBucketAndTheCounterNotTheMap() {
        ObjectConnection s = session();
        PersistentSortedMap<Integer, String> map = map(s);
        int key = keyWithRoomInItsBucket(map);
        map.put(key, "new");
        Tid first = s.commit();
        assertThat(classesOf(written(first))).containsExactlyInAnyOrder(TreeInspection.BUCKET, Counter.class);

        ObjectConnection t = session();
        map(t).put(1230, "changed"); // a value change: the bucket alone
        Tid second = t.commit();
        assertThat(classesOf(written(second))).containsExactly(TreeInspection.BUCKET);
    }

    @Test
    void concurrentChangesOfDistinctKeysInOneBucketBothCommit() {
        ObjectConnection a = session();
        ObjectConnection b = session();
        int key = keyWithRoomInItsBucket(map(a));
        // The stored keys are multiples of 10 and the bucket holds at most BUCKET - 2, so neither side splits it:
        // a inserts key (x3), b removes x0 and inserts x1 and x2 (the merge holds at most BUCKET entries).
        int existing = key - key % 10;
        map(a).put(key, "from a");
        map(b).remove(existing);
        map(b).put(existing + 1, "from b");
        map(b).put(existing + 2, "from b");
        a.commit();
        Tid merged = b.commit();
        assertThat(classesOf(written(merged))).containsExactlyInAnyOrder(TreeInspection.BUCKET, Counter.class);
        model.put(key, "from a");
        model.remove(existing);
        model.put(existing + 1, "from b");
        model.put(existing + 2, "from b");

        ObjectConnection c = session();
        PersistentSortedMap<Integer, String> mergedMap = map(c);
        assertThat(mergedMap).isEqualTo(model);
        assertThat(mergedMap.size()).as("the counters' changes added up").isEqualTo(model.size());
        TreeInspection.checkTree(mergedMap, BUCKET, NODE);
    }

    @Test
    void concurrentChangesOfTheSameKeyConflict() {
        ObjectConnection a = session();
        ObjectConnection b = session();
        map(a).put(5, "a");
        map(b).put(5, "b");
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);

        ObjectConnection c = session();
        assertThat(map(c).get(5)).isEqualTo("a");
        assertThat(map(c).size()).isEqualTo(201);
    }

    @Test
    void aConcurrentSplitConflicts() {
        ObjectConnection a = session();
        ObjectConnection b = session();
        int key = keyWithRoomInItsBucket(map(a));
        int base = key - key % 10;
        // a fills the bucket past its size (a split); b changes another key of it.
        for (int i = 1; i <= BUCKET; i++) {
            map(a).put(base + i, "a" + i);
        }
        map(b).put(base, "b");
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        TreeInspection.checkTree(map(session()), BUCKET, NODE);
    }

    @Test
    void removalsThatUnlinkBucketsAreStoredAndAFreshSessionSeesASoundTree() {
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 6; round++) {
            ObjectConnection s = session();
            PersistentSortedMap<Integer, String> map = map(s);
            for (int i = 0; i < 30; i++) {
                Integer key = 10 * random.nextInt(200);
                assertThat(map.remove(key)).isEqualTo(model.remove(key));
            }
            map.headMap(100 * round).clear();
            model.headMap(100 * round).clear();
            s.commit();
            ObjectConnection fresh = session();
            assertThat(map(fresh)).isEqualTo(model);
            assertThat(map(fresh).size()).isEqualTo(model.size());
            TreeInspection.checkTree(map(fresh), BUCKET, NODE);
        }
        ObjectConnection s = session();
        map(s).clear();
        s.commit();
        ObjectConnection fresh = session();
        assertThat(map(fresh)).isEmpty();
        assertThat(map(fresh).size()).isZero();
    }

    /** A new key (ending in 3) whose bucket holds at most {@code BUCKET - 2} entries. */
    private static int keyWithRoomInItsBucket(PersistentSortedMap<Integer, String> map) {
        for (int k = 3; ; k += 10) {
            if (TreeInspection.bucketSizeFor(map, k) < BUCKET - 1) {
                return k;
            }
        }
    }
}
