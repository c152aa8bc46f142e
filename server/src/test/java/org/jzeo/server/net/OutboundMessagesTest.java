package org.jzeo.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.protocol.SizedMessageDecoder;
import org.jzeo.server.storage.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Messages queued from many threads arrive whole and in each thread's order; queued ones share a write. */
class OutboundMessagesTest {
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger flushes = new AtomicInteger();
    /** While set, writes are held (their promises not completed) until it is cleared: a socket that takes nothing. */
    private volatile boolean holdWrites;
    private final List<Runnable> heldWrites = new CopyOnWriteArrayList<>();
    private Channel sender;
    private OutboundMessages outbound;

    @BeforeEach
    void connect() throws Exception {
        LocalAddress address = new LocalAddress("outbound-" + System.nanoTime());
        new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(new SizedMessageDecoder(1 << 20),
                                new SimpleChannelInboundHandler<byte[]>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, byte[] payload) {
                                        received.add(new String(payload, StandardCharsets.UTF_8));
                                    }
                                });
                    }
                }).bind(address).sync();
        sender = new Bootstrap().group(loops).channel(LocalChannel.class).handler(new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                writes.incrementAndGet();
                if (holdWrites) {
                    heldWrites.add(() -> ctx.writeAndFlush(msg, promise));
                } else {
                    ctx.write(msg, promise);
                }
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        }).connect(address).sync().channel();
        outbound = new OutboundMessages(sender);
    }

    @AfterEach
    void close() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void messagesFromManyThreadsArriveWholeAndInEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            senders.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    // Some messages larger than a batch's buffer limit, so batches are also cut by size.
                    String filler = i % 500 == 0 ? "x".repeat(70_000) : "";
                    outbound.send((thread + ":" + i + ":" + filler).getBytes(StandardCharsets.UTF_8));
                }
            }));
        }
        senders.forEach(Thread::start);
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }

        Await.until("every message received", () -> received.size() == threads * perThread);
        Map<Integer, Integer> nextByThread = new ConcurrentHashMap<>();
        for (String message : received) {
            String[] parts = message.split(":", 3);
            int thread = Integer.parseInt(parts[0]);
            int index = Integer.parseInt(parts[1]);
            assertThat(index).as("thread %d's messages in order", thread)
                    .isEqualTo(nextByThread.getOrDefault(thread, 0));
            nextByThread.put(thread, index + 1);
            assertThat(parts[2]).hasSize(index % 500 == 0 ? 70_000 : 0);
        }
    }

    @Test
    void messagesQueuedWhileTheEventLoopIsBusyLeaveInOneWriteAndOneFlush() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        sender.eventLoop().execute(() -> {
            busy.countDown();
            awaitQuietly(release);
        });
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        int writesBefore = writes.get();
        int flushesBefore = flushes.get();

        for (int i = 0; i < 50; i++) {
            outbound.send(("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        release.countDown();

        Await.until("50 messages received", () -> received.size() == 50);
        assertThat(received).startsWith("m0", "m1").endsWith("m49");
        assertThat(writes.get() - writesBefore).as("writes").isEqualTo(1);
        assertThat(flushes.get() - flushesBefore).as("flushes").isEqualTo(1);
    }

    @Test
    void onTheEventLoopAMessageIsWrittenAtOnce() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        List<Integer> writesSeenAfterSend = new CopyOnWriteArrayList<>();
        sender.eventLoop().execute(() -> {
            int before = writes.get();
            outbound.send("inline".getBytes(StandardCharsets.UTF_8));
            writesSeenAfterSend.add(writes.get() - before);
            sent.countDown();
        });
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(writesSeenAfterSend).containsExactly(1);
        Await.until("the message received", () -> received.contains("inline"));
    }

    @Test
    void aTrackedMessageReportsItsWriteOnlyOnceTheSocketTookIt() throws Exception {
        holdWrites = true;
        CountDownLatch written = new CountDownLatch(1);
        outbound.send("first".getBytes(StandardCharsets.UTF_8));
        outbound.send("chunk".getBytes(StandardCharsets.UTF_8), written::countDown);
        Await.until("the write reached the socket's handler", () -> !heldWrites.isEmpty());

        assertThat(written.await(200, TimeUnit.MILLISECONDS)).as("reported while the write is held").isFalse();

        holdWrites = false;
        sender.eventLoop().execute(() -> heldWrites.forEach(Runnable::run));
        assertThat(written.await(10, TimeUnit.SECONDS)).as("reported once written").isTrue();
        Await.until("both received in order", () -> received.size() == 2);
        assertThat(received).containsExactly("first", "chunk");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
