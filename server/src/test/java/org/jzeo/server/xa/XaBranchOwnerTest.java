package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner of a FileStorage branch (the user who prepared it, for the rights check of issue 17) is in the prepared
 * log: it is there once the prepare is durable, comes back after a restart, including from the files a kill -9
 * leaves, and a heuristic rollback keeps it for as long as xa_recover lists the branch. Driven through
 * {@link XaService} directly: the protocol passes no owner until authentication is wired in.
 */
class XaBranchOwnerTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** A FileStorage and its branches, as a server runs them. */
    private final class Served implements AutoCloseable {
        final FileStorage storage;
        final XaService xa;

        Served(Path data, XaOptions options) throws Exception {
            storage = FileStorage.open(data, FileStorageOptions.defaults(), TestRecords.finder());
            xa = XaService.of("1", storage, options, Clock.systemUTC());
            xa.start(timers);
        }

        /** Prepares {@code xid} storing a new object, as xa_vote does, for {@code owner}. */
        void prepare(WireXid xid, String owner) {
            Oid oid = storage.newOids(1).get(0);
            PreparingBranch branch = xa.admit(xid, List.of(new Operation.Store(oid, Tid.ZERO,
                    TestRecords.record("by " + owner))), TransactionMetadata.empty(), owner);
            StorageTransaction st = storage.begin(branch.metadata());
            branch.operations().forEach(op -> op.applyTo(st));
            st.vote();
            VotedBranch voted = xa.log(branch, st, List.of(), 0);
            xa.makeDurable(voted, "test");
        }

        @Override
        public void close() {
            xa.close();
            storage.close();
        }
    }

    private Path data() {
        return dir.resolve("Data.fs");
    }

    @Test
    void theOwnerOfAPreparedBranchIsInTheLogAndComesBackAfterARestart() throws Exception {
        WireXid alices = xid("owned", 1);
        WireXid nobodys = xid("owned", 2);
        try (Served served = new Served(data(), XaOptions.defaults())) {
            served.prepare(alices, "alice");
            served.prepare(nobodys, null);
            assertThat(served.xa.owner(alices)).isEqualTo("alice");
            assertThat(served.xa.owner(nobodys)).isNull();
            assertThat(PreparedLog.read(PreparedLog.pathFor(data())).records())
                    .as("durable once the prepare returned")
                    .anyMatch(r -> r instanceof XaLogRecord.Prepared p && p.xid().equals(alices)
                            && "alice".equals(p.owner()));
        }
        // Each start compacts the log: the second start reads the records as the first rewrote them.
        for (int start = 1; start <= 2; start++) {
            try (Served served = new Served(data(), XaOptions.defaults())) {
                assertThat(served.xa.recover()).containsExactly(alices, nobodys);
                assertThat(served.xa.owner(alices)).as("after start %d", start).isEqualTo("alice");
                assertThat(served.xa.owner(nobodys)).isNull();
                assertThat(served.xa.owner(xid("never", 1))).isNull();
            }
        }
        try (Served served = new Served(data(), XaOptions.defaults())) {
            served.xa.rollback(alices);
            assertThat(served.xa.owner(alices)).as("no longer listed by recover").isNull();
        }
    }

    @Test
    void theOwnerSurvivesAKill9() throws Exception {
        WireXid xid = xid("killed", 1);
        Path copy = Files.createDirectory(dir.resolve("after-kill")).resolve("Data.fs");
        try (Served served = new Served(data(), XaOptions.defaults())) {
            served.prepare(xid, "bob");
            // What a kill -9 leaves: the files as they are now, with the server still running (the page cache
            // survives the death of a process; the prepare was forced before it returned anyway).
            for (Path p : List.of(data(), PreparedLog.pathFor(data()))) {
                Files.copy(p, copy.resolveSibling(p.getFileName()));
            }
        }
        try (Served served = new Served(copy, XaOptions.defaults())) {
            assertThat(served.xa.recover()).containsExactly(xid);
            assertThat(served.xa.owner(xid)).isEqualTo("bob");
        }
    }

    @Test
    void aHeuristicRollbackKeepsTheOwnerUntilForgottenAcrossARestart() throws Exception {
        XaOptions heuristic = new XaOptions(Optional.of(Duration.ofMillis(50)), Duration.ofHours(1),
                XaOptions.DEFAULT_COMPACT_THRESHOLD, XaOptions.DEFAULT_OUTCOME_LIMIT);
        WireXid xid = xid("heuristic", 1);
        try (Served served = new Served(data(), heuristic)) {
            served.prepare(xid, "carol");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!PreparedLog.read(PreparedLog.pathFor(data())).records().stream()
                    .anyMatch(r -> r instanceof XaLogRecord.HeuristicRollback)) {
                assertThat(System.nanoTime()).as("the heuristic rollback within 10 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(PreparedLog.read(PreparedLog.pathFor(data())).records())
                    .anyMatch(r -> r instanceof XaLogRecord.HeuristicRollback h && "carol".equals(h.owner()));
            assertThat(served.xa.recover()).containsExactly(xid);
            assertThat(served.xa.owner(xid)).isEqualTo("carol");
        }
        // Each start compacts the log: the second start reads the outcome as the first rewrote it from memory.
        for (int start = 1; start <= 2; start++) {
            try (Served served = new Served(data(), heuristic)) {
                assertThat(served.xa.recover()).containsExactly(xid);
                assertThat(served.xa.owner(xid)).as("after start %d", start).isEqualTo("carol");
            }
        }
        try (Served served = new Served(data(), heuristic)) {
            served.xa.forget(xid);
            assertThat(served.xa.owner(xid)).isNull();
        }
        try (Served served = new Served(data(), heuristic)) {
            assertThat(served.xa.recover()).isEmpty();
            assertThat(served.xa.owner(xid)).isNull();
        }
    }
}
