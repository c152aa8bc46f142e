package org.jzeo.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.testsupport.RecordingTransactionListener.invalidated;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.StorageXAResource;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.storage.Await;
import org.jzeo.server.testsupport.CounterResolver;
import org.jzeo.server.testsupport.RecordingTransactionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object layer's hooks over a real server in this JVM, with two clients (two ClientStorages): the listener's
 * events for local commits, aborts and XA branches, client-side conflict resolution for a local commit, an XA
 * prepare and a one-phase XA commit, and transaction metadata in history and the undo log.
 */
class ConnectionHooksTest {
    @TempDir
    Path dir;
    private RunningServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A server; {@code clientConflictResolution} as its zeo option of that name. */
    private String start(boolean clientConflictResolution) throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withClientConflictResolution(clientConflictResolution));
        return "127.0.0.1:" + TestServers.address(server).getPort();
    }

    @Test
    void theListenerHearsOtherClientsCommitsThenTheLocalCommitAndAbort() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory mine = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory theirs = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = mine.getConnection();
             StorageConnection other = theirs.getConnection()) {
            RecordingTransactionListener listener = new RecordingTransactionListener();
            c.setTransactionListener(listener);
            c.begin();
            c.abort();
            listener.take();
            Oid x = create(other, "x1");
            // The other client's commit reaches this client asynchronously; its last tid moves after the inbox.
            awaitSeen(c, other.lastTransaction());

            c.begin();
            c.write(x, bytes("x2"), List.of());
            Tid tid = c.commit();
            assertThat(listener.take()).as("snapshot with x changed, then the commit")
                    .containsExactly(invalidated(x), "before", "after COMMITTED " + tid);
            c.begin();
            c.write(x, bytes("x3"), List.of());
            c.abort();
            assertThat(listener.take()).as("own write not reported, then the abort").containsExactly("after ABORTED");
            c.close();
            assertThat(listener.take()).as("closing without a transaction").isEmpty();
        }
    }

    @Test
    void anXaBranchEndsWithBeforeCompletionThenDelegated() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = factory.getConnection();
             StorageConnection reader = factory.getConnection()) {
            Oid x = create(c, "x1");
            RecordingTransactionListener listener = new RecordingTransactionListener();
            c.setTransactionListener(listener);
            StorageXAResource xa = StorageXAResource.of(c);
            Xid xid = new WireXid(1, bytes("hooks"), bytes("1"));

            xa.start(xid, XAResource.TMNOFLAGS);
            listener.take();
            listener.atBeforeCompletion = () -> c.write(x, bytes("written at end"), List.of());
            assertThatThrownBy(c::commit).as("the transaction manager commits").isInstanceOf(IllegalStateException.class);
            xa.end(xid, XAResource.TMSUCCESS);
            assertThat(listener.take()).containsExactly("before", "after DELEGATED");
            assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
            xa.commit(xid, false);
            assertThat(listener.take()).isEmpty();

            reader.begin();
            assertThat(text(reader.read(x))).isEqualTo("written at end");
            reader.abort();
        }
    }

    @Test
    void twoClientsIncrementingOneCounterBothCommitWithAMergingResolver() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory first = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory second = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection a = first.getConnection();
             StorageConnection b = second.getConnection()) {
            Oid counter = create(a, "100");
            awaitSeen(b, a.lastTransaction());
            CounterResolver resolver = new CounterResolver();
            a.setConflictResolver(resolver);
            b.setConflictResolver(resolver);

            a.begin();
            b.begin();
            assertThat(text(b.read(counter))).isEqualTo("100");
            assertThat(text(a.read(counter))).isEqualTo("100");
            a.write(counter, bytes("101"), List.of()); // +1
            b.write(counter, bytes("110"), List.of()); // +10
            Tid ta = a.commit();
            Tid tb = b.commit(); // read 100, committed is 101: merged on the client, under the server's locks
            assertThat(tb).isGreaterThan(ta);

            assertThat(resolver.calls).isEqualTo(1);
            assertThat(second.resolvedConflicts()).isEqualTo(1);
            assertThat(first.resolvedConflicts()).isZero();
            awaitSeen(a, tb);
            for (StorageConnection c : List.of(a, b)) {
                c.begin();
                assertThat(text(c.read(counter))).as("both increments").isEqualTo("111");
                assertThat(c.read(counter).serial()).isEqualTo(tb);
                c.abort();
            }
        }
    }

    @Test
    void aListenerFailingAtXaEndMarksTheBranchRollbackOnly() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = factory.getConnection()) {
            Oid x = create(c, "x1");
            RecordingTransactionListener listener = new RecordingTransactionListener();
            c.setTransactionListener(listener);
            StorageXAResource xa = StorageXAResource.of(c);
            Xid xid = new WireXid(1, bytes("hooks"), bytes("failing"));
            xa.start(xid, XAResource.TMNOFLAGS);
            c.write(x, bytes("x2"), List.of());
            listener.take();
            listener.atBeforeCompletion = () -> {
                throw new IllegalStateException("cannot write pending changes");
            };
            assertThatThrownBy(() -> xa.end(xid, XAResource.TMSUCCESS)).isInstanceOfSatisfying(XAException.class,
                    e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBROLLBACK));
            assertThat(listener.take()).containsExactly("before", "after ABORTED");
            assertThatThrownBy(() -> xa.prepare(xid)).isInstanceOfSatisfying(XAException.class,
                    e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBROLLBACK));
            xa.rollback(xid);
            assertThat(current(c, x)).isEqualTo("x1");
        }
    }

    /**
     * Two clients with two threads each increment one counter concurrently: with the objects kept locked between
     * the vote that answers a conflict and the vote of the merge, every commit goes through at its first attempt,
     * and the increments add up.
     */
    @Test
    void concurrentIncrementsFromTwoClientsAllCommitAtOnceAndAddUp() throws Exception {
        String address = start(true);
        int increments = 25;
        try (ClientConnectionFactory first = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory second = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection setup = first.getConnection()) {
            Oid counter = create(setup, "0");
            try (StorageConnection other = second.getConnection()) {
                awaitSeen(other, setup.lastTransaction());
            }
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
                for (ClientConnectionFactory factory : List.of(first, second, first, second)) {
                    workers.add(threads.submit(() -> {
                        try (StorageConnection c = factory.getConnection()) {
                            c.setConflictResolver(new CounterResolver());
                            for (int i = 0; i < increments; i++) {
                                c.begin();
                                long value = Long.parseLong(text(c.read(counter)));
                                c.write(counter, bytes(String.valueOf(value + 1)), List.of());
                                c.commit(); // a ConflictException here fails the test
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> worker : workers) {
                    worker.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            Tid last = second.storage().lastTransaction().isAfter(first.storage().lastTransaction())
                    ? second.storage().lastTransaction() : first.storage().lastTransaction();
            awaitSeen(setup, last);
            assertThat(current(setup, counter)).as("every increment").isEqualTo(String.valueOf(4 * increments));
            // How many commits raced is up to the scheduler (almost always many): at most one merge per commit.
            assertThat(first.resolvedConflicts() + second.resolvedConflicts()).isBetween(0L, 4L * increments);
        }
    }

    @Test
    void anXaPrepareThatConflictsIsMergedAndVotedAgain() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory first = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory second = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection a = first.getConnection();
             StorageConnection b = second.getConnection()) {
            Oid counter = create(a, "100");
            awaitSeen(b, a.lastTransaction());
            b.setConflictResolver(new CounterResolver());
            StorageXAResource xa = StorageXAResource.of(b);
            Xid twoPhase = new WireXid(1, bytes("merge"), bytes("2pc"));

            xa.start(twoPhase, XAResource.TMNOFLAGS);
            assertThat(text(b.read(counter))).isEqualTo("100");
            b.write(counter, bytes("105"), List.of()); // +5
            xa.end(twoPhase, XAResource.TMSUCCESS);
            update(a, counter, "120"); // +20 meanwhile
            assertThat(xa.prepare(twoPhase)).isEqualTo(XAResource.XA_OK);
            xa.commit(twoPhase, false);
            assertThat(second.resolvedConflicts()).isEqualTo(1);
            awaitSeen(a, second.storage().lastTransaction());

            Xid onePhase = new WireXid(1, bytes("merge"), bytes("1pc"));
            xa.start(onePhase, XAResource.TMNOFLAGS);
            String seen = text(b.read(counter));
            b.write(counter, bytes(String.valueOf(Integer.parseInt(seen) + 1)), List.of()); // +1
            xa.end(onePhase, XAResource.TMSUCCESS);
            Tid theirs = update(a, counter, String.valueOf(Integer.parseInt(current(a, counter)) + 1000));
            awaitSeen(b, theirs);
            xa.commit(onePhase, true);
            assertThat(second.resolvedConflicts()).isEqualTo(2);
            awaitSeen(a, second.storage().lastTransaction());

            assertThat(current(a, counter)).as("100 +5 +20 +1 +1000").isEqualTo("1126");
            assertThat(theirs).isNotNull();
        }
    }

    @Test
    void withoutAResolverOrWithoutClientResolutionOnTheServerAConflictFailsTheCommit() throws Exception {
        String address = start(false);
        try (ClientConnectionFactory first = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory second = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection a = first.getConnection();
             StorageConnection b = second.getConnection()) {
            Oid counter = create(a, "1");
            awaitSeen(b, a.lastTransaction());
            b.setConflictResolver(new CounterResolver());
            RecordingTransactionListener listener = new RecordingTransactionListener();
            b.setTransactionListener(listener);
            b.begin();
            b.write(counter, bytes("2"), List.of());
            Tid theirs = update(a, counter, "3");
            listener.take();
            assertThatThrownBy(b::commit).as("the server raises the conflict instead of answering it")
                    .isInstanceOfSatisfying(ConflictException.class,
                            e -> assertThat(e.committedSerial()).isEqualTo(theirs));
            assertThat(listener.take()).containsExactly("before", "after ABORTED");
            assertThat(second.resolvedConflicts()).isZero();
            update(b, counter, "4"); // the failed commit left nothing behind on the client
        }
    }

    @Test
    void transactionMetadataShowsInHistoryAndTheUndoLogAndUndoGoesThroughTheServer() throws Exception {
        String address = start(true);
        try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of(address));
             ClientConnectionFactory other = new ClientConnectionFactory(ClientOptions.of(address));
             StorageConnection c = factory.getConnection();
             StorageConnection o = other.getConnection()) {
            Oid x = create(c, "kept");
            c.begin();
            c.write(x, bytes("regretted"), List.of());
            c.setTransactionInfo("dave", "a change to undo", Map.of("ticket", "JZ-13", "count", 3L,
                    "flags", Map.of("urgent", true)));
            Tid regretted = c.commit();
            awaitSeen(o, regretted);

            Revision revision = o.history(x, 5).get(0);
            assertThat(revision.tid()).isEqualTo(regretted);
            assertThat(revision.user()).isEqualTo("dave");
            assertThat(revision.description()).isEqualTo("a change to undo");
            TransactionInfo info = o.undoLog(0, 5).get(0);
            assertThat(info.tid()).isEqualTo(regretted);
            assertThat(info.user()).isEqualTo("dave");
            assertThat(info.extension()).containsEntry("ticket", "JZ-13")
                    .containsEntry("flags", Map.of("urgent", true));
            assertThat(((Number) info.extension().get("count")).longValue()).isEqualTo(3L);

            RecordingTransactionListener listener = new RecordingTransactionListener();
            o.setTransactionListener(listener);
            o.begin();
            o.undo(regretted);
            Tid undo = o.commit();
            listener.take();
            o.begin();
            assertThat(listener.take()).as("the undo's changes are reported to the connection that undid")
                    .containsExactly(invalidated(x));
            assertThat(text(o.read(x))).isEqualTo("kept");
            o.abort();
            awaitSeen(c, undo);
            assertThat(current(c, x)).isEqualTo("kept");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Until {@code c}'s client has heard of commit {@code tid} (another client's commits arrive asynchronously). */
    private static void awaitSeen(StorageConnection c, Tid tid) {
        Await.until("the client to hear of commit " + tid, () -> !c.lastTransaction().isBefore(tid));
    }

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

    private static String current(StorageConnection c, Oid oid) {
        c.begin();
        try {
            return text(c.read(oid));
        } finally {
            c.abort();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredObject o) {
        return new String(o.payload(), StandardCharsets.UTF_8);
    }
}
