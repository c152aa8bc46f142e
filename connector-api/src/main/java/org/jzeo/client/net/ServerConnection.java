package org.jzeo.client.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.api.DisconnectedException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.Request;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;

/**
 * One open, handshaken connection to a ZEO server: sends calls, matches replies to them by message id, and hands
 * callbacks to its {@link ServerCallbacks}. Made by {@link ClientTransport#connect}. Thread-safe: any thread may
 * call; replies, hooks and callbacks run on the connection's I/O thread in arrival order.
 */
public final class ServerConnection {

    /**
     * Runs on the I/O thread with a reply's result before the caller's future completes, and before any message
     * that arrived after the reply is handled. Its return value completes the future.
     */
    @FunctionalInterface
    public interface ReplyHook {
        Object onReply(Object result);
    }

    private static final ReplyHook AS_IS = result -> result;

    private final Channel channel;
    private final ServerAddress address;
    private final ServerCallbacks callbacks;
    private final MessageCodec codec = new MessageCodec();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<MessageId, Pending> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Throwable closeCause;

    private record Pending(String name, ReplyHook hook, CompletableFuture<Object> future) {
    }

    ServerConnection(Channel channel, ServerAddress address, ServerCallbacks callbacks) {
        this.channel = channel;
        this.address = address;
        this.callbacks = callbacks;
    }

    public ServerAddress address() {
        return address;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public boolean isOpen() {
        return !closed && channel.isActive();
    }

    /** A fresh integer message id for {@link #call(Object, String, List, ReplyHook)}. */
    public long nextMessageId() {
        return nextId.getAndIncrement();
    }

    /** A synchronous call with the next integer message id. */
    public CompletableFuture<Object> call(String name, Object... args) {
        return call(nextId.getAndIncrement(), name, Arrays.asList(args), AS_IS);
    }

    /** A synchronous call of a ZEO method ({@link Requests}) with the next integer message id. */
    public CompletableFuture<Object> call(Request request) {
        return call(nextId.getAndIncrement(), request.method(), request.args(), AS_IS);
    }

    /** A synchronous call of a ZEO method with a chosen message id and reply hook. */
    public CompletableFuture<Object> call(Object msgid, Request request, ReplyHook hook) {
        return call(msgid, request.method(), request.args(), hook);
    }

    /**
     * A synchronous call with a chosen message id (the caller keeps ids unique among its calls in flight; the
     * {@code [oid, tid]} id of loadBefore relies on the caller merging identical loads).
     */
    public CompletableFuture<Object> call(Object msgid, String name, List<?> args, ReplyHook hook) {
        MessageId id = MessageId.of(msgid);
        CompletableFuture<Object> future = new CompletableFuture<>();
        Pending previous = pending.putIfAbsent(id, new Pending(name, hook, future));
        if (previous != null) {
            throw new IllegalStateException("message id " + id + " is already in flight for " + previous.name());
        }
        if (closed) {
            fail(id, disconnected());
            return future;
        }
        byte[] frame = codec.encodeCall(id, false, name, args);
        channel.writeAndFlush(frame).addListener((ChannelFuture write) -> {
            if (!write.isSuccess()) {
                fail(id, disconnected(write.cause()));
            }
        });
        return future;
    }

    /** An asynchronous (one-way) call; the server never answers it, and closes the connection if it fails. */
    public void send(String name, Object... args) {
        channel.writeAndFlush(codec.encodeCall(MessageId.ASYNC, true, name, Arrays.asList(args)),
                channel.voidPromise());
    }

    /**
     * An asynchronous call sent at the pace the connection drains: when the channel's outbound buffer is over its
     * high-water mark after this write, waits until the write reached the socket. A stream of these (a blob's
     * chunks) thus holds at most a few frames in memory however large the stream. Never call it on the I/O thread.
     *
     * @throws DisconnectedException the connection closed
     */
    public void sendPaced(Request request) {
        if (closed) {
            throw disconnected();
        }
        ChannelFuture write = channel.writeAndFlush(codec.encodeCall(MessageId.ASYNC, true, request.method(),
                request.args()));
        if (!channel.isWritable()) {
            write.awaitUninterruptibly();
        }
        if (write.isDone() && !write.isSuccess()) {
            throw disconnected(write.cause());
        }
    }

    /**
     * Stops reading from the server (Netty's auto-read) until {@link #resumeReading()}: the server's messages wait in
     * the socket, so a consumer slower than the network (a blob download onto a slow disk) bounds what is held in
     * memory. Any thread.
     */
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** Starts a batch of asynchronous calls that leave in one write (a transaction's stores before its vote). */
    public Batch batch() {
        return new Batch();
    }

    /** Asynchronous calls framed into one buffer; {@link #send()} queues it, the next call flushes it. */
    public final class Batch {
        private final ByteBuf frames = Unpooled.buffer(4096);

        private Batch() {
        }

        public Batch add(Request request) {
            byte[] payload = codec.encodeCall(MessageId.ASYNC, true, request.method(), request.args());
            frames.writeInt(payload.length).writeBytes(payload);
            return this;
        }

        /** Queues the frames, already sized, past the frame encoder; they leave with the next flush. */
        public void send() {
            channel.write(frames, channel.voidPromise());
        }
    }

    void sendKeepAlive() {
        channel.writeAndFlush(codec.encodeKeepAlive(), channel.voidPromise());
    }

    /** Closes the connection; calls in flight fail with {@link DisconnectedException}. */
    public void close() {
        channel.close();
    }

    // ---------------------------------------------------------------- I/O thread

    void received(WireMessage message) {
        if (message.isKeepAlive()) {
            return;
        }
        if (message.isCall()) {
            callbacks.callback(this, message.name(), message.args());
            return;
        }
        Pending call = pending.remove(message.msgid());
        if (call == null) {
            throw new IllegalStateException("reply to message id " + message.msgid() + " that is not in flight");
        }
        if (message.isError()) {
            call.future().completeExceptionally(WireErrors.fromWire(message));
            return;
        }
        Object value;
        try {
            value = call.hook().onReply(message.result());
        } catch (RuntimeException e) {
            call.future().completeExceptionally(e);
            return;
        }
        call.future().complete(value);
    }

    void closedBy(Throwable cause) {
        if (closed) {
            return;
        }
        closeCause = cause;
        closed = true;
        for (MessageId id : new ArrayList<>(pending.keySet())) {
            fail(id, disconnected());
        }
        callbacks.closed(this, cause);
    }

    private void fail(MessageId id, Throwable error) {
        Pending call = pending.remove(id);
        if (call != null) {
            call.future().completeExceptionally(error);
        }
    }

    private DisconnectedException disconnected() {
        return disconnected(closeCause);
    }

    private DisconnectedException disconnected(Throwable cause) {
        return new DisconnectedException("connection to " + address + " closed"
                + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""), cause);
    }

    @Override
    public String toString() {
        return "ServerConnection[" + address + (closed ? ", closed" : "") + "]";
    }
}
