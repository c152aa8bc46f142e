package org.jzeo.server;

import io.netty.handler.ssl.SslContext;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.config.StorageConfig;
import org.jzeo.server.config.ZeoConfig;
import org.jzeo.server.core.ServedStorage;
import org.jzeo.server.core.StorageServer;
import org.jzeo.server.monitor.Monitors;
import org.jzeo.server.net.TlsContexts;
import org.jzeo.server.net.ZeoServer;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.storage.Storage;
import org.jzeo.server.auth.Authenticator;
import org.jzeo.server.auth.FailureThrottle;
import org.jzeo.server.auth.PasswordFileVerifiers;
import org.jzeo.server.config.AuthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole server built from a {@link ServerConfig}: opens the storages, starts listening, and stops cleanly
 * (connections closed, transactions aborted, storages closed with their indexes saved). Used by
 * {@code jzeo serve} and by tests that run a server in-process.
 */
public final class RunningServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

    private final ZeoServer network;
    private final StorageServer storages;
    private final List<SocketAddress> addresses;
    private final Path pidFile;
    private final Monitors monitors;

    private RunningServer(ZeoServer network, StorageServer storages, List<SocketAddress> addresses, Path pidFile,
                          Monitors monitors) {
        this.network = network;
        this.storages = storages;
        this.addresses = addresses;
        this.pidFile = pidFile;
        this.monitors = monitors;
    }

    public static RunningServer start(ServerConfig config) throws InterruptedException {
        return start(config, ReferenceScanner.finder());
    }

    /**
     * Starts a server whose storages find object references for pack's garbage collection with {@code references}
     * (the default reads Python pickles and jzeo records; tests pass one that lets them see a pack at work).
     */
    public static RunningServer start(ServerConfig config, ReferenceFinder references) throws InterruptedException {
        ZeoConfig zeo = config.zeo();
        StorageServer server = new StorageServer(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
        server.setBlobMaxSize(zeo.blobMaxSize());
        Monitors monitors = Monitors.none();
        try {
            if (zeo.authentication().isPresent()) {
                server.setAuthenticator(authenticator(zeo.authentication().get()));
            }
            for (StorageConfig sc : config.storages()) {
                boolean gc = sc.packGc();
                Storage storage = StorageOpener.open(sc, zeo.lockWait(), references);
                server.add(new ServedStorage(sc.name(), storage, zeo.readOnly(), zeo.clientConflictResolution(),
                        zeo.transactionTimeout().orElse(null), zeo.invalidationQueueSize(),
                        zeo.invalidationAge().orElse(null), InstantSource.system(), zeo.xaOptions()), gc);
                LOG.info("storage '{}': {} objects, last transaction {}", sc.name(), storage.length(),
                        storage.lastTransaction());
            }
            monitors = Monitors.start(zeo.monitorAddress(), zeo.metricsAddress(), server.metrics());
            SslContext tls = zeo.tls().map(TlsContexts::server).orElse(null);
            ZeoServer network = new ZeoServer(server, zeo.maxFrameSize(), tls);
            List<SocketAddress> bound = network.start(List.of(zeo.address()));
            Path pid = zeo.pidFile().orElse(null);
            if (pid != null) {
                writePid(pid);
            }
            return new RunningServer(network, server, bound, pid, monitors);
        } catch (RuntimeException | InterruptedException e) {
            monitors.close();
            server.close();
            throw e;
        }
    }

    /** The sign-on and rights of {@code config}; the password file must be readable and well formed. */
    private static Authenticator authenticator(AuthConfig config) {
        PasswordFileVerifiers users;
        try {
            users = new PasswordFileVerifiers(config.database());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the authentication-database " + config.database() + ": "
                    + e.getMessage(), e);
        }
        config.realm().filter(realm -> !realm.equals(users.realm())).ifPresent(realm -> {
            throw new IllegalArgumentException("authentication-realm '" + realm + "' differs from the realm '"
                    + users.realm() + "' of " + config.database() + " (jzeo passwd -r sets a file's realm)");
        });
        LOG.info("clients must sign on ({}, realm '{}', users from {}, {} s to sign on)",
                org.jzeo.auth.AuthWire.PROTOCOL, config.realm().orElse(users.realm()), config.database(),
                config.timeout().toMillis() / 1000.0);
        return new Authenticator(users, config.access(), config.realm(), config.timeout(), FailureThrottle.standard());
    }

    /** Rereads the password database, if the server has one (SIGHUP). */
    public void reloadAuthentication() {
        Authenticator auth = storages.authenticator();
        if (auth != null) {
            auth.reload();
            LOG.info("password database reread (SIGHUP)");
        }
    }

    private static void writePid(Path pid) {
        try {
            Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        } catch (java.io.IOException e) {
            LOG.warn("cannot write the pid file {}: {}", pid, e.getMessage());
        }
    }

    /** The addresses the server listens on (ports resolved). */
    public List<SocketAddress> addresses() {
        return new ArrayList<>(addresses);
    }

    public StorageServer storages() {
        return storages;
    }

    /** The statistics listeners ({@code monitor-address}, {@code metrics-address}) and where they listen. */
    public Monitors monitors() {
        return monitors;
    }

    @Override
    public void close() {
        LOG.info("shutting down");
        monitors.close();
        network.close();
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (java.io.IOException e) {
                LOG.debug("removing {}", pidFile, e);
            }
        }
    }
}
