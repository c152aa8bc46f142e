package org.jzeo.server.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jzeo.server.RunningServer;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.config.ServerConfigLoader;
import org.jzeo.server.config.ZeoConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code jzeo serve}: runzeo. With no arguments it serves {@code ./var/Data.fs} as storage "1" on
 * 127.0.0.1:8100. Flags override the configuration file. SIGTERM or Ctrl-C stops the server cleanly: connections
 * are closed (their transactions aborted), and the storages are closed with their indexes saved. It creates no
 * logger before it runs, so that {@link JzeoCommand#main} can configure logging first.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the storage server (default: ./var/Data.fs on 127.0.0.1:8100).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-C", "--configure"}, description = "A zeo.conf file.")
    Path configFile;

    @Option(names = {"-a", "--address"},
            description = "Address to listen on: host:port, [ipv6]:port, port, or a Unix socket path.")
    String address;

    @Option(names = {"-f", "--filename"}, description = "Serve this Data.fs as storage '1' (replaces the storages"
            + " of the configuration file).")
    Path filename;

    @Option(names = "--blob-dir", paramLabel = "DIR", description = "Keep blobs in this folder (ZODB's blob-dir) for"
            + " the storage of -f, or the default storage; with -C, set blob-dir in its <filestorage> instead.")
    Path blobDir;

    @Option(names = {"-r", "--read-only"}, description = "Serve every storage read-only.")
    boolean readOnly;

    @Option(names = {"-t", "--timeout"}, description = "transaction-timeout, in seconds.")
    Double transactionTimeout;

    @Option(names = "--invalidation-queue-size", description = "Transactions kept for cache verification"
            + " (default 100).")
    Integer invalidationQueueSize;

    @Option(names = "--pid-file", description = "Write the process id to this file.")
    Path pidFile;

    @Option(names = "--monitor-address", paramLabel = "ADDRESS",
            description = "Serve ZEO 4's plain-text statistics report here: host:port, port or a Unix socket path.")
    String monitorAddress;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics over HTTP at http://HOST:PORT/metrics.")
    String metricsAddress;

    @Option(names = "--xa-heuristic-timeout", paramLabel = "SECONDS",
            description = "Roll back an XA-prepared branch heuristically after it waited this long for its commit"
                    + " or rollback (never less than the branch's own timeout; default: never).")
    Double xaHeuristicTimeout;

    @Option(names = "--xa-outcome-retention", paramLabel = "SECONDS",
            description = "How long the outcome of a completed XA branch is remembered (default 86400).")
    Double xaOutcomeRetention;

    @Option(names = "--xa-outcome-limit", paramLabel = "N",
            description = "How many completed XA outcomes are remembered at most, the oldest forgotten first"
                    + " (default 100000).")
    Integer xaOutcomeLimit;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = configuration();
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        LoggingSetup.limitations(config.eventlog()).forEach(log::warn);
        RunningServer server = RunningServer.start(config);
        CountDownLatch stopRequested = new CountDownLatch(1);
        Object closing = new Object();
        boolean[] closed = {false};
        Runnable closeOnce = () -> {
            synchronized (closing) {
                if (!closed[0]) {
                    server.close();
                    closed[0] = true;
                }
            }
        };
        // SIGTERM and SIGINT are the operator's "stop". They are handled here rather than by the JVM's shutdown,
        // whose exit status would be 128 + signal whatever the hooks do: runzeo exits 0 after a clean stop.
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), s -> {
                    log.info("terminated by SIG{}", s.getName());
                    stopRequested.countDown();
                });
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{}; the shutdown hook will close the server", name, e);
            }
        }
        if (config.zeo().authentication().isPresent()) {
            // As daemons do: SIGHUP rereads the password database (it is also reread when it changes).
            try {
                Signal.handle(new Signal("HUP"), s -> server.reloadAuthentication());
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIGHUP; the password database is still reread when it changes", e);
            }
        }
        // Any other end of the JVM (System.exit elsewhere, SIGHUP without authentication, a signal not handled above)
        // still closes cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(closeOnce, "jzeo-shutdown"));
        log.info("jzeo server ready on {}", server.addresses());
        stopRequested.await();
        closeOnce.run();
        return 0;
    }

    ServerConfig configuration() {
        ServerConfig config = configFile == null ? ServerConfig.defaults() : new ServerConfigLoader().load(configFile);
        ZeoConfig zeo = config.zeo();
        if (address != null) {
            zeo = zeo.withAddress(ListenAddress.parse(address));
        }
        if (readOnly) {
            zeo = zeo.withReadOnly(true);
        }
        if (transactionTimeout != null) {
            zeo = zeo.withTransactionTimeout(Optional.of(Duration.ofMillis((long) (transactionTimeout * 1000))));
        }
        if (invalidationQueueSize != null) {
            zeo = zeo.withInvalidationQueueSize(invalidationQueueSize);
        }
        if (pidFile != null) {
            zeo = zeo.withPidFile(Optional.of(pidFile));
        }
        if (monitorAddress != null) {
            zeo = zeo.withMonitorAddress(Optional.of(ListenAddress.parse(monitorAddress)));
        }
        if (metricsAddress != null) {
            ListenAddress metrics = ListenAddress.parse(metricsAddress);
            if (!(metrics instanceof ListenAddress.Tcp)) {
                throw new IllegalArgumentException("--metrics-address must be host:port (HTTP), not a Unix socket");
            }
            zeo = zeo.withMetricsAddress(Optional.of(metrics));
        }
        if (xaHeuristicTimeout != null) {
            if (!(xaHeuristicTimeout > 0)) {
                throw new IllegalArgumentException("--xa-heuristic-timeout must be more than 0 seconds");
            }
            zeo = zeo.withXaHeuristicTimeout(Optional.of(Duration.ofMillis((long) (xaHeuristicTimeout * 1000))));
        }
        if (xaOutcomeRetention != null) {
            if (!(xaOutcomeRetention >= 0)) {
                throw new IllegalArgumentException("--xa-outcome-retention must be 0 or more seconds");
            }
            zeo = zeo.withXaOutcomeRetention(Duration.ofMillis((long) (xaOutcomeRetention * 1000)));
        }
        if (xaOutcomeLimit != null) {
            if (xaOutcomeLimit < 1) {
                throw new IllegalArgumentException("--xa-outcome-limit must be 1 or more");
            }
            zeo = zeo.withXaOutcomeLimit(xaOutcomeLimit);
        }
        config = config.withZeo(zeo);
        if (filename != null) {
            config = config.withStorages(List.of(FileStorageConfig.of(ServerConfig.DEFAULT_STORAGE_NAME, filename)));
        }
        if (blobDir != null) {
            if (configFile != null && filename == null) {
                throw new IllegalArgumentException("--blob-dir is for the storage of -f (or the default one); with -C,"
                        + " set blob-dir in the <filestorage> section of " + configFile);
            }
            config = config.withStorages(config.storages().stream()
                    .map(s -> s instanceof FileStorageConfig f ? f.withBlobDir(blobDir) : s).toList());
        }
        return config;
    }
}
