package org.jzeo.server.core;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, per storage, whether one-record reads that may read the file run on the connection's event loop or on
 * the read pool (loads the storage answers from memory always run on the event loop).
 *
 * <p>Why: a read from the page cache costs a few microseconds, and handing it to a pool thread and its reply back
 * to the event loop cost two thread wake-ups, which were most of the server's CPU per load. But an event loop
 * serves many connections, so it must not keep waiting for a slow disk. Reads slower than {@link #SLOW_READ} are
 * added up per {@link #WINDOW}; once they reach {@link #SLOW_BUDGET} in one window and are at least one in {@link
 * #SLOW_SHARE} of that window's reads, reads go to the read pool until none has been slow for {@link #QUIET_PERIOD}.
 * A budget rather than a single slow read, so that a garbage collection pause does not count as a slow disk; a share,
 * so that the few reads of a busy machine during which the thread lost its core do not either (a disk that is slow
 * makes a good part of the reads slow). So an event loop waits for slow reads at most about {@code SLOW_BUDGET}
 * before the switch, and again each time the quiet period ends while the disk is still slow.
 */
final class ReadPlacement {
    private static final Logger LOG = LoggerFactory.getLogger(ReadPlacement.class);

    static final long SLOW_READ = TimeUnit.MILLISECONDS.toNanos(1);
    static final long WINDOW = TimeUnit.SECONDS.toNanos(1);
    static final long SLOW_BUDGET = TimeUnit.MILLISECONDS.toNanos(50);
    static final long QUIET_PERIOD = TimeUnit.SECONDS.toNanos(10);
    static final int SLOW_SHARE = 50;

    private final String storage;
    private final LongSupplier nanoClock;
    private volatile boolean pooled;
    /** Reads since the window began; counted without the lock, so approximate, which is all the share needs. */
    private final java.util.concurrent.atomic.LongAdder readsInWindow = new java.util.concurrent.atomic.LongAdder();
    // Guarded by this.
    private long windowStart;
    private long slowInWindow;
    private long slowReadsInWindow;
    private long lastSlow;

    ReadPlacement(String storage) {
        this(storage, System::nanoTime);
    }

    ReadPlacement(String storage, LongSupplier nanoClock) {
        this.storage = storage;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /** Whether the next read may run on the event loop. */
    boolean inline() {
        if (!pooled) {
            return true;
        }
        synchronized (this) {
            if (pooled && nanoClock.getAsLong() - lastSlow >= QUIET_PERIOD) {
                pooled = false;
                LOG.info("storage '{}': no slow read for {} s; serving reads on the connections' threads again",
                        storage, TimeUnit.NANOSECONDS.toSeconds(QUIET_PERIOD));
            }
            return !pooled;
        }
    }

    /** Feeds the duration of one read, wherever it ran, into the decision. */
    void took(long nanos) {
        readsInWindow.increment();
        if (nanos < SLOW_READ) {
            return;
        }
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (now - windowStart >= WINDOW) {
                windowStart = now;
                slowInWindow = 0;
                slowReadsInWindow = 0;
                readsInWindow.reset();
                readsInWindow.increment();
            }
            slowInWindow += nanos;
            slowReadsInWindow++;
            lastSlow = now;
            if (slowInWindow >= SLOW_BUDGET && slowReadsInWindow * SLOW_SHARE >= readsInWindow.sum() && !pooled) {
                pooled = true;
                LOG.warn("storage '{}': slow reads took {} ms within {} s (the latest {} ms); serving reads on the"
                        + " read pool until none has been slow for {} s", storage, slowInWindow / 1_000_000,
                        TimeUnit.NANOSECONDS.toSeconds(WINDOW), nanos / 1_000_000,
                        TimeUnit.NANOSECONDS.toSeconds(QUIET_PERIOD));
            }
        }
    }
}
