package org.jzeo.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's own settings, from the {@code <zeo>} section: ZEO 5's options under their ZEO names and defaults,
 * plus jzeo's. Every instance is valid: components are non-null and within range.
 *
 * @param address                  where to listen (ZEO {@code address}); default {@code 127.0.0.1:8100}
 * @param readOnly                 refuse every write on every storage (ZEO {@code read-only}); pack still allowed
 * @param invalidationQueueSize    transactions kept per storage for quick client cache verification
 *                                 (ZEO {@code invalidation-queue-size}, default 100)
 * @param invalidationAge          how old a client's cache may be and still be verified by scanning the storage
 *                                 (ZEO {@code invalidation-age}); empty: never scan
 * @param transactionTimeout       longest time a transaction may hold its locks between vote and finish before
 *                                 its connection is closed (ZEO {@code transaction-timeout}); empty: no limit
 * @param clientConflictResolution return store conflicts to the client from vote, for it to resolve (ZEO
 *                                 {@code client-conflict-resolution}; default true in jzeo, see
 *                                 {@link #DEFAULT_CLIENT_CONFLICT_RESOLUTION}); false: fail the vote
 * @param pidFile                  where to write the process id at start (ZEO {@code pid-filename}); empty: none
 * @param tls                      TLS with client certificates (ZEO {@code <ssl>}); empty: plain TCP
 * @param maxFrameSize             largest message a peer may send, in bytes (jzeo {@code max-frame-size}, 64MB):
 *                                 a longer length prefix closes the connection before anything is allocated
 * @param lockWait                 how long vote waits for another transaction's object lock before answering
 *                                 with a conflict (jzeo {@code lock-wait}, 10s)
 * @param groupCommit              let one fsync cover several transactions finishing together
 *                                 (jzeo {@code group-commit}, on)
 * @param monitorAddress           where ZEO 4's plain-text statistics monitor listens (ZEO 4
 *                                 {@code monitor-address}, TCP or Unix socket); empty: none
 * @param metricsAddress           where the Prometheus {@code /metrics} HTTP endpoint listens (jzeo
 *                                 {@code metrics-address}, TCP only); empty: none
 * @param xaHeuristicTimeout       how long an XA-prepared branch may wait for its commit or rollback before the
 *                                 server rolls it back heuristically, never less than the branch's own timeout
 *                                 (jzeo {@code xa-heuristic-timeout}); empty (default): never
 * @param xaOutcomeRetention       how long the outcome of a completed XA branch is remembered for repeated commits
 *                                 and rollbacks (jzeo {@code xa-outcome-retention}, 24h)
 * @param xaOutcomeLimit           how many completed outcomes are remembered at most, the oldest forgotten first
 *                                 (jzeo {@code xa-outcome-limit}, 100000)
 * @param blobMaxSize              largest blob a client may store, in bytes (jzeo {@code blob-max-size}); 0, the
 *                                 default, for no limit (as ZEO). A larger blob fails its transaction's vote
 * @param authentication           sign-on and rights ({@code authentication-*} and {@code <access>}); empty: none,
 *                                 every client may do everything
 */
public record ZeoConfig(ListenAddress address, boolean readOnly, int invalidationQueueSize,
                        Optional<Duration> invalidationAge, Optional<Duration> transactionTimeout,
                        boolean clientConflictResolution, Optional<Path> pidFile, Optional<TlsConfig> tls,
                        int maxFrameSize, Duration lockWait, boolean groupCommit,
                        Optional<ListenAddress> monitorAddress, Optional<ListenAddress> metricsAddress,
                        Optional<Duration> xaHeuristicTimeout, Duration xaOutcomeRetention, int xaOutcomeLimit,
                        long blobMaxSize, Optional<AuthConfig> authentication) {

    /** The address used when none is configured. */
    public static final ListenAddress DEFAULT_ADDRESS = new ListenAddress.Tcp("127.0.0.1", 8100);
    public static final int DEFAULT_INVALIDATION_QUEUE_SIZE = 100;
    public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;
    /** Smallest accepted {@code max-frame-size}: below this even ordinary records would not fit. */
    public static final int MIN_MAX_FRAME_SIZE = 64 * 1024;
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_XA_OUTCOME_RETENTION = Duration.ofHours(24);
    public static final int DEFAULT_XA_OUTCOME_LIMIT = org.jzeo.server.xa.XaOptions.DEFAULT_OUTCOME_LIMIT;

    public ZeoConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(invalidationAge, "invalidationAge");
        Objects.requireNonNull(transactionTimeout, "transactionTimeout");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(monitorAddress, "monitorAddress");
        Objects.requireNonNull(metricsAddress, "metricsAddress");
        if (metricsAddress.isPresent() && !(metricsAddress.get() instanceof ListenAddress.Tcp)) {
            throw new IllegalArgumentException("metricsAddress must be TCP: " + metricsAddress.get());
        }
        if (invalidationQueueSize < 0) {
            throw new IllegalArgumentException("invalidationQueueSize " + invalidationQueueSize);
        }
        if (maxFrameSize < MIN_MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize " + maxFrameSize + " < " + MIN_MAX_FRAME_SIZE);
        }
        if (lockWait.isNegative()) {
            throw new IllegalArgumentException("lockWait " + lockWait);
        }
        invalidationAge.ifPresent(age -> requirePositive("invalidationAge", age));
        transactionTimeout.ifPresent(timeout -> requirePositive("transactionTimeout", timeout));
        Objects.requireNonNull(xaHeuristicTimeout, "xaHeuristicTimeout");
        Objects.requireNonNull(xaOutcomeRetention, "xaOutcomeRetention");
        xaHeuristicTimeout.ifPresent(timeout -> requirePositive("xaHeuristicTimeout", timeout));
        if (xaOutcomeRetention.isNegative()) {
            throw new IllegalArgumentException("xaOutcomeRetention " + xaOutcomeRetention);
        }
        if (blobMaxSize < 0) {
            throw new IllegalArgumentException("blobMaxSize " + blobMaxSize);
        }
        Objects.requireNonNull(authentication, "authentication");
        if (xaOutcomeLimit < 1) {
            throw new IllegalArgumentException("xaOutcomeLimit " + xaOutcomeLimit);
        }
    }

    /**
     * jzeo's one default that differs from ZEO's: ZEO's server resolves conflicts itself by running the object's
     * Python {@code _p_resolveConflict}, which a JVM cannot; handing the conflict to the client instead (ZEO's
     * client-side mode) lets the stock client resolve it with that same code, so what ZEO would commit commits.
     */
    public static final boolean DEFAULT_CLIENT_CONFLICT_RESOLUTION = true;

    /** Every option at its default: what the server uses when {@code <zeo>} is absent or empty. */
    public static ZeoConfig defaults() {
        return new ZeoConfig(DEFAULT_ADDRESS, false, DEFAULT_INVALIDATION_QUEUE_SIZE, Optional.empty(),
                Optional.empty(), DEFAULT_CLIENT_CONFLICT_RESOLUTION, Optional.empty(), Optional.empty(), DEFAULT_MAX_FRAME_SIZE,
                DEFAULT_LOCK_WAIT, true, Optional.empty(), Optional.empty(),
                Optional.empty(), DEFAULT_XA_OUTCOME_RETENTION, DEFAULT_XA_OUTCOME_LIMIT, 0L, Optional.empty());
    }

    /** For the command line's {@code -a}. */
    public ZeoConfig withAddress(ListenAddress value) {
        return new ZeoConfig(value, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For the command line's {@code --invalidation-queue-size}. */
    public ZeoConfig withInvalidationQueueSize(int value) {
        return new ZeoConfig(address, readOnly, value, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For tests and embedding: client-side conflict resolution on or off. */
    public ZeoConfig withClientConflictResolution(boolean value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                value, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress, metricsAddress,
                xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    public ZeoConfig withLockWait(Duration value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, value, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    public ZeoConfig withMaxFrameSize(int value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, value, lockWait, groupCommit, monitorAddress, metricsAddress,
                xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    public ZeoConfig withTls(Optional<TlsConfig> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, value, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    public ZeoConfig withInvalidationAge(Optional<Duration> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, value, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For the command line's {@code -r}. */
    public ZeoConfig withReadOnly(boolean value) {
        return new ZeoConfig(address, value, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For the command line's {@code -t}. */
    public ZeoConfig withTransactionTimeout(Optional<Duration> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, value,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For the command line's {@code --pid-file}. */
    public ZeoConfig withPidFile(Optional<Path> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, value, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For {@code monitor-address} and the command line's {@code --monitor-address}. */
    public ZeoConfig withMonitorAddress(Optional<ListenAddress> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, value, metricsAddress,
                xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For {@code metrics-address} and the command line's {@code --metrics-address}. */
    public ZeoConfig withMetricsAddress(Optional<ListenAddress> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress, value,
                xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For {@code xa-heuristic-timeout} and the command line's {@code --xa-heuristic-timeout}. */
    public ZeoConfig withXaHeuristicTimeout(Optional<Duration> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress,
                metricsAddress, value, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For {@code xa-outcome-retention} and the command line's {@code --xa-outcome-retention}. */
    public ZeoConfig withXaOutcomeRetention(Duration value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress,
                metricsAddress, xaHeuristicTimeout, value, xaOutcomeLimit, blobMaxSize, authentication);
    }

    /** For {@code xa-outcome-limit} and the command line's {@code --xa-outcome-limit}. */
    public ZeoConfig withXaOutcomeLimit(int value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress,
                metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, value, blobMaxSize, authentication);
    }

    /** For {@code blob-max-size}: 0 for no limit. */
    public ZeoConfig withBlobMaxSize(long value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress,
                metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, value, authentication);
    }

    /** For tests and embedding: sign-on and rights, or none. */
    public ZeoConfig withAuthentication(Optional<AuthConfig> value) {
        return new ZeoConfig(address, readOnly, invalidationQueueSize, invalidationAge, transactionTimeout,
                clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit, monitorAddress,
                metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize, value);
    }

    /** The XA settings of the storages. */
    public org.jzeo.server.xa.XaOptions xaOptions() {
        return new org.jzeo.server.xa.XaOptions(xaHeuristicTimeout, xaOutcomeRetention,
                org.jzeo.server.xa.XaOptions.DEFAULT_COMPACT_THRESHOLD, xaOutcomeLimit);
    }

    private static void requirePositive(String what, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " " + value);
        }
    }
}
