package org.jzeo.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientStorage;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * The bank invariant across servers: accounts whose balances only move between each other, and a counter per worker
 * changed in the same transaction as each of its transfers. After any storm, the balances add up to what they did at
 * the start (no lost update, no half transaction) and each worker's counter is at least its acknowledged transfers
 * (nothing acknowledged is lost) and at most those plus the transfers whose outcome it could not know.
 */
final class ClusterBank {
    static final long OPENING_BALANCE = 1_000;

    final List<Oid> accounts;

    private ClusterBank(List<Oid> accounts) {
        this.accounts = accounts;
    }

    static ClusterBank open(ClientStorage storage, int accountCount) {
        Map<Oid, String> created = Clients.createObjects(storage, "", accountCount);
        List<Oid> accounts = Clients.oids(created);
        StorageTransaction txn = storage.begin(TransactionMetadata.empty());
        for (Oid a : accounts) {
            txn.store(a, Clients.currentRevision(storage, a).start(), Clients.record(Long.toString(OPENING_BALANCE)));
        }
        txn.vote();
        txn.finish();
        return new ClusterBank(accounts);
    }

    /** Sum of every balance as {@code storage} sees it now. */
    long total(ClientStorage storage) {
        long sum = 0;
        for (Oid a : accounts) {
            sum += Long.parseLong(Clients.current(storage, a));
        }
        return sum;
    }

    long expectedTotal() {
        return OPENING_BALANCE * accounts.size();
    }

    /** One client's stream of transfers, retried on conflicts and on retryable errors. */
    final class Worker implements Runnable {
        final String name;
        final ClientStorage storage;
        final Oid counter;
        final int transfers;
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicInteger unknown = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();
        final List<StorageException> retryableErrors = new CopyOnWriteArrayList<>();
        volatile Throwable failure;
        private final Random random;

        Worker(String name, ClientStorage storage, int transfers, long seed) {
            this.name = name;
            this.storage = storage;
            this.transfers = transfers;
            this.random = new Random(seed);
            this.counter = Clients.oids(Clients.createObjects(storage, name + "-counter", 1)).get(0);
            Clients.change(storage, Map.of(counter, "0"));
        }

        @Override
        public void run() {
            try {
                while (acknowledged.get() < transfers) {
                    transferOnce();
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        private void transferOnce() throws InterruptedException {
            Oid from = accounts.get(random.nextInt(accounts.size()));
            Oid to = accounts.get(random.nextInt(accounts.size()));
            long amount = 1 + random.nextInt(50);
            StorageTransaction txn = null;
            boolean finishing = false;
            try {
                txn = storage.begin(TransactionMetadata.empty());
                Map<Oid, String> writes = new LinkedHashMap<>();
                Map<Oid, Tid> serials = new LinkedHashMap<>();
                for (Oid account : from.equals(to) ? List.of(from) : List.of(from, to)) {
                    LoadResult r = Clients.currentRevision(storage, account);
                    serials.put(account, r.start());
                    long balance = Long.parseLong(Clients.value(r.data()));
                    balance += account.equals(from) ? -amount : 0;
                    balance += account.equals(to) ? amount : 0;
                    writes.put(account, Long.toString(balance));
                }
                LoadResult c = Clients.currentRevision(storage, counter);
                serials.put(counter, c.start());
                writes.put(counter, Long.toString(Long.parseLong(Clients.value(c.data())) + 1));
                for (Map.Entry<Oid, String> w : writes.entrySet()) {
                    txn.store(w.getKey(), serials.get(w.getKey()), Clients.record(w.getValue()));
                }
                txn.vote();
                finishing = true;
                txn.finish();
                acknowledged.incrementAndGet();
            } catch (ConflictException e) {
                abort(txn);
                conflicts.incrementAndGet();
                // The invalidation that makes our view current is on its way: wait for it, not for a fixed time.
                if (e.committedSerial() != null) {
                    Clients.awaitSeen(storage, e.committedSerial());
                }
            } catch (StorageException e) {
                abort(txn);
                if (!e.isRetryable()) {
                    throw e;
                }
                retryableErrors.add(e);
                if (finishing) {
                    unknown.incrementAndGet();
                }
                storage.awaitConnected(Await.TIMEOUT);
            }
        }

        private void abort(StorageTransaction txn) {
            if (txn != null) {
                txn.abort();
            }
        }

        long counterValue(ClientStorage reader) {
            return Long.parseLong(Clients.current(reader, counter));
        }
    }

    static List<Thread> startAll(List<? extends Runnable> workers) {
        List<Thread> threads = new ArrayList<>();
        for (Runnable w : workers) {
            Thread t = new Thread(w, "bank-worker-" + threads.size());
            t.start();
            threads.add(t);
        }
        return threads;
    }
}
