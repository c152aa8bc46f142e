package org.jzeo.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.Request;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;

/**
 * jzeo's blocking ZEO 5 (msgpack) client, for the admin commands and the load tool: one connection, one call at
 * a time, from one thread, like one thread of a ZODB client; over TCP, TLS on TCP ({@link AdminTls}) or a Unix
 * socket. Guarantees: the server's announcement is checked before anything is sent; a sync call returns its own reply's result (callbacks such as {@code info} and
 * {@code invalidateTransaction} are skipped and counted); async calls leave in one write with the next sync call;
 * an error reply is thrown as the jzeo exception {@link WireErrors#fromWire(WireMessage)} makes of it
 * (unchecked); nothing waits longer than its timeout: the connection is closed then and a
 * {@link SocketTimeoutException} thrown.
 */
public final class AdminConnection implements AutoCloseable {
    /** The largest reply accepted; a larger length prefix is a protocol error. */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    private final SocketChannel channel;
    private final String peer;
    private final Duration timeout;
    private final MessageCodec codec = new MessageCodec();
    private final ByteArrayOutputStream unsent = new ByteArrayOutputStream();
    /** The bytes to and from the server: the channel's own, or those of the TLS layer over it. */
    private InputStream in;
    private OutputStream out;
    private SSLSocket tls;
    /** Whether the server's announcement has been read: a timeout before it may be a TLS server's silence. */
    private boolean announced;
    private long nextMsgid = 1;
    private long callbacks;
    private volatile boolean expired;

    private AdminConnection(SocketChannel channel, String peer, Duration timeout) {
        this.channel = channel;
        this.peer = peer;
        this.timeout = timeout;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * The server sent no announcement within the timeout. A ZEO server announces itself at once, except one
     * configured with TLS, which first waits for the client's TLS handshake.
     */
    public static final class NoAnnouncementException extends SocketTimeoutException {
        NoAnnouncementException(String message) {
            super(message);
        }
    }

    /**
     * Connects and completes the handshake ({@code M5}), within {@code timeout} (also the default for calls).
     *
     * @param peer how messages name the server, e.g. "127.0.0.1:8100"
     */
    public static AdminConnection open(SocketAddress address, String peer, Duration timeout) throws IOException {
        return open(address, peer, timeout, null);
    }

    /** {@link #open(SocketAddress, String, Duration)}, over TLS unless {@code tls} is null. */
    static AdminConnection open(SocketAddress address, String peer, Duration timeout, AdminTls tls)
            throws IOException {
        AdminConnection c = connect(address, peer, timeout);
        try {
            c.deadline(timeout, () -> {
                c.greet(address, tls);
                c.write(Handshake.clientReply());
                return null;
            });
            return c;
        } catch (IOException e) {
            c.close();
            throw c.explainSilence(e, tls);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * {@link #open(SocketAddress, String, Duration, AdminTls)}, then, unless {@code credentials} is null, signs on
     * before anything else is called (a server that requires it accepts nothing but signing on before).
     */
    static AdminConnection open(SocketAddress address, String peer, Duration timeout, AdminTls tls,
                                Credentials credentials) throws IOException {
        AdminConnection c = open(address, peer, timeout, tls);
        if (credentials != null) {
            try {
                c.signOn(credentials);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /**
     * Signs on with SCRAM-SHA-256 ({@link SignOn}): before {@code register}. An {@link AuthenticationException} when
     * the server refuses ("authentication failed for user alice at 127.0.0.1:8100": the server tells no more, by
     * design), cannot prove it knows the user's verifier, or does not ask clients to sign on at all (then nothing
     * proves it is the server the credentials are meant for).
     */
    public void signOn(Credentials credentials) throws IOException {
        try {
            SignOn.run(this::call, credentials, peer);
        } catch (AuthenticationException e) {
            if (e.getCause() instanceof AuthenticationException) {
                // The server's error reply (SignOn keeps it as the cause): a wrong password or an unknown user.
                throw new AuthenticationException("authentication failed for user " + credentials.username()
                        + " at " + peer, e);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(peer + ": signing on failed: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code ruok} status probe: connects, answers the announcement with {@code ruok} and returns the JSON
     * text the server sends ({@code {storage: server_status, ...}}) before closing.
     */
    public static String probe(SocketAddress address, String peer, Duration timeout) throws IOException {
        return probe(address, peer, timeout, null);
    }

    /** {@link #probe(SocketAddress, String, Duration)}, over TLS unless {@code tls} is null. */
    static String probe(SocketAddress address, String peer, Duration timeout, AdminTls tls) throws IOException {
        try (AdminConnection c = connect(address, peer, timeout)) {
            try {
                return c.deadline(timeout, () -> {
                    c.greet(address, tls);
                    c.write(Handshake.statusProbe());
                    return new String(c.readFrame(), StandardCharsets.UTF_8);
                });
            } catch (IOException e) {
                throw c.explainSilence(e, tls);
            }
        }
    }

    /** Starts TLS if asked to, then reads and checks the server's announcement. */
    private void greet(SocketAddress address, AdminTls settings) throws IOException {
        if (settings != null) {
            startTls(address, settings);
        }
        checkAnnouncement();
        announced = true;
    }

    /** A plain connection that timed out before any announcement: most likely a TLS server waiting for us. */
    private IOException explainSilence(IOException e, AdminTls settings) {
        if (e instanceof SocketTimeoutException && !announced && settings == null) {
            NoAnnouncementException silent = new NoAnnouncementException(peer + ": the server sent no announcement"
                    + " within " + timeout.toMillis() / 1000.0 + " s");
            silent.initCause(e);
            return silent;
        }
        return e;
    }

    /** Layers TLS over the connected channel and completes the TLS handshake. */
    private void startTls(SocketAddress address, AdminTls settings) throws IOException {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IOException(peer + ": TLS over a Unix socket is not supported");
        }
        String name = settings.peerName(inet.getHostString());
        SSLSocket socket = (SSLSocket) settings.context().getSocketFactory()
                .createSocket(channel.socket(), name, inet.getPort(), true);
        socket.setUseClientMode(true);
        if (settings.checkHostname()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
        }
        tls = socket;
        socket.startHandshake();
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static AdminConnection connect(SocketAddress address, String peer, Duration timeout)
            throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        AdminConnection c = new AdminConnection(channel, peer, timeout);
        try {
            c.deadline(timeout, () -> channel.connect(address));
            return c;
        } catch (UnresolvedAddressException e) {
            c.close();
            throw new IOException("cannot resolve the host of " + peer, e);
        } catch (SocketTimeoutException | ConnectException e) {
            c.close();
            throw e;
        } catch (IOException e) {
            // A Unix socket that does not exist, a network that cannot be reached, ...: all "cannot connect".
            c.close();
            ConnectException refused = new ConnectException(e.getMessage());
            refused.initCause(e);
            throw refused;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@code register(storage, readOnly)}: binds the connection to a storage; returns its last transaction. */
    public Tid register(String storage, boolean readOnly) throws IOException {
        Object tid = call(new Requests.Register(storage, readOnly));
        if (!(tid instanceof byte[] bytes) || bytes.length != 8) {
            throw new ProtocolException(peer + ": register answered " + tid + ", not a tid");
        }
        return Tid.fromBytes(bytes);
    }

    /** A sync call with the connection's timeout; returns the decoded result. */
    public Object call(String method, Object... args) throws IOException {
        return call(timeout, method, args);
    }

    /** A sync call that may take up to {@code callTimeout} (null: no limit, e.g. a pack that waits). */
    public Object call(Duration callTimeout, String method, Object... args) throws IOException {
        return call(callTimeout, nextMsgid++, method, Arrays.asList(args));
    }

    /** A sync call of a ZEO method ({@link Requests}) with the connection's timeout. */
    public Object call(Request request) throws IOException {
        return call(timeout, nextMsgid++, request.method(), request.args());
    }

    /** A sync call of a ZEO method that may take up to {@code callTimeout} (null: no limit). */
    public Object call(Duration callTimeout, Request request) throws IOException {
        return call(callTimeout, nextMsgid++, request.method(), request.args());
    }

    /**
     * {@code loadBefore(oid, before)} with the message id {@code [oid, before]}, as the stock client sends it:
     * null, or {@code [data, start, end]}. No deadline: for callers that bound their own time (the load tool).
     */
    @SuppressWarnings("unchecked")
    public List<Object> loadBefore(Oid oid, Tid before) throws IOException {
        Object msgid = MessageId.ofPair(oid.toBytes(), before.toBytes()).value();
        return (List<Object>) call(null, msgid, Requests.LoadBefore.METHOD,
                new Requests.LoadBefore(oid, before).args());
    }

    private Object call(Duration callTimeout, Object msgid, String method, List<?> args) throws IOException {
        MessageId id = MessageId.of(msgid);
        return deadline(callTimeout, () -> {
            queue(codec.encodeCall(msgid, false, method, args));
            flush();
            while (true) {
                WireMessage m = decode(readFrame());
                if (m.isCall()) {
                    callbacks++; // invalidateTransaction, info: not for this client
                } else if (m.isReply() && id.equals(m.msgid())) {
                    if (m.isError()) {
                        throw WireErrors.fromWire(m);
                    }
                    return m.result();
                }
            }
        });
    }

    /**
     * An async (one-way) call: nothing comes back; the server closes the connection if it fails. It leaves in
     * one write with the next sync call, as the stock client sends a transaction's stores with its vote.
     */
    public void send(String method, Object... args) {
        queue(codec.encodeCall(0L, true, method, Arrays.asList(args)));
    }

    /** {@link #send(String, Object...)} of a ZEO method ({@link Requests}). */
    public void send(Request request) {
        queue(codec.encodeCall(0L, true, request.method(), request.args()));
    }

    /** Callbacks the server sent (invalidations, info) and this client skipped. */
    public long callbacks() {
        return callbacks;
    }

    private WireMessage decode(byte[] payload) throws ProtocolException {
        try {
            return codec.decode(payload);
        } catch (MalformedMessageException e) {
            throw new ProtocolException(peer + ": undecodable message: " + e.getMessage());
        }
    }

    private void checkAnnouncement() throws IOException {
        Handshake.Result r = Handshake.classifyServerAnnouncement(readFrame());
        if (r.isBad()) {
            throw new ProtocolException(peer + ": " + r.reason());
        }
    }

    private byte[] readFrame() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(header);
        int length = header.flip().getInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new ProtocolException(peer + ": message of " + Integer.toUnsignedString(length)
                    + " bytes announced; not a ZEO server?");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body);
        return body.array();
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        int n = buffer.remaining();
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException(peer + ": the server closed the connection");
        }
        buffer.put(bytes);
    }

    private void write(byte[] payload) throws IOException {
        queue(payload);
        flush();
    }

    private void queue(byte[] payload) {
        int n = payload.length;
        unsent.write(n >>> 24);
        unsent.write(n >>> 16);
        unsent.write(n >>> 8);
        unsent.write(n);
        unsent.writeBytes(payload);
    }

    private void flush() throws IOException {
        byte[] frames = unsent.toByteArray();
        unsent.reset();
        out.write(frames);
        out.flush();
    }

    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs {@code io}, closing the channel if it takes longer than {@code limit} (null: no limit). */
    private <T> T deadline(Duration limit, Io<T> io) throws IOException {
        if (limit == null) {
            return io.run();
        }
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(this::expire,
                CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS));
        try {
            return io.run();
        } catch (IOException e) {
            // The watchdog closed the channel: a plain read ends with ClosedChannelException, a TLS one with
            // whatever its layer makes of that.
            if (expired) {
                SocketTimeoutException timedOut = new SocketTimeoutException(peer + ": no answer within "
                        + limit.toMillis() / 1000.0 + " s");
                timedOut.initCause(e);
                throw timedOut;
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    private void expire() {
        expired = true;
        // The channel, not the TLS socket: closing that one would wait for the read it is to end.
        closeChannel();
    }

    @Override
    public void close() {
        SSLSocket socket = tls;
        if (socket != null && !expired && channel.isOpen()) {
            try {
                socket.close(); // sends TLS close_notify, then closes the channel
            } catch (IOException e) {
                // the channel is closed below either way
            }
        }
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the connection is gone either way
        }
    }
}
