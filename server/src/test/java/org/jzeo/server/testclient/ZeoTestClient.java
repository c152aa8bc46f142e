package org.jzeo.server.testclient;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;
import org.jzeo.storage.LoadResult;

/**
 * A blocking ZEO 5 msgpack client for server tests: it speaks the protocol the way ZEO 5.4's Python client does
 * (spec §2–§4, §6), records every message the server sends in arrival order, completes every sync call exactly
 * once (with its reply, or with {@link ConnectionClosed} when the connection ends) and drops nothing the server
 * sends: a reply nobody waits for, a malformed message or an oddly shaped callback is noted in
 * {@link #anomalies()}.
 *
 * <p>Threads: one background reader per connection; every public method may be called from any thread.
 *
 * <p>Errors: an error reply is thrown as the jzeo exception {@link WireErrors#fromWire(WireMessage)} makes of it
 * (so {@code assertThatThrownBy(...).isInstanceOf(ConflictException.class)} works); a closed connection as
 * {@link ConnectionClosed}; the server breaking the protocol in a way that stops a call (no reply within the
 * timeout, a result of the wrong type) as an {@link AssertionError}.
 *
 * <p>Wire types: arguments are encoded by {@link MessageCodec}'s rules, so pass oids, tids, pickles, user and
 * description as {@code byte[]} or {@link Oid}/{@link Tid} (both become bin), and names as {@code String}.
 */
public final class ZeoTestClient implements AutoCloseable {
    /** How long connecting, the handshake and each sync call may take unless configured otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The largest frame accepted from the server; a larger announcement closes the connection. */
    static final int MAX_FRAME = 256 * 1024 * 1024;
    /** A server announcement longer than this is not a ZEO handshake. */
    private static final int MAX_HANDSHAKE = 64;
    private static final byte[] EMPTY = new byte[0];

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final MessageCodec codec = new MessageCodec();
    private final AtomicLong nextMsgid = new AtomicLong(1);
    private final PendingCalls pending = new PendingCalls();
    private final BlockingQueue<Callback> callbacks = new LinkedBlockingQueue<>();
    private final List<WireMessage> history = new ArrayList<>();
    private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread reader;
    private volatile Duration callTimeout;
    private volatile boolean closing;

    private ZeoTestClient(Socket socket, DataInputStream in, Duration callTimeout) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.callTimeout = callTimeout;
        this.reader = new Thread(this::readLoop, "ZeoTestClient reader " + socket.getRemoteSocketAddress());
        this.reader.setDaemon(true);
    }

    // ---------------------------------------------------------------- connecting

    /** Connects over plain TCP and does the handshake, with {@link #DEFAULT_TIMEOUT} for everything. */
    public static ZeoTestClient connect(InetSocketAddress address) throws IOException {
        return connect(address, DEFAULT_TIMEOUT);
    }

    /** Connects over plain TCP and does the handshake; {@code timeout} bounds the connect, the handshake and calls. */
    public static ZeoTestClient connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, millis(timeout));
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return connect(socket, timeout);
    }

    /** Does the handshake on a socket that is already connected (e.g. an {@code SSLSocket}), then takes it over. */
    public static ZeoTestClient connect(Socket alreadyConnectedSocket) throws IOException {
        return connect(alreadyConnectedSocket, DEFAULT_TIMEOUT);
    }

    /**
     * Does the handshake on a connected socket: reads the server's announcement, which must be exactly
     * {@code "M5"}, and answers {@code "M5"}. The socket belongs to the client from then on, and is closed if the
     * handshake fails.
     *
     * @throws ProtocolException if the server announced anything but M5, with the bytes it sent
     */
    public static ZeoTestClient connect(Socket alreadyConnectedSocket, Duration timeout) throws IOException {
        Socket socket = Objects.requireNonNull(alreadyConnectedSocket, "socket");
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            socket.setSoTimeout(millis(timeout));
            readAnnouncement(in);
            socket.setSoTimeout(0); // from now on the reader blocks until data comes or the socket closes
            ZeoTestClient client = new ZeoTestClient(socket, in, timeout);
            client.sendPayload(Handshake.clientReply());
            client.reader.start();
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads the server's first frame and checks it is {@code "M5"}; any other bytes are shown in the error. */
    private static void readAnnouncement(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        String problem = null;
        try {
            if (!readUpTo(in, SizedFrames.PREFIX, seen)) {
                problem = "the connection ended before a complete length prefix";
            } else {
                long length = Integer.toUnsignedLong(ByteBuffer.wrap(seen.toByteArray()).getInt());
                if (length > MAX_HANDSHAKE) {
                    problem = "a frame of " + length + " bytes is no ZEO handshake";
                } else if (!readUpTo(in, (int) length, seen)) {
                    problem = "the connection ended inside the frame";
                }
            }
        } catch (SocketTimeoutException e) {
            problem = "nothing more arrived within the timeout";
        }
        byte[] expected = SizedFrames.frame(Handshake.serverAnnouncement());
        if (problem != null || !Arrays.equals(seen.toByteArray(), expected)) {
            throw new ProtocolException("the server's handshake must be the frame " + show(expected) + ", got "
                    + show(seen.toByteArray()) + (problem == null ? "" : "; " + problem));
        }
    }

    /** Reads {@code count} bytes into {@code seen}; false if the stream ended first. */
    private static boolean readUpTo(InputStream in, int count, ByteArrayOutputStream seen) throws IOException {
        for (int i = 0; i < count; i++) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            seen.write(b);
        }
        return true;
    }

    // ---------------------------------------------------------------- configuration and state

    /** Sets how long {@link #call} and the typed wrappers wait for a reply. */
    public ZeoTestClient withCallTimeout(Duration timeout) {
        this.callTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /** True once the connection has ended, whoever closed it. */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** Waits until the connection has ended (e.g. the server closed it); false if it is still open after the wait. */
    public boolean awaitClosed(Duration timeout) {
        try {
            closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the closed future never fails", e);
        }
    }

    /** Why the connection ended ("the server closed the connection", ...), or null while it is open. */
    public String closedReason() {
        return pending.closedReason();
    }

    // ---------------------------------------------------------------- calls

    /**
     * A sync call {@code [n, false, method, args]} with the next msgid (1, 2, 3, ... per connection); waits for the
     * reply and returns its result (nil → null).
     *
     * @throws org.jzeo.api.StorageException the error reply, mapped by {@link WireErrors#fromWire(WireMessage)}
     * @throws ConnectionClosed if the connection ends before the reply
     * @throws AssertionError if no reply comes within {@link #callTimeout()}
     */
    public Object call(String method, Object... args) {
        return callWithMsgid(nextMsgid.getAndIncrement(), method, args);
    }

    /**
     * {@link #call} with an explicit msgid, which the server must echo exactly: e.g. {@code List.of(oidBytes,
     * tidBytes)} as ZEO's client uses for loadBefore. It must differ from every msgid still waiting for a reply.
     */
    public Object callWithMsgid(Object msgid, String method, Object... args) {
        MessageId id = MessageId.of(msgid);
        return awaitResult(id, method, start(id, method, args));
    }

    /**
     * A sync call whose reply is not waited for: the future completes with the result, or fails with the mapped
     * error reply or {@link ConnectionClosed} (as the cause of the {@code ExecutionException}). For testing
     * delayed replies, such as a vote waiting for the commit lock. It never times out by itself. On a connection
     * already closed it throws {@link ConnectionClosed} at once, like {@link #call}.
     */
    public CompletableFuture<Object> callAsyncReply(String method, Object... args) {
        return callAsyncReplyWithMsgid(nextMsgid.getAndIncrement(), method, args);
    }

    /** {@link #callAsyncReply} with an explicit msgid (see {@link #callWithMsgid}). */
    public CompletableFuture<Object> callAsyncReplyWithMsgid(Object msgid, String method, Object... args) {
        return start(MessageId.of(msgid), method, args).thenApply(ZeoTestClient::resultOf);
    }

    /** An async call {@code [0, true, method, args]}: the server never replies to it. */
    public void send(String method, Object... args) {
        sendPayload(codec.encodeCall(MessageId.ASYNC, true, method, argumentList(args)));
    }

    /** The keep-alive {@code [-1, 0, ".reply", nil]} the Python client sends every 60 s; the server ignores it. */
    public void keepAlive() {
        sendPayload(codec.encodeKeepAlive());
    }

    /** Sends one frame carrying {@code payload}, which may be anything (malformed-input tests). */
    public void sendPayload(byte[] payload) {
        sendRaw(SizedFrames.frame(payload));
    }

    /** Writes {@code bytes} to the socket as they are: no framing, no checks (e.g. a truncated frame). */
    public void sendRaw(byte[] bytes) {
        String reason = pending.closedReason();
        if (reason != null) {
            throw new ConnectionClosed("cannot send: " + reason);
        }
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new ConnectionClosed("sending failed: " + e.getMessage(), e);
        }
    }

    /** Registers the call, then sends it: the reply cannot arrive before someone waits for it. */
    private CompletableFuture<WireMessage> start(MessageId msgid, String method, Object[] args) {
        byte[] payload = codec.encodeCall(msgid, false, method, argumentList(args));
        CompletableFuture<WireMessage> reply = pending.register(msgid, method);
        try {
            sendPayload(payload);
        } catch (RuntimeException e) {
            pending.forget(msgid);
            throw e;
        }
        return reply;
    }

    private Object awaitResult(MessageId msgid, String method, CompletableFuture<WireMessage> reply) {
        Duration timeout = callTimeout;
        try {
            return resultOf(reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            pending.forget(msgid);
            throw new AssertionError("no reply to " + method + " (msgid " + msgid + ") within " + timeout);
        } catch (ExecutionException e) {
            // Only ConnectionClosed fails a pending call; rethrown here so the stack shows the caller.
            throw new ConnectionClosed(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.forget(msgid);
            throw new IllegalStateException("interrupted while waiting for the reply to " + method, e);
        }
    }

    /** The result of a normal reply; an error reply is thrown as the mapped jzeo exception. */
    private static Object resultOf(WireMessage reply) {
        if (reply.isError()) {
            throw WireErrors.fromWire(reply);
        }
        return reply.result();
    }

    /** Varargs as a list that may hold nulls; a null array (a bare {@code null} argument) means one nil. */
    private static List<Object> argumentList(Object[] args) {
        return args == null ? Collections.singletonList(null) : Arrays.asList(args);
    }

    // ---------------------------------------------------------------- what the server sent

    /** The next callback not yet taken, waiting up to {@code timeout}; null if none arrived in that time. */
    public Callback nextCallback(Duration timeout) {
        try {
            return callbacks.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Every callback not yet taken, in arrival order, without waiting. */
    public List<Callback> drainCallbacks() {
        List<Callback> drained = new ArrayList<>();
        callbacks.drainTo(drained);
        return drained;
    }

    /**
     * Every message received since the handshake, replies and callbacks alike, in arrival order (a snapshot).
     * {@link Callback#arrivalSequence()} is an index into it. A reply is recorded before its call returns.
     */
    public List<WireMessage> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** The index in {@link #history()} of the first reply with this msgid (e.g. {@code 3L}), or -1 if none came. */
    public int indexOfReply(Object msgid) {
        MessageId id = MessageId.of(msgid);
        List<WireMessage> messages = history();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).isReply() && messages.get(i).msgid().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * What the server did that ZEO 5's client would not expect (a snapshot): replies no call waits for, replies
     * whose flag is not the int 0 or 2, callbacks not shaped {@code [0, true, name, args]}, a keep-alive from the
     * server, a malformed or oversized message (which also closes the connection). Empty for a correct server.
     */
    public List<String> anomalies() {
        synchronized (anomalies) {
            return List.copyOf(anomalies);
        }
    }

    // ---------------------------------------------------------------- typed wrappers

    /** {@code register(storage, readOnly)}: returns the storage's last transaction ({@link Tid#ZERO} if empty). */
    public Tid register(String storage, boolean readOnly) {
        return ReplyValues.tid(call("register", storage, readOnly), "register");
    }

    /** {@code get_info()}: the storage's info map, str keys in the server's order. */
    public Map<String, Object> getInfo() {
        return ReplyValues.stringKeyedMap(call("get_info"), "get_info");
    }

    /** {@code lastTransaction()}. */
    public Tid lastTransaction() {
        return ReplyValues.tid(call("lastTransaction"), "lastTransaction");
    }

    /**
     * {@code loadBefore(oid, before)} with msgid {@code [oid, before]}, as ZEO's client sends it: the newest revision
     * written before {@code before}, or null when the object has none (nil).
     *
     * @throws org.jzeo.api.POSKeyException if the server does not know the object
     */
    public LoadResult loadBefore(Oid oid, Tid before) {
        Object msgid = List.of(oid.toBytes(), before.toBytes());
        return ReplyValues.loadResult(callWithMsgid(msgid, "loadBefore", oid, before), "loadBefore");
    }

    /** {@code new_oids()} without an argument, as ZEO's client asks (the server gives 100). */
    public List<Oid> newOids() {
        return ReplyValues.oids(call("new_oids"), "new_oids");
    }

    /** {@code new_oids(n)}. */
    public List<Oid> newOids(int count) {
        return ReplyValues.oids(call("new_oids", count), "new_oids");
    }

    /**
     * Commits one transaction the way ZEO's client does: async {@code tpc_begin(txn, b"", b"", {}, nil, " ")}, async
     * {@code storea(oid, serial, data, txn)} for each store (serial from {@code serials}, {@link Tid#ZERO} for
     * an oid not in it, i.e. a new object), sync {@code vote(txn)} and sync {@code tpc_finish(txn)}.
     *
     * <p>On any failure it sends a sync {@code tpc_abort(txn)} (if the connection is still open) before
     * rethrowing; a failing abort is added as suppressed. A vote result holding conflict maps (client-side
     * conflict resolution, spec §8.2) fails as a {@link org.jzeo.api.ConflictException} for the first of them.
     *
     * @return the committed tid, from tpc_finish
     */
    public Tid commit(long txnId, Map<Oid, byte[]> stores, Map<Oid, Tid> serials) {
        send("tpc_begin", txnId, EMPTY, EMPTY, Map.of(), null, " ");
        try {
            for (Map.Entry<Oid, byte[]> store : stores.entrySet()) {
                Tid serial = serials.getOrDefault(store.getKey(), Tid.ZERO);
                send("storea", store.getKey(), serial, store.getValue(), txnId);
            }
            for (Object voted : ReplyValues.list(call("vote", txnId), "vote")) {
                if (voted instanceof Map) {
                    throw ReplyValues.conflictFromVote(voted, "vote");
                }
            }
            return ReplyValues.tid(call("tpc_finish", txnId), "tpc_finish");
        } catch (RuntimeException | AssertionError e) {
            abortAfterFailure(txnId, e);
            throw e;
        }
    }

    private void abortAfterFailure(long txnId, Throwable failure) {
        if (isClosed() || failure instanceof ConnectionClosed) {
            return;
        }
        try {
            call("tpc_abort", txnId);
        } catch (RuntimeException | AssertionError abortFailure) {
            failure.addSuppressed(abortFailure);
        }
    }

    // ---------------------------------------------------------------- reader

    /** Reads frames until the connection ends, then fails what is still pending and marks the client closed. */
    private void readLoop() {
        String reason;
        try {
            reason = readUntilEnd();
        } catch (IOException e) {
            if (e instanceof ProtocolException) {
                anomalies.add(e.getMessage());
            }
            reason = closing ? "closed by the client" : "connection failed: " + e;
        }
        closeSocketQuietly();
        pending.closeAll(reason);
        closed.complete(null);
    }

    /** Dispatches frames until one ends the connection; returns why it ended. */
    private String readUntilEnd() throws IOException {
        while (true) {
            byte[] payload = SizedFrames.read(in, MAX_FRAME);
            if (payload == null) {
                return closing ? "closed by the client" : "the server closed the connection";
            }
            try {
                dispatch(codec.decode(payload));
            } catch (MalformedMessageException e) {
                String anomaly = "malformed message from the server (" + e.getMessage() + "): " + show(payload);
                anomalies.add(anomaly);
                return anomaly;
            }
        }
    }

    private void dispatch(WireMessage message) {
        int sequence;
        synchronized (history) {
            sequence = history.size();
            history.add(message);
        }
        if (message.isKeepAlive()) {
            anomalies.add("the server sent a keep-alive: " + message);
        } else if (message.isReply()) {
            onReply(message);
        } else {
            onCallback(message, sequence);
        }
    }

    private void onReply(WireMessage reply) {
        Object flag = reply.flag();
        if (!(flag instanceof Long) || ((Long) flag != 0L && (Long) flag != 2L)) {
            anomalies.add("reply flag must be the int 0 or 2, got " + ReplyValues.wireType(flag) + " " + flag
                    + " in " + reply);
        }
        if (!pending.complete(reply)) {
            anomalies.add("reply to msgid " + reply.msgid() + ", which no call is waiting for"
                    + " (never sent, already answered or timed out)");
        }
    }

    private void onCallback(WireMessage call, int sequence) {
        if (!call.msgid().isAsyncId() || !Boolean.TRUE.equals(call.flag())) {
            anomalies.add("callbacks must be [0, true, name, args], got msgid " + call.msgid() + " and flag "
                    + call.flag() + " for " + call.name());
        }
        callbacks.add(new Callback(call.name(), call.args(), sequence));
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the connection: pending calls fail with {@link ConnectionClosed} and the reader thread ends (waited
     * for up to the call timeout). Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        closeSocketQuietly();
        pending.closeAll("closed by the client");
        if (Thread.currentThread() != reader && reader.isAlive()) {
            try {
                reader.join(callTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeSocketQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is all we wanted; the reason for the end is recorded elsewhere.
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    /** Bytes as hex, followed by their printable ASCII form, e.g. {@code 00 00 00 02 5a 35 ("....Z5")}. */
    static String show(byte[] bytes) {
        int shown = Math.min(bytes.length, 64);
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            hex.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
            text.append(bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char) bytes[i] : '.');
        }
        if (bytes.length == 0) {
            return "nothing (0 bytes)";
        }
        String more = bytes.length > shown ? " ... (" + bytes.length + " bytes)" : "";
        return hex + more + " (\"" + text + "\")";
    }
}
