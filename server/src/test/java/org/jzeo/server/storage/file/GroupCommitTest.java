package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight threads commit disjoint objects at once with fsync on, so finishes overlap and share syncs (group
 * commit in the CommitSequencer). Every commit must succeed and the file must hold them all, in tid order, each
 * with exactly its own records, also after a reopen.
 *
 * <p>Not checked: that fewer syncs than commits were made. FileStorage keeps its CommitSequencer private and
 * exposes no sync count, so the test cannot see it without reflection.
 */
class GroupCommitTest {
    private static final int THREADS = 8;
    private static final int COMMITS_PER_THREAD = 25;
    private static final int OIDS_PER_THREAD = 3;
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    /** One successful commit: which thread, its sequence number there, and the tid finish returned. */
    private record Commit(int thread, int seq, Tid tid) {
    }

    @Test
    void concurrentCommitsOfDisjointObjectsAllSucceedInStrictTidOrder() throws Exception {
        Path path = dir.resolve("Data.fs");
        List<List<Oid>> oidsByThread = new ArrayList<>();
        Map<Tid, Commit> byTid = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger inFinish = new AtomicInteger();
        AtomicInteger maxInFinish = new AtomicInteger();
        long started = System.nanoTime();

        try (FileStorage storage = FileStorage.open(path, FileStorageOptions.defaults().withFsync(true),
                ReferenceFinder.unavailable())) {
            for (int t = 0; t < THREADS; t++) {
                oidsByThread.add(storage.newOids(OIDS_PER_THREAD));
            }
            CountDownLatch startTogether = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    try {
                        startTogether.await();
                        List<Oid> oids = oidsByThread.get(thread);
                        Tid last = Tid.ZERO;
                        for (int seq = 0; seq < COMMITS_PER_THREAD; seq++) {
                            StorageTransaction txn = storage.begin(metadata(thread, seq));
                            for (Oid oid : oids) {
                                txn.store(oid, last, data(thread, seq, oid));
                            }
                            txn.vote();
                            int now = inFinish.incrementAndGet();
                            maxInFinish.accumulateAndGet(now, Math::max);
                            Tid tid;
                            try {
                                tid = txn.finish();
                            } finally {
                                inFinish.decrementAndGet();
                            }
                            assertThat(tid).as("thread %d commit %d: tid after the thread's previous one", thread, seq)
                                    .isGreaterThan(last);
                            Commit previous = byTid.put(tid, new Commit(thread, seq, tid));
                            assertThat(previous).as("thread %d commit %d: tid %s given to two commits", thread, seq,
                                    tid).isNull();
                            last = tid;
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "committer-" + t));
            }
            threads.forEach(Thread::start);
            startTogether.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                assertThat(t.isAlive()).as("%s must finish its commits within %d s", t.getName(), TIMEOUT_SECONDS)
                        .isFalse();
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError(failures.size() + " committer(s) failed; first: "
                        + failures.peek(), failures.peek());
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            assertThat(byTid).as("successful commits").hasSize(THREADS * COMMITS_PER_THREAD);
            assertThat(maxInFinish.get())
                    .as("most threads inside finish() at once: the commits must really have overlapped")
                    .isGreaterThanOrEqualTo(2);

            checkFile(storage, byTid, oidsByThread);
            for (int t = 0; t < THREADS; t++) {
                for (Oid oid : oidsByThread.get(t)) {
                    LoadResult current = storage.loadBefore(oid, Tid.MAX);
                    assertThat(current.data()).as("current data of thread %d's oid %s", t, oid)
                            .isEqualTo(data(t, COMMITS_PER_THREAD - 1, oid));
                }
            }
        }
        // The same after a reopen: what the concurrent appends left on disk.
        try (FileStorage reopened = FileStorage.open(path, FileStorageOptions.defaults().withFsync(true),
                ReferenceFinder.unavailable())) {
            checkFile(reopened, byTid, oidsByThread);
        }
        System.out.printf("GroupCommitTest: %d commits by %d threads in %d ms, at most %d threads in finish() at"
                        + " once%n", byTid.size(), THREADS, (System.nanoTime() - started) / 1_000_000,
                maxInFinish.get());
    }

    /** The file holds exactly the commits, in strictly increasing tid order, each with its own records. */
    private static void checkFile(FileStorage storage, Map<Tid, Commit> byTid, List<List<Oid>> oidsByThread) {
        List<Tid> order = new ArrayList<>();
        Map<Integer, Integer> nextSeq = new HashMap<>();
        try (StorageIterator it = storage.iterator(null, null)) {
            while (it.hasNext()) {
                TransactionRecord txn = it.next();
                if (!order.isEmpty()) {
                    assertThat(txn.tid()).as("tid after %s in the file", order.get(order.size() - 1))
                            .isGreaterThan(order.get(order.size() - 1));
                }
                order.add(txn.tid());
                Commit commit = byTid.get(txn.tid());
                assertThat(commit).as("transaction %s in the file must be one that finish() returned", txn.tid())
                        .isNotNull();
                assertThat(new String(txn.description(), StandardCharsets.UTF_8)).as("description of %s", txn.tid())
                        .isEqualTo(new String(metadata(commit.thread(), commit.seq()).description(),
                                StandardCharsets.UTF_8));
                int expectedSeq = nextSeq.getOrDefault(commit.thread(), 0);
                assertThat(commit.seq()).as("thread %d's commits must appear in its own order", commit.thread())
                        .isEqualTo(expectedSeq);
                nextSeq.put(commit.thread(), expectedSeq + 1);
                List<Oid> oids = oidsByThread.get(commit.thread());
                assertThat(txn.records()).extracting(DataRecord::oid).as("oids of %s", txn.tid())
                        .containsExactlyElementsOf(oids);
                for (DataRecord r : txn.records()) {
                    assertThat(r.tid()).isEqualTo(txn.tid());
                    assertThat(r.data()).as("data of oid %s in %s", r.oid(), txn.tid())
                            .isEqualTo(data(commit.thread(), commit.seq(), r.oid()));
                }
            }
        }
        assertThat(order).as("transactions in the file").hasSize(byTid.size());
        assertThat(storage.lastTransaction()).isEqualTo(order.get(order.size() - 1));
    }

    private static TransactionMetadata metadata(int thread, int seq) {
        return TransactionMetadata.of("thread " + thread, "commit " + thread + "/" + seq, Map.of());
    }

    private static byte[] data(int thread, int seq, Oid oid) {
        return ("thread " + thread + " commit " + seq + " oid " + oid).getBytes(StandardCharsets.UTF_8);
    }
}
