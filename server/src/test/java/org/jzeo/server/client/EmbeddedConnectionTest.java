package org.jzeo.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.testsupport.RecordingTransactionListener.invalidated;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.memory.MemoryStorage;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.server.testsupport.CounterResolver;
import org.jzeo.server.testsupport.RecordingTransactionListener;
import org.jzeo.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The application API over a storage in this JVM, without a server ({@link EmbeddedConnectionFactory}): snapshots,
 * invalidations reaching the transaction listener, conflicts and their resolution, undo with transaction metadata,
 * attachments kept by pooled connections. Each behaviour is checked over a MemoryStorage and a FileStorage.
 */
class EmbeddedConnectionTest {
    @TempDir
    Path dir;

    enum Kind { MEMORY, FILE }

    private Storage open(Kind kind) {
        return switch (kind) {
            case MEMORY -> new MemoryStorage("1");
            case FILE -> FileStorage.open(dir.resolve("Data.fs"), FileStorageOptions.defaults(),
                    ReferenceScanner.finder());
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachTransactionReadsItsSnapshotWhileAnotherConnectionCommits(Kind kind) {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(open(kind), true);
             StorageConnection reader = factory.getConnection();
             StorageConnection writer = factory.getConnection()) {
            Oid x = create(writer, "x1");
            reader.begin();
            assertThat(text(reader.read(x))).isEqualTo("x1");
            Tid t2 = update(writer, x, "x2");
            assertThat(text(reader.read(x))).as("same transaction, same snapshot").isEqualTo("x1");
            reader.abort();
            reader.begin();
            assertThat(reader.read(x).serial()).isEqualTo(t2);
            assertThat(text(reader.read(x))).as("the next transaction sees the commit").isEqualTo("x2");
            reader.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void otherConnectionsCommitsReachTheListenerAtTheNextSnapshotButOwnWritesDoNot(Kind kind) {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(open(kind), true);
             StorageConnection mine = factory.getConnection();
             StorageConnection other = factory.getConnection()) {
            RecordingTransactionListener listener = new RecordingTransactionListener();
            mine.setTransactionListener(listener);
            Oid x = create(other, "x1");
            Oid y = create(other, "y1");

            mine.begin();
            assertThat(listener.take()).as("the new snapshot, with the other connection's two commits")
                    .containsExactly(invalidated(x, y));
            mine.write(x, bytes("mine"), List.of());
            Tid committed = mine.commit();
            assertThat(listener.take()).as("a local commit").containsExactly("before", "after COMMITTED " + committed);
            mine.begin();
            mine.abort();
            assertThat(listener.take()).as("own writes are not news").containsExactly("after ABORTED");

            update(other, y, "y2");
            mine.begin();
            assertThat(listener.take()).as("the other connection's commit, not my own write of x")
                    .containsExactly(invalidated(y));
            assertThat(text(mine.read(y))).isEqualTo("y2");
            mine.abort();
            assertThat(listener.take()).as("an abort").containsExactly("after ABORTED");
        }
    }

    @Test
    void whatTheListenerWritesAtBeforeCompletionIsCommittedEvenWithoutOtherWrites() {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(new MemoryStorage("1"), true);
             StorageConnection c = factory.getConnection();
             StorageConnection reader = factory.getConnection()) {
            Oid x = create(c, "x1");
            RecordingTransactionListener listener = new RecordingTransactionListener();
            c.setTransactionListener(listener);
            c.begin();
            listener.atBeforeCompletion = () -> c.write(x, bytes("written by the listener"), List.of());
            Tid tid = c.commit();
            assertThat(listener.take()).containsExactly("before", "after COMMITTED " + tid);
            assertThat(tid).as("a real commit, not the snapshot's tid").isEqualTo(factory.storage().lastTransaction());
            reader.begin();
            assertThat(text(reader.read(x))).isEqualTo("written by the listener");
            reader.abort();
        }
    }

    @Test
    void aListenerFailingBeforeCompletionFailsTheCommit() {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(new MemoryStorage("1"), true);
             StorageConnection c = factory.getConnection()) {
            Oid x = create(c, "x1");
            RecordingTransactionListener listener = new RecordingTransactionListener();
            c.setTransactionListener(listener);
            c.begin();
            c.write(x, bytes("x2"), List.of());
            listener.take();
            listener.atBeforeCompletion = () -> {
                throw new IllegalStateException("the object layer cannot write its changes");
            };
            assertThatThrownBy(c::commit).hasMessageContaining("cannot write its changes");
            assertThat(listener.take()).containsExactly("before", "after ABORTED");
            assertThat(c.inTransaction()).isFalse();
            c.begin();
            assertThat(text(c.read(x))).as("nothing was committed").isEqualTo("x1");
            c.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConflictFailsTheCommitWithoutAResolver(Kind kind) {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(open(kind), true);
             StorageConnection a = factory.getConnection();
             StorageConnection b = factory.getConnection()) {
            Oid x = create(a, "10");
            RecordingTransactionListener listener = new RecordingTransactionListener();
            b.setTransactionListener(listener);
            b.begin();
            listener.take();
            b.write(x, bytes("15"), List.of());
            Tid theirs = update(a, x, "13");
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class)
                    .satisfies(e -> assertThat(((ConflictException) e).committedSerial()).isEqualTo(theirs));
            assertThat(listener.take()).containsExactly("before", "after ABORTED");
            assertThat(b.inTransaction()).isFalse();
            b.begin();
            assertThat(text(b.read(x))).as("the failed commit wrote nothing").isEqualTo("13");
            b.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aResolverMergesConcurrentIncrementsOfACounter(Kind kind) {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(open(kind), true);
             StorageConnection a = factory.getConnection();
             StorageConnection b = factory.getConnection()) {
            Oid counter = create(a, "10");
            CounterResolver resolver = new CounterResolver();
            b.setConflictResolver(resolver);
            RecordingTransactionListener listener = new RecordingTransactionListener();
            b.setTransactionListener(listener);

            b.begin();
            assertThat(text(b.read(counter))).isEqualTo("10");
            b.write(counter, bytes("15"), List.of()); // +5
            update(a, counter, "13"); // +3, committed meanwhile
            Tid merged = b.commit();

            assertThat(resolver.calls).isEqualTo(1);
            assertThat(factory.resolvedConflicts()).isEqualTo(1);
            a.begin();
            assertThat(text(a.read(counter))).as("both increments").isEqualTo("18");
            assertThat(a.read(counter).serial()).isEqualTo(merged);
            a.abort();
            listener.take();
            b.begin();
            assertThat(listener.take()).as("the merged state is not what b wrote: b must reload it")
                    .containsExactly(invalidated(counter));
            assertThat(text(b.read(counter))).isEqualTo("18");
            b.abort();
        }
    }

    @Test
    void aResolverThatCannotMergeFailsTheCommitWithAConflict() {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(new MemoryStorage("1"), true);
             StorageConnection a = factory.getConnection();
             StorageConnection b = factory.getConnection()) {
            Oid x = create(a, "not a number");
            b.setConflictResolver(new CounterResolver());
            b.begin();
            b.write(x, bytes("mine"), List.of());
            update(a, x, "theirs");
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("could not merge");
            assertThat(factory.resolvedConflicts()).isZero();
            // The storage transaction was aborted: its locks are gone, another commit of x goes through.
            update(a, x, "after");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void undoWithTransactionMetadataShowsInTheUndoLogAndHistory(Kind kind) {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(open(kind), true);
             StorageConnection a = factory.getConnection();
             StorageConnection b = factory.getConnection()) {
            Oid x = create(a, "before");
            a.begin();
            a.write(x, bytes("mistake"), List.of());
            a.setTransactionInfo("alice", "set x by mistake", Map.of("app", "test", "n", 2L,
                    "tags", List.of("a", "b")));
            Tid mistake = a.commit();

            List<TransactionInfo> log = a.undoLog(0, 10);
            assertThat(log).as("newest first").isNotEmpty();
            TransactionInfo newest = log.get(0);
            assertThat(newest.tid()).isEqualTo(mistake);
            assertThat(newest.user()).isEqualTo("alice");
            assertThat(newest.description()).isEqualTo("set x by mistake");
            assertThat(newest.extension()).containsEntry("app", "test").containsEntry("tags", List.of("a", "b"));
            assertThat(((Number) newest.extension().get("n")).longValue()).isEqualTo(2L);
            Revision revision = a.history(x, 1).get(0);
            assertThat(revision.tid()).isEqualTo(mistake);
            assertThat(revision.user()).isEqualTo("alice");
            assertThat(revision.description()).isEqualTo("set x by mistake");

            RecordingTransactionListener listener = new RecordingTransactionListener();
            b.setTransactionListener(listener);
            b.begin();
            assertThat(text(b.read(x))).isEqualTo("mistake");
            b.undo(mistake);
            b.setTransactionInfo("bob", "undo the mistake", Map.of());
            Tid undo = b.commit();
            listener.take();
            b.begin();
            assertThat(listener.take()).as("the undo changed x under b's feet").containsExactly(invalidated(x));
            assertThat(text(b.read(x))).isEqualTo("before");
            b.abort();
            assertThat(b.undoLog(0, 1).get(0)).satisfies(e -> {
                assertThat(e.tid()).isEqualTo(undo);
                assertThat(e.user()).isEqualTo("bob");
            });
        }
    }

    @Test
    void anExtensionValueAPickleCannotHoldIsRefusedAtOnce() {
        try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(new MemoryStorage("1"), true);
             StorageConnection c = factory.getConnection()) {
            c.begin();
            assertThatThrownBy(() -> c.setTransactionInfo("u", "d", Map.of("when", java.time.Instant.EPOCH)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("when");
            assertThatThrownBy(() -> c.setTransactionInfo("u", "d", Map.of("nested", List.of(new Object()))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested");
            c.abort();
            assertThatThrownBy(() -> c.setTransactionInfo("u", "d", Map.of()))
                    .as("outside a transaction").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void attachmentsStayWithAPooledConnectionAndGoWithADiscardedOne() {
        try (EmbeddedConnectionFactory pooled = new EmbeddedConnectionFactory(new MemoryStorage("1"), true)) {
            StorageConnection first = pooled.getConnection();
            List<String> cache = first.attachment("cache", ArrayList::new);
            cache.add("kept");
            first.close();
            StorageConnection again = pooled.getConnection();
            assertThat(again).as("the pool hands the connection back").isSameAs(first);
            assertThat(again.<List<String>>attachment("cache", ArrayList::new)).isSameAs(cache).containsExactly("kept");
            again.close();
        }
        try (EmbeddedConnectionFactory unpooled = new EmbeddedConnectionFactory(new MemoryStorage("1"), true, 0,
                100)) {
            StorageConnection first = unpooled.getConnection();
            first.<List<String>>attachment("cache", ArrayList::new).add("dropped");
            first.close();
            StorageConnection next = unpooled.getConnection();
            assertThat(next).isNotSameAs(first);
            assertThat(next.<List<String>>attachment("cache", ArrayList::new)).as("a fresh connection").isEmpty();
            next.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Oid create(StorageConnection c, String text) {
        c.begin();
        Oid oid = c.newOid();
        c.write(oid, bytes(text), List.of());
        c.commit();
        return oid;
    }

    private static Tid update(StorageConnection c, Oid oid, String text) {
        c.begin();
        c.write(oid, bytes(text), List.of());
        return c.commit();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(StoredObject o) {
        return new String(o.payload(), StandardCharsets.UTF_8);
    }
}
