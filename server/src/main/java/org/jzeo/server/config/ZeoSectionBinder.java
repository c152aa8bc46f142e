package org.jzeo.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns a {@code <zeo>} section into a {@link ZeoConfig}: ZEO 5's keys with ZEO's defaults, ZEO 4 keys that are
 * harmless to ignore (with a warning), ZEO 4's {@code monitor-address} (served again), ZEO 4's authentication keys
 * with SCRAM-SHA-256 in place of its digest ({@link AuthSectionBinder}), and jzeo's own keys (including
 * {@code metrics-address}).
 */
final class ZeoSectionBinder {
    private ZeoSectionBinder() {
    }

    static ZeoConfig bind(ConfigSection zeo, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(zeo, warnings);
        Optional<ListenAddress> address = r.optional("address", Datatypes::listenAddress);
        if (address.isEmpty()) {
            r.warn(zeo.location(), zeo.label() + " has no 'address' (ZEO requires one): listening on "
                    + ZeoConfig.DEFAULT_ADDRESS);
        }
        boolean readOnly = r.get("read-only", Datatypes::bool, false);
        int queueSize = r.get("invalidation-queue-size", ZeoSectionBinder::queueSize,
                ZeoConfig.DEFAULT_INVALIDATION_QUEUE_SIZE);
        Optional<Duration> invalidationAge = r.optional("invalidation-age", ZeoSectionBinder::positiveInterval);
        Optional<Duration> transactionTimeout =
                r.optional("transaction-timeout", ZeoSectionBinder::positiveInterval);
        boolean clientConflictResolution = r.get("client-conflict-resolution", Datatypes::bool,
                ZeoConfig.DEFAULT_CLIENT_CONFLICT_RESOLUTION);
        r.entry("msgpack").ifPresent(e -> {
            if (!r.convert(e, Datatypes::bool)) {
                r.warn(e.location(), "'msgpack off' in " + zeo.label() + " is ignored: jzeo always speaks ZEO's"
                        + " msgpack protocol (M5), so Python clients need the msgpack package");
            }
        });
        Optional<Path> pidFile = r.optional("pid-filename", Datatypes::path);
        int maxFrameSize = r.get("max-frame-size", ZeoSectionBinder::frameSize, ZeoConfig.DEFAULT_MAX_FRAME_SIZE);
        Duration lockWait = r.get("lock-wait", Datatypes::timeInterval, ZeoConfig.DEFAULT_LOCK_WAIT);
        boolean groupCommit = r.get("group-commit", Datatypes::bool, true);
        Optional<ListenAddress> monitorAddress = r.optional("monitor-address", Datatypes::listenAddress);
        Optional<ListenAddress> metricsAddress = r.optional("metrics-address", ZeoSectionBinder::tcpAddress);
        Optional<Duration> xaHeuristicTimeout = r.optional("xa-heuristic-timeout", ZeoSectionBinder::positiveInterval);
        Duration xaOutcomeRetention = r.get("xa-outcome-retention", Datatypes::timeInterval,
                ZeoConfig.DEFAULT_XA_OUTCOME_RETENTION);
        int xaOutcomeLimit = r.get("xa-outcome-limit", ZeoSectionBinder::outcomeLimit,
                ZeoConfig.DEFAULT_XA_OUTCOME_LIMIT);
        long blobMaxSize = r.get("blob-max-size", ZeoSectionBinder::blobMaxSize, 0L);
        Optional<AuthConfig> authentication = AuthSectionBinder.bind(r, warnings);
        Optional<TlsConfig> tls = r.section("ssl").map(ssl -> TlsSectionBinder.bind(ssl, warnings));
        r.finish();
        return new ZeoConfig(address.orElse(ZeoConfig.DEFAULT_ADDRESS), readOnly, queueSize, invalidationAge,
                transactionTimeout, clientConflictResolution, pidFile, tls, maxFrameSize, lockWait, groupCommit,
                monitorAddress, metricsAddress, xaHeuristicTimeout, xaOutcomeRetention, xaOutcomeLimit, blobMaxSize,
                authentication);
    }

    private static long blobMaxSize(String text) {
        long n = Datatypes.byteSize(text);
        if (n < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size (0 for no limit, or a size such as 2GB)");
        }
        return n;
    }

    private static int outcomeLimit(String text) {
        long n = Datatypes.integer(text);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is not an outcome limit (1 or more branches)");
        }
        return (int) n;
    }

    /** An HTTP listen address: host:port, [ipv6]:port or a bare port; a Unix socket path is refused. */
    private static ListenAddress tcpAddress(String text) {
        ListenAddress address = Datatypes.listenAddress(text);
        if (!(address instanceof ListenAddress.Tcp)) {
            throw new IllegalArgumentException("'" + text + "' is a Unix socket path; the metrics endpoint is HTTP"
                    + " and needs host:port");
        }
        return address;
    }

    private static int queueSize(String text) {
        long n = Datatypes.integer(text);
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is not a queue size (0 or more transactions)");
        }
        return (int) n;
    }

    private static Duration positiveInterval(String text) {
        Duration d = Datatypes.timeInterval(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be more than 0 (leave the key out for none)");
        }
        return d;
    }

    private static int frameSize(String text) {
        long n = Datatypes.byteSize(text);
        if (n < ZeoConfig.MIN_MAX_FRAME_SIZE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is outside 64KB to 2GB-1");
        }
        return (int) n;
    }
}
