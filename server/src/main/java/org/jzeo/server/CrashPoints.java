package org.jzeo.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Named points in the durability-critical code where a test can stop the server to kill it there with SIGKILL,
 * deterministically instead of by timing. Armed only by the environment variable {@value #VARIABLE}
 * ({@code name} or {@code name@n}: the n-th time the point is reached); unarmed, {@link #reach} is a field read.
 * When the armed point is reached, the thread that reached it logs one line to stderr and waits forever (the
 * rest of the server goes on), so the test can kill the process at exactly that state.
 */
public final class CrashPoints {
    public static final String VARIABLE = "JZEO_CRASH_POINT";

    /** The prepared record is forced; the prepare is not answered yet. */
    public static final String XA_PREPARE_FORCED = "xa-prepare-forced";
    /** xa_commit wrote the transaction to Data.fs; the outcome record is not written yet. */
    public static final String XA_COMMIT_APPENDED = "xa-commit-appended";
    /** XA log compaction forced the new file; it has not replaced the log yet. */
    public static final String XA_COMPACTION_WRITTEN = "xa-compaction-written";
    /** XA log compaction renamed the new file over the log; its directory is not synced yet. */
    public static final String XA_COMPACTION_RENAMED = "xa-compaction-renamed";
    /** Pack hard-linked the old file as Data.fs.old. */
    public static final String PACK_LINKED = "pack-linked";
    /** Pack renamed the packed file over Data.fs; the directory is not synced yet. */
    public static final String PACK_RENAMED = "pack-renamed";
    /** Pack synced the directory; the server has not switched to the new file yet. */
    public static final String PACK_SYNCED = "pack-synced";

    private static final String ARMED = System.getenv(VARIABLE);
    private static final String NAME = ARMED == null ? null : ARMED.split("@", 2)[0];
    private static final int OCCURRENCE = ARMED == null || !ARMED.contains("@") ? 1
            : Integer.parseInt(ARMED.split("@", 2)[1]);
    private static final AtomicInteger REACHED = new AtomicInteger();

    private CrashPoints() {
    }

    /** Stops here for good if this is the armed point's armed occurrence. */
    public static void reach(String point) {
        if (NAME == null || !NAME.equals(point) || REACHED.incrementAndGet() != OCCURRENCE) {
            return;
        }
        System.err.println("jzeo crash point " + point + " reached; waiting to be killed");
        System.err.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
