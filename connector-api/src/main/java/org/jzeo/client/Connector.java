package org.jzeo.client;

import io.netty.handler.ssl.SslContext;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ClientTransport;
import org.jzeo.client.net.ServerAddress;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.protocol.Requests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client connected: tries the configured addresses in order (every IP of a name), registers, has the
 * cache verified, and makes the session live; after a loss it retries with delays doubling from
 * {@code min-disconnect-poll} to {@code max-disconnect-poll}. With {@code read-only-fallback} it takes a read-only
 * server when no writable one answers and keeps polling for a writable one, switching when one appears. Runs on
 * its own thread; the rest of the client only reads {@link #current()}.
 */
final class Connector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    /** What the storage does when a session becomes the current one; runs on the I/O thread. */
    interface Installer {
        void install(ClientSession session, Map<Object, Object> info);
    }

    private final ClientOptions options;
    private final ClientTransport transport;
    private final SslContext tls;
    private final CacheVerifier verifier;
    private final ClientSession.Events events;
    private final Installer installer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, String> lastAttempts = new LinkedHashMap<>();
    private volatile ClientSession current;
    /** Set when a whole round of addresses ended with a refused sign-on and no connection; cleared by a connection. */
    private AuthenticationException signOnRefused;
    /** Whether a server refused the sign-on during the round under way (the connecting thread only). */
    private AuthenticationException refusedThisRound;
    private boolean closed;
    private Thread thread;

    Connector(ClientOptions options, ClientTransport transport, CacheVerifier verifier, ClientSession.Events events,
              Installer installer) {
        this.options = options;
        this.transport = transport;
        this.tls = options.tls() == null ? null : options.tls().context();
        this.verifier = verifier;
        this.events = events;
        this.installer = installer;
    }

    void start() {
        thread = new Thread(this::run, "jzeo-client-connector-" + options.storage());
        thread.setDaemon(true);
        thread.start();
    }

    /** The live session, or null while disconnected. */
    ClientSession current() {
        return current;
    }

    /** Waits until a session is live; false on timeout. */
    boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (current == null && !closed && signOnRefused == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return current != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The refusal of the last round of connection attempts, if a server refused to let the client sign on and none
     * took it: trying longer with the same credentials will not help, so a waiting constructor gives up at once.
     */
    AuthenticationException signOnRefused() {
        lock.lock();
        try {
            return signOnRefused;
        } finally {
            lock.unlock();
        }
    }

    /** The addresses tried most recently and what happened, for error messages. */
    String attempts() {
        lock.lock();
        try {
            if (lastAttempts.isEmpty()) {
                return "no connection attempt finished yet (servers: " + options.servers() + ")";
            }
            List<String> parts = new ArrayList<>();
            lastAttempts.forEach((address, outcome) -> parts.add(address + " (" + outcome + ")"));
            return "tried " + String.join(", ", parts);
        } finally {
            lock.unlock();
        }
    }

    /** The session's connection was lost: forget it and let the loop reconnect. */
    void lost(ClientSession session) {
        lock.lock();
        try {
            if (current == session) {
                current = null;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        ClientSession last;
        lock.lock();
        try {
            closed = true;
            last = current;
            current = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (last != null) {
            last.connection().close();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- the connector thread

    private void run() {
        Duration delay = options.minDisconnectPoll();
        while (!isClosed()) {
            ClientSession session = current;
            boolean upgrading = session != null && session.isReadOnly() && options.readOnlyFallback();
            if (session != null && !upgrading) {
                awaitChange(session, null);
                delay = options.minDisconnectPoll();
                continue;
            }
            refusedThisRound = null;
            boolean connected = connectOnce(session);
            lock.lock();
            try {
                signOnRefused = connected ? null : refusedThisRound;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (connected) {
                delay = options.minDisconnectPoll();
                continue;
            }
            if (!upgrading) {
                LOG.warn("storage '{}' not connected: {}; retrying in {} s", options.storage(), attempts(),
                        delay.toMillis() / 1000.0);
            }
            awaitChange(session, delay);
            delay = delay.multipliedBy(2).compareTo(options.maxDisconnectPoll()) > 0
                    ? options.maxDisconnectPoll() : delay.multipliedBy(2);
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until closed, until the current session is no longer {@code session}, or {@code delay} passed. */
    private void awaitChange(ClientSession session, Duration delay) {
        lock.lock();
        try {
            long deadline = delay == null ? Long.MAX_VALUE : System.nanoTime() + delay.toNanos();
            while (!closed && current == session) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(60)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One round over the addresses. {@code readOnlyNow} is the read-only session being kept while looking for a
     * writable server, or null. Returns true when a session went live.
     */
    private boolean connectOnce(ClientSession readOnlyNow) {
        boolean upgrading = readOnlyNow != null;
        List<ServerAddress> readOnlyServers = new ArrayList<>();
        for (ServerAddress address : options.servers()) {
            if (upgrading && address.equals(readOnlyNow.connection().address())) {
                continue;
            }
            try {
                if (tryAddress(address, options.readOnly(), readOnlyNow)) {
                    return true;
                }
            } catch (ReadOnlyException e) {
                readOnlyServers.add(address);
                note(address, "read-only");
            }
            if (isClosed()) {
                return false;
            }
        }
        if (options.readOnlyFallback() && !upgrading) {
            for (ServerAddress address : readOnlyServers) {
                if (tryAddress(address, true, null)) {
                    LOG.warn("storage '{}': no writable server answered; using read-only server {} and polling"
                            + " for a writable one", options.storage(), address);
                    return true;
                }
            }
        }
        return false;
    }

    /** Tries every socket address of one server address; ReadOnlyException when it refused a writable register. */
    private boolean tryAddress(ServerAddress address, boolean registerReadOnly, ClientSession replacing) {
        List<SocketAddress> targets;
        try {
            targets = address.resolve();
        } catch (Exception e) {
            note(address, "cannot resolve: " + e.getMessage());
            return false;
        }
        ReadOnlyException readOnly = null;
        for (SocketAddress target : targets) {
            try {
                establish(address, target, registerReadOnly, replacing);
                note(address, "connected");
                return true;
            } catch (ReadOnlyException e) {
                readOnly = e;
            } catch (AuthenticationException e) {
                refusedThisRound = e;
                note(address, reason(e));
                LOG.warn("storage '{}': {} refused the sign-on: {}", options.storage(), address, e.getMessage());
            } catch (Exception e) {
                note(address, reason(e));
                LOG.debug("connecting to {} ({}) failed", address, target, e);
            }
        }
        if (readOnly != null) {
            throw readOnly;
        }
        return false;
    }

    private void establish(ServerAddress address, SocketAddress target, boolean registerReadOnly,
                           ClientSession replacing) throws Exception {
        ClientSession session = new ClientSession(events);
        ServerConnection connection;
        try {
            connection = transport.connect(address, target, tls, tlsHost(address), options.connectTimeout(), session)
                    .get(options.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Calls.unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("no connection within " + options.connectTimeout().toMillis() + " ms");
        }
        boolean done = false;
        try {
            session.attach(connection, registerReadOnly);
            if (options.credentials() != null) {
                SignOn.run((method, args) -> Calls.await(connection.call(method, args), CALL_TIMEOUT, method),
                        options.credentials(), address.toString());
            }
            Object registered = Calls.await(connection.call(new Requests.Register(options.storage(), registerReadOnly)),
                    CALL_TIMEOUT, "register");
            Tid serverTid = Tid.fromBytes((byte[]) registered);
            if (replacing != null) {
                // Stop the read-only session before verifying: one source of invalidations at a time. Its close
                // callback reports the disconnection like any other.
                LOG.info("storage '{}': writable server {} found, leaving read-only server {}", options.storage(),
                        address, replacing.connection().address());
                replacing.connection().close();
                awaitChange(replacing, CALL_TIMEOUT);
                lost(replacing);
            }
            Tid verified = verifier.verify(connection, serverTid);
            @SuppressWarnings("unchecked")
            Map<Object, Object> info = (Map<Object, Object>) Calls.await(connection.call("get_info"), CALL_TIMEOUT,
                    "get_info");
            boolean installed = connection.eventLoop().submit(() -> install(session, verified, info))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!installed) {
                throw new IllegalStateException("connection closed while verifying");
            }
            LOG.info("storage '{}' connected to {}{}, last transaction {}", options.storage(), address,
                    registerReadOnly ? " (read-only)" : "", verified);
            done = true;
        } finally {
            if (!done) {
                connection.close();
            }
        }
    }

    /** On the I/O thread: replays held-back invalidations and publishes the session, unless it died meanwhile. */
    private boolean install(ClientSession session, Tid verified, Map<Object, Object> info) {
        if (!session.connection().isOpen()) {
            return false;
        }
        if (isClosed()) {
            return false;
        }
        session.goLive(verified);
        // The storage takes the session's info before anyone can see the session.
        installer.install(session, info);
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            current = session;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** The name the server certificate must carry, or null when host names are not verified. */
    private String tlsHost(ServerAddress address) {
        boolean verify = options.tls() != null && options.tls().verifyHostname();
        return verify && address instanceof ServerAddress.Tcp tcp ? tcp.host() : null;
    }

    private void note(ServerAddress address, String outcome) {
        lock.lock();
        try {
            lastAttempts.put(address.toString(), outcome);
        } finally {
            lock.unlock();
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
