package org.jzeo.server.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * One writer moves money between accounts (oids) while 8 readers read all accounts as of a snapshot, for
 * {@link #DURATION}. Two invariants, one test each: every snapshot adds up to the constant total and every
 * revision read belongs to the snapshot (MVCC reads see whole transactions or nothing, spec §7); and no read
 * returns a tid newer than lastTransaction() observed after it.
 */
class ConcurrentReadersTest {
    /** How long the writer and readers run together. */
    private static final Duration DURATION = Duration.ofSeconds(10);
    private static final int READERS = 8;
    private static final int ACCOUNTS = 32;
    private static final long INITIAL_BALANCE = 1_000;
    private static final long TOTAL = ACCOUNTS * INITIAL_BALANCE;
    /** Far below what a loaded 2-core machine does in DURATION (thousands), so only a stall fails them. */
    private static final int MIN_COMMITS = 100;
    private static final int MIN_SNAPSHOTS_PER_READER = 100;
    private static final int MIN_DISTINCT_SNAPSHOTS_PER_READER = 10;
    private static final long JOIN_GRACE_SECONDS = 60;

    @TempDir
    Path dir;

    /** One reader's read of the accounts; returns the snapshot (lastTransaction()) it read at. */
    @FunctionalInterface
    private interface Read {
        Tid once(FileStorage storage, List<Oid> accounts, int reader, Random random);
    }

    @Test
    void everySnapshotAddsUpWhileOneWriterMovesMoneyBetweenAccounts() throws Exception {
        run("snapshot", (storage, accounts, reader, random) -> readSnapshot(storage, accounts, reader));
    }

    /**
     * No read returns a revision, as its start or as its end, newer than lastTransaction() observed after the
     * read: a reader must not see a transaction that lastTransaction() does not report yet.
     */
    @Test
    void noReadSeesATransactionNewerThanLastTransaction() throws Exception {
        run("visibility", ConcurrentReadersTest::readAndCompareWithLastTransaction);
    }

    private void run(String name, Read read) throws Exception {
        long seed = Long.getLong("jzeo.readers.seed", System.nanoTime());
        System.out.println("ConcurrentReadersTest " + name + " seed " + seed);
        try (FileStorage storage = FileStorage.open(dir.resolve("Data.fs"),
                FileStorageOptions.defaults().withFsync(false), ReferenceFinder.unavailable())) {
            List<Oid> accounts = storage.newOids(ACCOUNTS);
            StorageTransaction create = storage.begin(TransactionMetadata.of("test", "open accounts", Map.of()));
            for (Oid account : accounts) {
                create.store(account, Tid.ZERO, balance(account, INITIAL_BALANCE));
            }
            create.vote();
            Tid created = create.finish();

            CountDownLatch startTogether = new CountDownLatch(1);
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            long[] commits = new long[1];
            long[] snapshots = new long[READERS];
            int[] distinctSnapshots = new int[READERS];

            Thread writer = new Thread(guard(failures, stop, () -> {
                startTogether.await();
                commits[0] = write(storage, accounts, new Random(seed), created, stop);
            }), "writer");
            List<Thread> threads = new ArrayList<>(List.of(writer));
            for (int i = 0; i < READERS; i++) {
                int reader = i;
                threads.add(new Thread(guard(failures, stop, () -> {
                    startTogether.await();
                    Set<Tid> seen = new HashSet<>();
                    Random random = new Random(seed + 1 + reader);
                    long count = 0;
                    while (!stop.get()) {
                        seen.add(read.once(storage, accounts, reader, random));
                        count++;
                    }
                    snapshots[reader] = count;
                    distinctSnapshots[reader] = seen.size();
                }), "reader-" + reader));
            }
            threads.forEach(Thread::start);
            long started = System.nanoTime();
            startTogether.countDown();
            // The run ends at DURATION, or at the first failure (a thread that fails sets stop).
            long end = started + DURATION.toNanos();
            synchronized (stop) {
                while (!stop.get() && System.nanoTime() < end) {
                    stop.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                }
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(JOIN_GRACE_SECONDS));
                assertThat(t.isAlive()).as("%s must stop within %d s after the run", t.getName(), JOIN_GRACE_SECONDS)
                        .isFalse();
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError(failures.size() + " thread(s) failed after " + millis
                        + " ms (writer commits so far are not counted); first: " + failures.peek(), failures.peek());
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            System.out.printf("ConcurrentReadersTest %s: %d ms, %d commits, %d snapshots by %d readers"
                            + " (%d loads each); per reader %s, distinct snapshots %s%n", name, millis, commits[0],
                    Arrays.stream(snapshots).sum(), READERS, ACCOUNTS + 1, Arrays.toString(snapshots),
                    Arrays.toString(distinctSnapshots));

            assertThat(commits[0]).as("commits by the writer in %s", DURATION).isGreaterThanOrEqualTo(MIN_COMMITS);
            for (int i = 0; i < READERS; i++) {
                assertThat(snapshots[i]).as("snapshots read by reader %d in %s", i, DURATION)
                        .isGreaterThanOrEqualTo(MIN_SNAPSHOTS_PER_READER);
                assertThat(distinctSnapshots[i])
                        .as("distinct snapshots seen by reader %d: it must have read while the writer committed", i)
                        .isGreaterThanOrEqualTo(MIN_DISTINCT_SNAPSHOTS_PER_READER);
            }
            checkHistory(storage, accounts, commits[0]);
        }
    }

    /** Runs {@code body}; records any failure and stops the run. */
    private static Runnable guard(ConcurrentLinkedQueue<Throwable> failures, AtomicBoolean stop, Body body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
                synchronized (stop) {
                    stop.set(true);
                    stop.notifyAll();
                }
            }
        };
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Moves money among 2 to 4 random accounts per transaction until stopped; returns the number of commits. */
    private static long write(FileStorage storage, List<Oid> accounts, Random random, Tid created, AtomicBoolean stop) {
        Tid last = created;
        long count = 0;
        while (!stop.get()) {
            int k = 2 + random.nextInt(3);
            List<Oid> chosen = new ArrayList<>(accounts);
            Collections.shuffle(chosen, random);
            chosen = chosen.subList(0, k);
            StorageTransaction txn = storage.begin(TransactionMetadata.of("writer", "transfer " + count, Map.of()));
            long moved = 0;
            for (int i = 0; i < k; i++) {
                Oid account = chosen.get(i);
                LoadResult current = storage.loadBefore(account, Tid.MAX);
                long delta = i < k - 1 ? random.nextInt(401) - 200 : -moved;
                moved += delta;
                txn.store(account, current.start(), balance(account, valueOf(account, current.data()) + delta));
            }
            txn.vote();
            Tid tid = txn.finish();
            assertThat(tid).as("tid of commit %d", count).isGreaterThan(last);
            assertThat(storage.lastTransaction()).as("lastTransaction() right after the only writer's finish")
                    .isEqualTo(tid);
            last = tid;
            count++;
        }
        return count;
    }

    /**
     * Reads every account as of S = lastTransaction() (loadBefore(oid, S.next()) returns the revision current at
     * S): each revision must belong to S and the total must be the constant. Returns S.
     */
    private static Tid readSnapshot(FileStorage storage, List<Oid> accounts, int reader) {
        Tid snapshot = storage.lastTransaction();
        Tid before = snapshot.next();
        long sum = 0;
        for (Oid account : accounts) {
            LoadResult r = storage.loadBefore(account, before);
            assertThat(r).as("reader %d: account %s as of %s", reader, account, snapshot).isNotNull();
            assertThat(r.start()).as("reader %d: start of account %s's revision read as of %s", reader, account,
                    snapshot).isLessThanOrEqualTo(snapshot);
            if (r.end() != null) {
                assertThat(r.end()).as("reader %d: end of account %s's revision read as of %s (the revision"
                        + " must still be current at the snapshot)", reader, account, snapshot).isGreaterThan(snapshot);
            }
            sum += valueOf(account, r.data());
        }
        assertThat(sum).as("reader %d: total of all accounts as of %s", reader, snapshot).isEqualTo(TOTAL);
        return snapshot;
    }

    /**
     * Reads every account as of S = lastTransaction() and one account's current revision, then reads
     * lastTransaction() again: no tid the reads returned (a revision's start, or its end, which is the tid of the
     * next revision) may be newer. Returns S.
     */
    private static Tid readAndCompareWithLastTransaction(FileStorage storage, List<Oid> accounts, int reader,
                                                         Random random) {
        Tid snapshot = storage.lastTransaction();
        Tid before = snapshot.next();
        LoadResult[] results = new LoadResult[accounts.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = storage.loadBefore(accounts.get(i), before);
        }
        Oid account = accounts.get(random.nextInt(accounts.size()));
        LoadResult current = storage.loadBefore(account, Tid.MAX);
        Tid after = storage.lastTransaction();
        for (int i = 0; i < results.length; i++) {
            LoadResult r = results[i];
            if (r.end() != null) {
                assertThat(r.end()).as("reader %d: account %s's revision as of %s ends at %s, a transaction the read"
                                + " saw, so lastTransaction() observed after the read must cover it", reader,
                        accounts.get(i), snapshot, r.end()).isLessThanOrEqualTo(after);
            }
        }
        assertThat(current.end()).as("reader %d: end of account %s's current revision", reader, account).isNull();
        assertThat(current.start()).as("reader %d: account %s's current revision %s must not be newer than"
                + " lastTransaction() observed after the read", reader, account, current.start())
                .isLessThanOrEqualTo(after);
        return snapshot;
    }

    /** Replays the whole file: every transaction keeps the total, and there is one per commit. */
    private static void checkHistory(FileStorage storage, List<Oid> accounts, long commits) {
        Map<Oid, Long> balances = new HashMap<>();
        long transactions = 0;
        Tid previous = Tid.ZERO;
        try (StorageIterator it = storage.iterator(null, null)) {
            while (it.hasNext()) {
                TransactionRecord txn = it.next();
                assertThat(txn.tid()).as("tids in the file must increase").isGreaterThan(previous);
                previous = txn.tid();
                for (DataRecord r : txn.records()) {
                    balances.put(r.oid(), valueOf(r.oid(), r.data()));
                }
                if (transactions > 0) {
                    assertThat(txn.records()).as("records of transfer %s", txn.tid()).hasSizeBetween(2, 4);
                    assertThat(new String(txn.description(), StandardCharsets.UTF_8))
                            .isEqualTo("transfer " + (transactions - 1));
                }
                assertThat(balances.values().stream().mapToLong(Long::longValue).sum())
                        .as("total after transaction %s", txn.tid()).isEqualTo(TOTAL);
                transactions++;
            }
        }
        assertThat(transactions).as("transactions in the file: the accounts' creation and every commit")
                .isEqualTo(commits + 1);
        assertThat(balances.keySet()).containsExactlyInAnyOrderElementsOf(accounts);
        assertThat(storage.lastTransaction()).isEqualTo(previous);
    }

    private static byte[] balance(Oid account, long value) {
        return ByteBuffer.allocate(16).putLong(account.value()).putLong(value).array();
    }

    private static long valueOf(Oid account, byte[] data) {
        assertThat(data).as("data of account %s", account).hasSize(16);
        ByteBuffer b = ByteBuffer.wrap(data);
        assertThat(b.getLong()).as("account number inside account %s's data", account).isEqualTo(account.value());
        return b.getLong();
    }
}
