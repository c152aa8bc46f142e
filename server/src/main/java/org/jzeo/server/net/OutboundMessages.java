package org.jzeo.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outgoing sized messages of one connection, queued from any thread in call order and written by the
 * connection's event loop in batches: everything queued by the time the event loop gets to it goes out in one
 * buffer and one flush.
 *
 * <p>Why: a commit queues an invalidation to every other connection, and a group commit queues several per
 * connection at once. Handing each message to the event loop as its own task cost a task, a buffer and a socket
 * write per message, which was most of the server's CPU with many clients.
 */
final class OutboundMessages {
    /** A batch's buffer is written once it reaches this size, so a large load reply is not copied twice. */
    private static final int MAX_BATCH_BYTES = 64 * 1024;

    private final Channel channel;
    /** Payloads ({@code byte[]}), or {@link Tracked} payloads whose sender waits for them to be written. */
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final List<byte[]> batch = new ArrayList<>();
    private final List<Runnable> batchWritten = new ArrayList<>();
    private int batchBytes;

    OutboundMessages(Channel channel) {
        this.channel = channel;
    }

    private record Tracked(byte[] payload, Runnable written) {
    }

    /** Queues one message's payload; it is framed and written after everything queued before it. */
    void send(byte[] payload) {
        enqueue(payload);
    }

    /** As {@link #send(byte[])}, then runs {@code written} on the event loop once the socket took it (or failed). */
    void send(byte[] payload, Runnable written) {
        enqueue(new Tracked(payload, written));
    }

    private void enqueue(Object entry) {
        queue.add(entry);
        if (channel.eventLoop().inEventLoop()) {
            drain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException shuttingDown) {
                // The server is stopping: the connection is being closed anyway; waiting senders are let go.
                Object dropped;
                while ((dropped = queue.poll()) != null) {
                    if (dropped instanceof Tracked tracked) {
                        tracked.written().run();
                    }
                }
            }
        }
    }

    /** Runs on the event loop only. */
    private void drain() {
        // Cleared first: a message queued from now on either is taken below or schedules another drain.
        drainScheduled.set(false);
        Object entry;
        while ((entry = queue.poll()) != null) {
            byte[] next;
            if (entry instanceof Tracked tracked) {
                next = tracked.payload();
                batchWritten.add(tracked.written());
            } else {
                next = (byte[]) entry;
            }
            batch.add(next);
            batchBytes += 4 + next.length;
            if (batchBytes >= MAX_BATCH_BYTES) {
                writeBatch();
            }
        }
        if (!batch.isEmpty()) {
            writeBatch();
        }
        channel.flush();
    }

    private void writeBatch() {
        ByteBuf frames = channel.alloc().ioBuffer(batchBytes);
        for (byte[] payload : batch) {
            frames.writeInt(payload.length);
            frames.writeBytes(payload);
        }
        batch.clear();
        batchBytes = 0;
        // A write to a connection that just closed fails quietly, as the message no longer matters.
        ChannelFuture write = channel.write(frames);
        if (!batchWritten.isEmpty()) {
            List<Runnable> written = List.copyOf(batchWritten);
            batchWritten.clear();
            write.addListener(done -> written.forEach(Runnable::run));
        }
    }
}
