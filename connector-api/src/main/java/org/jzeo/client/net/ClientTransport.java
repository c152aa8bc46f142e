package org.jzeo.client.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.SizedMessageDecoder;
import org.jzeo.protocol.SizedMessageEncoder;

/**
 * Opens connections to ZEO servers: TCP (Linux epoll when available, else NIO) or Unix-domain sockets (epoll),
 * optionally inside TLS, and performs the protocol handshake (the server announces {@code M5}, the client answers
 * {@code M5}). One I/O thread serves all of a client's connections. Keep-alives go out after 60 s without output,
 * as the Python client sends them.
 */
public final class ClientTransport implements AutoCloseable {
    static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(60);

    private final EventLoopGroup group;
    private final boolean epoll;

    public ClientTransport(String threadName) {
        this.epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory(threadName, true);
        this.group = epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
    }

    /**
     * Connects to one socket address and completes with the connection once the server's announcement was
     * accepted and answered. Fails with the reason (refused, timed out, TLS failure, not a ZEO server...).
     *
     * @param tls     null for plain TCP
     * @param tlsHost the host name to verify the server certificate against (null: no hostname verification)
     */
    public CompletableFuture<ServerConnection> connect(ServerAddress label, SocketAddress target, SslContext tls,
            String tlsHost, Duration timeout, ServerCallbacks callbacks) {
        CompletableFuture<ServerConnection> ready = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(sslHandler(channel, tls, tlsHost, target));
                        }
                        channel.pipeline().addLast(new SizedMessageDecoder(), new SizedMessageEncoder(),
                                new IdleStateHandler(0, KEEP_ALIVE_INTERVAL.toSeconds(), 0, TimeUnit.SECONDS),
                                new Handler(label, callbacks, ready));
                    }
                });
        if (target instanceof DomainSocketAddress) {
            if (!epoll) {
                ready.completeExceptionally(new IllegalStateException(
                        "Unix-domain sockets need Linux epoll, which is not available: " + Epoll.unavailabilityCause()));
                return ready;
            }
            bootstrap.channel(EpollDomainSocketChannel.class);
        } else {
            bootstrap.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture connecting = bootstrap.connect(target);
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            }
        });
        // The handshake must also finish in time: a peer that accepts and stays silent is not a server.
        group.schedule(() -> {
            if (ready.completeExceptionally(new java.util.concurrent.TimeoutException(
                    "no ZEO handshake from " + label + " within " + timeout.toMillis() + " ms"))) {
                connecting.channel().close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ready;
    }

    private static SslHandler sslHandler(Channel channel, SslContext tls, String tlsHost, SocketAddress target) {
        SSLEngine engine;
        if (tlsHost != null && target instanceof InetSocketAddress inet) {
            engine = tls.newEngine(channel.alloc(), tlsHost, inet.getPort());
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        } else {
            engine = tls.newEngine(channel.alloc());
        }
        return new SslHandler(engine);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Handshake first, then RPC frames, all delegated to the {@link ServerConnection}. */
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final ServerAddress label;
        private final ServerCallbacks callbacks;
        private final CompletableFuture<ServerConnection> ready;
        private final MessageCodec codec = new MessageCodec();
        private ServerConnection connection;
        private Throwable failure;

        Handler(ServerAddress label, ServerCallbacks callbacks, CompletableFuture<ServerConnection> ready) {
            this.label = label;
            this.callbacks = callbacks;
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws MalformedMessageException {
            byte[] frame = (byte[]) msg;
            if (connection == null) {
                Handshake.Result result = Handshake.classifyServerAnnouncement(frame);
                if (result.isBad()) {
                    failure = new IllegalStateException(label + ": " + result.reason());
                    ready.completeExceptionally(failure);
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(Handshake.clientReply());
                connection = new ServerConnection(ctx.channel(), label, callbacks);
                if (!ready.complete(connection)) {
                    ctx.close(); // the caller gave up waiting
                }
                return;
            }
            try {
                connection.received(codec.decode(frame));
            } catch (MalformedMessageException | RuntimeException e) {
                failure = new IllegalStateException("bad message from " + label + ": " + e.getMessage(), e);
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent && connection != null) {
                connection.sendKeepAlive();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ready.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.completeExceptionally(failure != null ? failure
                    : new java.io.IOException("connection to " + label + " closed during the handshake"));
            if (connection != null) {
                connection.closedBy(failure);
            }
        }
    }
}
