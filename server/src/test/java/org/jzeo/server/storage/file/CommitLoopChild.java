package org.jzeo.server.storage.file;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;

/**
 * Run in a child JVM by {@link CrashRecoveryTest}: opens the FileStorage named by the first argument with fsync
 * on and commits transactions in an endless loop until it is killed. It prints, flushing each line:
 *
 * <ul>
 *   <li>{@code READY <counter>} once open: the counter of its first transaction;</li>
 *   <li>{@code FINISHING <counter> <end>} after vote, just before {@code finish()}: {@code end} is where the
 *       transaction will be appended, so the parent can see its write begin;</li>
 *   <li>{@code COMMITTED <tidhex> <counter> <oid>...} after {@code finish()} returned: the storage reported the
 *       transaction durable.</li>
 * </ul>
 *
 * <p>What a transaction writes is a function of its counter: {@link #oidsFor} picks the oids and {@link #payload}
 * the bytes, so the parent can recompute what must be in the file. The second argument, {@code bigFrom}, makes
 * the transactions from that counter on several MB large, so their single write lasts long enough for the
 * parent to kill the child in the middle of it (-1: none). The counter continues after the last transaction
 * found in the storage, so the counters in the file stay 0, 1, 2, ... without gaps whatever the kills cut away.
 *
 * <p>The child exits by itself when its standard input closes (the parent died), so it never outlives the test.
 */
public final class CommitLoopChild {
    /** Marks the child's records; the parent rejects any record that does not start with it. */
    static final int MAGIC = 0x4A5A4352; // "JZCR"
    /** magic, counter, oid, total size. */
    static final int PAYLOAD_HEADER = 4 + 8 + 8 + 4;
    static final int MAX_OIDS_PER_TXN = 5;
    /** Oids are drawn from 1..OID_SPACE_MAX; the space starts small so early transactions update a lot. */
    static final int OID_SPACE_MAX = 120;
    /** A big transaction is 4 to 6 MB, shared among its records: its single write lasts a millisecond or more. */
    static final int BIG_TRANSACTION = 4 << 20;
    static final String USER = "crash-child";

    private CommitLoopChild() {
    }

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        long bigFrom = args.length > 1 ? Long.parseLong(args[1]) : -1;
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // The parent keeps our input open while it lives.
                }
            } catch (IOException e) {
                // Treated as the parent being gone.
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        PrintStream out = System.out;
        FileStorage storage = FileStorage.open(path, FileStorageOptions.defaults().withFsync(true),
                ReferenceFinder.unavailable());
        long counter = nextCounter(storage);
        out.println("READY " + counter);
        out.flush();
        while (true) {
            long[] oids = oidsFor(counter);
            boolean big = bigFrom >= 0 && counter >= bigFrom;
            StorageTransaction txn = storage.begin(metadata(counter));
            for (long oid : oids) {
                txn.store(Oid.of(oid), currentSerial(storage, Oid.of(oid)), payload(counter, oid, big));
            }
            txn.vote();
            // The only writer and no pack: the next append starts at the published end.
            out.println("FINISHING " + counter + " " + storage.size());
            out.flush();
            Tid tid = txn.finish();
            StringJoiner line = new StringJoiner(" ");
            line.add("COMMITTED").add(tid.toString()).add(Long.toString(counter));
            for (long oid : oids) {
                line.add(Long.toString(oid));
            }
            out.println(line);
            out.flush();
            counter++;
        }
    }

    static TransactionMetadata metadata(long counter) {
        return TransactionMetadata.of(USER, "txn " + counter, Map.of());
    }

    /** The counter after the one of the storage's last transaction (0 for an empty storage). */
    private static long nextCounter(FileStorage storage) {
        Tid last = storage.lastTransaction();
        if (last.equals(Tid.ZERO)) {
            return 0;
        }
        try (StorageIterator it = storage.iterator(last, last)) {
            if (!it.hasNext()) {
                throw new IllegalStateException("lastTransaction " + last + " is not in the storage's iterator");
            }
            TransactionRecord txn = it.next();
            DataRecord first = txn.records().get(0);
            return decode(first.oid().value(), first.data()) + 1;
        }
    }

    private static Tid currentSerial(FileStorage storage, Oid oid) {
        try {
            LoadResult current = storage.loadBefore(oid, Tid.MAX);
            return current == null ? Tid.ZERO : current.start();
        } catch (POSKeyException e) {
            return Tid.ZERO;
        }
    }

    /** The oids transaction {@code counter} writes: 1 to 5 distinct ones, ascending. */
    static long[] oidsFor(long counter) {
        SplittableRandom random = new SplittableRandom(counter * 0x9E3779B97F4A7C15L + 17);
        int space = (int) Math.min(OID_SPACE_MAX, 6 + counter / 3);
        int count = Math.min(space, 1 + random.nextInt(MAX_OIDS_PER_TXN));
        long[] chosen = random.longs(1, space + 1).distinct().limit(count).toArray();
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * The size of what transaction {@code counter} stores for {@code oid}: three times in four under 2 KB, else
     * 40 to 60 KB; in a big transaction, its share of {@link #BIG_TRANSACTION} and up to half more.
     */
    static int payloadSize(long counter, long oid, boolean big) {
        SplittableRandom random = new SplittableRandom(counter * 1_000_003L + oid);
        if (big) {
            int share = BIG_TRANSACTION / oidsFor(counter).length;
            return share + random.nextInt(share / 2);
        }
        if (random.nextInt(4) > 0) {
            return PAYLOAD_HEADER + random.nextInt(2000);
        }
        return 40_000 + random.nextInt(20_000);
    }

    /** The bytes transaction {@code counter} stores for {@code oid}: a header naming both, then padding. */
    static byte[] payload(long counter, long oid, boolean big) {
        return payloadOfSize(counter, oid, payloadSize(counter, oid, big));
    }

    private static byte[] payloadOfSize(long counter, long oid, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(MAGIC).putLong(counter).putLong(oid).putInt(size);
        byte[] padding = new byte[size - PAYLOAD_HEADER];
        new SplittableRandom(counter * 31 + oid * 0x632BE59BD9B4E019L).nextBytes(padding);
        b.put(padding);
        return b.array();
    }

    /**
     * Checks that {@code data} is exactly what the child writes for {@code oid} in some transaction, big or not,
     * and returns that transaction's counter.
     *
     * @throws IllegalArgumentException naming what does not match
     */
    static long decode(long oid, byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("record of oid " + oid + " has no data");
        }
        if (data.length < PAYLOAD_HEADER) {
            throw new IllegalArgumentException("record of oid " + oid + " has " + data.length
                    + " bytes, less than the payload header");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        int magic = b.getInt();
        long counter = b.getLong();
        long recordedOid = b.getLong();
        int size = b.getInt();
        if (magic != MAGIC || recordedOid != oid || size != data.length || counter < 0) {
            throw new IllegalArgumentException(String.format("record of oid %d has a bad payload header: magic %08x,"
                    + " oid %d, size %d (actual %d), counter %d", oid, magic, recordedOid, size, data.length, counter));
        }
        if (size != payloadSize(counter, oid, false) && size != payloadSize(counter, oid, true)) {
            throw new IllegalArgumentException("record of oid " + oid + " for counter " + counter + " has "
                    + size + " bytes, a size the child never writes for it");
        }
        if (!Arrays.equals(data, payloadOfSize(counter, oid, size))) {
            throw new IllegalArgumentException("record of oid " + oid + " for counter " + counter
                    + " has the right header but different bytes than the child wrote");
        }
        return counter;
    }
}
