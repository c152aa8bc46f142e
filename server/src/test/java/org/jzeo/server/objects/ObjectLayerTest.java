package org.jzeo.server.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Revision;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.objects.Lazy;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.codec.ForbiddenClassException;
import org.jzeo.server.objects.Shop.Customer;
import org.jzeo.server.objects.Shop.Order;
import org.jzeo.server.objects.Shop.Tally;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The object layer over a real storage in this JVM (MemoryStorage through the embedded connection factory):
 * persistence by reachability, changes found at commit, one instance per oid, refresh in place, abort, lazy
 * references, conflicts merged, retries, transaction metadata and undo, the allow-list.
 */
class ObjectLayerTest {
    private final MemoryStorage storage = new MemoryStorage("1");
    private final EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(storage, true);
    private final ObjectDatabase db = ObjectDatabase.over(factory, Shop.TYPES);

    @AfterEach
    void close() {
        factory.close();
    }

    private Customer annWithTwoOrders() {
        Customer ann = new Customer("Ann");
        ann.orders.add(new Order("book", 1250));
        ann.orders.add(new Order("pen", 199));
        return ann;
    }

    @Test
    void objectsReachableFromTheRootAreStoredEachAsItsOwnRecord() {
        db.run(conn -> conn.root().put("ann", annWithTwoOrders()));

        try (ObjectConnection conn = db.open()) {
            Customer ann = (Customer) conn.root().get("ann");
            assertThat(ann.name).isEqualTo("Ann");
            assertThat(ann.orders).extracting(o -> o.item).containsExactly("book", "pen");
            Oid annOid = Persistent.oidOf(ann);
            assertThat(List.of(annOid, Persistent.oidOf(ann.orders.get(0)), Persistent.oidOf(ann.orders.get(1))))
                    .doesNotHaveDuplicates().doesNotContainNull();
            assertThat(conn.storage().read(annOid).references())
                    .as("references come from the object graph, so pack's GC sees them")
                    .containsExactly(Persistent.oidOf(ann.orders.get(0)), Persistent.oidOf(ann.orders.get(1)));
        }
    }

    @Test
    void aChangedObjectIsStoredWithoutBeingToldToAndOthersSeeItAtTheirNextTransaction() {
        db.run(conn -> conn.root().put("ann", annWithTwoOrders()));
        try (ObjectConnection reader = db.open(); ObjectConnection writer = db.open()) {
            reader.begin();
            Customer seen = (Customer) reader.root().get("ann");
            Order firstSeen = seen.orders.get(0);

            writer.begin();
            Customer ann = (Customer) writer.root().get("ann");
            ann.credit = new BigDecimal("10.00");
            ann.orders.get(0).cents = 999;
            ann.orders.add(new Order("ink", 50));
            writer.commit();

            assertThat(seen.credit).as("same transaction, same snapshot").isEqualByComparingTo("0");
            reader.commit();
            reader.begin();
            assertThat(reader.root().get("ann")).as("one instance per oid, refreshed in place").isSameAs(seen);
            assertThat(seen.credit).isEqualByComparingTo("10.00");
            assertThat(seen.orders).extracting(o -> o.item).containsExactly("book", "pen", "ink");
            assertThat(seen.orders.get(0)).isSameAs(firstSeen);
            assertThat(firstSeen.cents).as("no stale instance stays reachable").isEqualTo(999);
        }
    }

    @Test
    void oneInstancePerOidWithinAConnection() {
        db.run(conn -> {
            Customer ann = new Customer("Ann");
            Customer bob = new Customer("Bob");
            ann.friend = bob;
            bob.friend = ann;
            conn.root().put("ann", ann);
            conn.root().put("bob", bob);
        });
        try (ObjectConnection conn = db.open()) {
            Customer ann = (Customer) conn.root().get("ann");
            Customer bob = (Customer) conn.root().get("bob");
            assertThat(ann.friend).isSameAs(bob);
            assertThat(bob.friend).isSameAs(ann);
            assertThat(conn.get(Persistent.oidOf(ann))).isSameAs(ann);
        }
    }

    @Test
    void anAbortPutsChangedObjectsBackAndNewObjectsLoseTheirIdentity() {
        db.run(conn -> conn.root().put("ann", annWithTwoOrders()));
        try (ObjectConnection conn = db.open()) {
            conn.begin();
            Customer ann = (Customer) conn.root().get("ann");
            ann.name = "Anne";
            Order extra = new Order("lamp", 4000);
            ann.orders.add(extra);
            conn.root().put("bob", new Customer("Bob"));
            conn.abort();

            conn.begin();
            assertThat(conn.root().get("ann")).isSameAs(ann);
            assertThat(ann.name).isEqualTo("Ann");
            assertThat(ann.orders).hasSize(2);
            assertThat(conn.root()).doesNotContainKey("bob");
            assertThat(Persistent.oidOf(extra)).isNull();
            conn.abort();
        }
    }

    @Test
    void aFailedCommitLeavesNothingHalfSavedInMemory() {
        db.run(conn -> conn.root().put("ann", annWithTwoOrders()));
        try (ObjectConnection first = db.open(); ObjectConnection second = db.open()) {
            first.begin();
            second.begin();
            ((Customer) first.root().get("ann")).name = "first";
            Customer seenBySecond = (Customer) second.root().get("ann");
            seenBySecond.name = "second";
            first.commit();

            assertThatThrownBy(second::commit).isInstanceOf(ConflictException.class)
                    .satisfies(e -> assertThat(((ConflictException) e).isRetryable()).isTrue());
            second.begin();
            assertThat(seenBySecond.name).isEqualTo("first");
            second.abort();
        }
    }

    @Test
    void aLazyReferenceLoadsOnlyWhenUsed() {
        db.run(conn -> {
            Customer ann = new Customer("Ann");
            Customer bob = annWithTwoOrders();
            bob.name = "Bob";
            ann.referrer = Lazy.of(bob);
            conn.root().put("ann", ann);
        });
        try (ObjectConnection warm = db.open(); ObjectConnection conn = db.open()) {
            Customer ann = (Customer) conn.root().get("ann");
            long missesBefore = conn.cacheStats().misses();
            Lazy<Customer> referrer = ann.referrer;
            assertThat(referrer.oid()).isNotNull();
            assertThat(conn.cacheStats().misses()).as("nothing loaded yet").isEqualTo(missesBefore);

            Customer bob = referrer.get();
            assertThat(bob.name).isEqualTo("Bob");
            assertThat(conn.cacheStats().misses()).as("Bob and his two orders").isEqualTo(missesBefore + 3);
            assertThat(referrer.get()).isSameAs(bob);
        }
    }

    @Test
    void aLazyReferenceToANewObjectWhoseCommitFailedStillHoldsTheObjectNotTheOidItWasLent() {
        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        try (ObjectConnection a = db.open(); ObjectConnection b = db.open()) {
            a.begin();
            b.begin();
            Customer bob = new Customer("Bob");
            Lazy<Customer> toBob = Lazy.of(bob);
            a.root().put("bob", bob); // the root is written first: Bob has his oid when Ann's reference is written
            ((Customer) a.root().get("ann")).referrer = toBob;
            ((Customer) b.root().get("ann")).name = "Anne";
            b.commit();

            assertThatThrownBy(a::commit).isInstanceOf(ConflictException.class);

            assertThat(Persistent.oidOf(bob)).as("the failed commit took Bob's oid back").isNull();
            assertThat(toBob.oid()).isNull();
            assertThat(toBob.get()).isSameAs(bob);
            a.begin();
            ((Customer) a.root().get("ann")).referrer = toBob;
            a.commit();
        }
        db.run(conn -> assertThat(((Customer) conn.root().get("ann")).referrer.get().name).isEqualTo("Bob"));
    }

    @Test
    void theCacheKeepsAtMostItsSizeBetweenTransactionsAndAPooledConnectionKeepsItsObjects() {
        ObjectDatabase small = ObjectDatabase.builder(factory, Shop.TYPES).cacheSize(5).build();
        small.run(conn -> {
            for (int i = 0; i < 20; i++) {
                conn.root().put("c" + i, new Customer("c" + i));
            }
        });
        try (ObjectConnection conn = small.open()) {
            conn.begin();
            for (int i = 0; i < 20; i++) {
                conn.root().get("c" + i);
            }
            assertThat(conn.cacheStats().held()).as("no eviction inside a transaction").isGreaterThanOrEqualTo(21);
            conn.commit();
            assertThat(conn.cacheStats().held()).isEqualTo(5);
            assertThat(conn.cacheStats().evictions()).isGreaterThanOrEqualTo(16);
        }
        long hits;
        try (ObjectConnection again = small.open()) {
            hits = again.cacheStats().hits();
            again.root().get("c19");
            assertThat(again.cacheStats().hits()).as("the pooled connection kept its cache").isGreaterThan(hits);
        }
    }

    @Test
    void concurrentIncrementsOfAnObjectThatResolvesConflictsAreMergedNotRetried() {
        db.run(conn -> conn.root().put("tally", new Tally()));
        try (ObjectConnection a = db.open(); ObjectConnection b = db.open()) {
            a.begin();
            b.begin();
            ((Tally) a.root().get("tally")).count += 3;
            ((Tally) b.root().get("tally")).count += 4;
            a.commit();
            b.commit();

            a.begin();
            assertThat(((Tally) a.root().get("tally")).count).isEqualTo(7);
            a.abort();
            b.begin();
            assertThat(((Tally) b.root().get("tally")).count).as("the merged state replaced b's own").isEqualTo(7);
            b.abort();
        }
    }

    @Test
    void theRetryHelperRunsTheUnitOfWorkAgainAfterAConflict() {
        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        AtomicInteger attempts = new AtomicInteger();
        String result = db.call(conn -> {
            Customer ann = (Customer) conn.root().get("ann");
            if (attempts.incrementAndGet() == 1) {
                db.run(other -> ((Customer) other.root().get("ann")).credit = BigDecimal.ONE);
            }
            ann.name = ann.name + "+";
            return ann.name;
        });
        assertThat(attempts).hasValue(2);
        assertThat(result).isEqualTo("Ann+");
        db.run(conn -> {
            Customer ann = (Customer) conn.root().get("ann");
            assertThat(ann.name).isEqualTo("Ann+");
            assertThat(ann.credit).isEqualByComparingTo("1");
        });
    }

    @Test
    void transactionInfoComesBackInHistoryAndTheUndoLogAndATransactionCanBeUndone() {
        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        Tid renamed;
        try (ObjectConnection conn = db.open()) {
            conn.begin();
            conn.setTransactionInfo("alice", "rename Ann", Map.of("ticket", "T-42"));
            ((Customer) conn.root().get("ann")).name = "Anne";
            renamed = conn.commit();
        }

        try (ObjectConnection conn = db.open()) {
            Customer ann = (Customer) conn.root().get("ann");
            List<Revision> history = conn.history(ann, 5);
            assertThat(history.get(0).tid()).isEqualTo(renamed);
            assertThat(history.get(0).user()).isEqualTo("alice");
            assertThat(history.get(0).description()).isEqualTo("rename Ann");
            TransactionInfo newest = conn.undoLog(0, 10).get(0);
            assertThat(newest.tid()).isEqualTo(renamed);
            assertThat(newest.extension()).containsEntry("ticket", "T-42");
            conn.abort();
        }
        db.run(conn -> conn.undo(renamed));
        db.run(conn -> assertThat(((Customer) conn.root().get("ann")).name).isEqualTo("Ann"));
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedAtCommitAndARecordNamingOneIsRefusedAtLoad() {
        class Unlisted extends Persistent {
        }
        assertThatThrownBy(() -> db.run(conn -> conn.root().put("x", new Unlisted())))
                .isInstanceOf(ForbiddenClassException.class).hasMessageContaining(Unlisted.class.getName());

        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        ObjectDatabase strict = ObjectDatabase.over(factory, ObjectTypes.of());
        try (ObjectConnection conn = strict.open()) {
            assertThatThrownBy(conn::root).as("the root's reference names the class")
                    .isInstanceOf(ForbiddenClassException.class).hasMessageContaining(Customer.class.getName());
        }
    }

    @Test
    void anObjectFromAnotherConnectionCannotBeLinkedIn() {
        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        try (ObjectConnection a = db.open(); ObjectConnection b = db.open()) {
            Customer annInA = (Customer) a.root().get("ann");
            b.begin();
            b.root().put("copy", annInA);
            assertThatThrownBy(b::commit).hasMessageContaining("belongs to another connection");
        }
    }

    @Test
    void readingAMissingOidIsAPosKeyError() {
        try (ObjectConnection conn = db.open()) {
            assertThatThrownBy(() -> conn.get(Oid.of(12345))).isInstanceOf(POSKeyException.class);
        }
    }

    /**
     * A connection that never hears of other transactions' changes (an invalidation still on its way when the next
     * transaction starts) still cannot write over them: its change is to an older revision than the snapshot's, so
     * the commit is a conflict (ZODB's store with an old _p_serial) and a retry reads the new state.
     */
    @Test
    void aChangeMadeToAnOutdatedStateIsAConflictNotALostUpdate() throws InterruptedException {
        // A cache size of its own: databases of equal settings share their sessions on a pooled connection.
        ObjectDatabase deafDb = ObjectDatabase.builder(deafToInvalidations(factory), Shop.TYPES).cacheSize(999).build();
        db.run(conn -> conn.root().put("ann", new Customer("Ann")));
        try (ObjectConnection deaf = deafDb.open()) {
            deaf.begin();
            Customer ann = (Customer) deaf.root().get("ann");
            deaf.commit();
            Thread other = new Thread(() -> db.run(conn ->
                    ((Customer) conn.root().get("ann")).credit = new BigDecimal("5.00")));
            other.start();
            other.join();

            deaf.begin();
            Customer same = (Customer) deaf.root().get("ann");
            assertThat(same).isSameAs(ann);
            assertThat(same.credit).as("not refreshed: the invalidation was not heard").isEqualByComparingTo("0");
            same.name = "Ann B";
            assertThatThrownBy(deaf::commit).isInstanceOf(org.jzeo.api.ConflictException.class);

            deaf.begin();
            Customer retried = (Customer) deaf.root().get("ann");
            assertThat(retried.credit).as("refreshed for the retry").isEqualByComparingTo("5.00");
            retried.name = "Ann B";
            deaf.commit();
        }
        db.run(conn -> {
            Customer ann = (Customer) conn.root().get("ann");
            assertThat(ann.credit).isEqualByComparingTo("5.00");
            assertThat(ann.name).isEqualTo("Ann B");
        });
    }

    /** Connections of {@code factory} whose transaction listeners are never told of invalidations. */
    private static org.jzeo.api.StorageConnectionFactory deafToInvalidations(
            org.jzeo.api.StorageConnectionFactory factory) {
        return () -> {
            org.jzeo.api.StorageConnection real = factory.getConnection();
            return (org.jzeo.api.StorageConnection) java.lang.reflect.Proxy.newProxyInstance(
                    ObjectLayerTest.class.getClassLoader(), new Class<?>[] {org.jzeo.api.StorageConnection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("setTransactionListener") && args[0] != null) {
                            org.jzeo.api.TransactionListener listener = (org.jzeo.api.TransactionListener) args[0];
                            args = new Object[] {new org.jzeo.api.TransactionListener() {
                                @Override
                                public void beforeCompletion() {
                                    listener.beforeCompletion();
                                }

                                @Override
                                public void afterCompletion(org.jzeo.api.TransactionListener.Completion completion,
                                                            org.jzeo.api.Tid tid) {
                                    listener.afterCompletion(completion, tid);
                                }
                            }};
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
    }
}
