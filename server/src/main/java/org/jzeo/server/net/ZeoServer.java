package org.jzeo.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jzeo.protocol.SizedMessageDecoder;
import org.jzeo.protocol.SizedMessageEncoder;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.core.StorageServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side of the server: listens on TCP (IPv4/IPv6) and Unix-domain addresses and gives every accepted
 * connection the pipeline [TLS] → sized-message framing (with the maximum frame size) → {@link
 * ZeoConnectionHandler}. Event loops only frame and decode; storage work runs on the {@link StorageServer}'s
 * pools.
 */
public final class ZeoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZeoServer.class);

    private final StorageServer server;
    private final int maxFrameSize;
    private final SslContext tls;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();

    /** @param tls the server's TLS context, or null for plain TCP */
    public ZeoServer(StorageServer server, int maxFrameSize, SslContext tls) {
        this.server = server;
        this.maxFrameSize = maxFrameSize;
        this.tls = tls;
    }

    /** Starts listening on every address; returns the bound addresses (a port 0 is resolved). */
    public List<SocketAddress> start(List<ListenAddress> addresses) throws InterruptedException {
        List<SocketAddress> bound = new ArrayList<>();
        for (ListenAddress address : addresses) {
            Channel listener = bind(address);
            listeners.add(listener);
            bound.add(listener.localAddress());
            LOG.info("listening on {}{}", listener.localAddress(), tls == null ? "" : " (TLS)");
        }
        return bound;
    }

    private Channel bind(ListenAddress address) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap();
        SocketAddress socketAddress;
        if (address instanceof ListenAddress.Unix unix) {
            if (!Epoll.isAvailable()) {
                throw new IllegalStateException("Unix-domain sockets need Linux epoll, which is not available here: "
                        + Epoll.unavailabilityCause());
            }
            try {
                Files.deleteIfExists(unix.path());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot remove the stale socket " + unix.path(), e);
            }
            EventLoopGroup boss = group(new EpollEventLoopGroup(1));
            EventLoopGroup workers = group(new EpollEventLoopGroup(2));
            bootstrap.group(boss, workers).channel(EpollServerDomainSocketChannel.class);
            socketAddress = new DomainSocketAddress(unix.path().toFile());
        } else {
            ListenAddress.Tcp tcp = (ListenAddress.Tcp) address;
            // Linux's native transport costs fewer system calls per message than NIO; NIO everywhere else.
            boolean epoll = Epoll.isAvailable();
            EventLoopGroup boss = group(epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1));
            EventLoopGroup workers = group(epoll ? new EpollEventLoopGroup(2) : new NioEventLoopGroup(2));
            bootstrap.group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true);
            socketAddress = tcp.allInterfaces() ? new InetSocketAddress(tcp.port())
                    : new InetSocketAddress(tcp.host(), tcp.port());
        }
        bootstrap.option(ChannelOption.SO_BACKLOG, 128).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ChannelPipeline p = ch.pipeline();
                if (tls != null) {
                    p.addLast("tls", tls.newHandler(ch.alloc()));
                }
                p.addLast("flush", new FlushConsolidationHandler(64, true));
                p.addLast("frameDecoder", new SizedMessageDecoder(maxFrameSize));
                p.addLast("frameEncoder", new SizedMessageEncoder());
                p.addLast("zeo", new ZeoConnectionHandler(server));
            }
        });
        try {
            return bootstrap.bind(socketAddress).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // Netty rethrows the bind's checked cause as is
            throw new IllegalStateException("cannot listen on " + address + ": " + bindFailure(e), e);
        }
    }

    /** Why a bind failed, in an operator's words. */
    private static String bindFailure(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Address already in use")) {
            return "the address is already in use (is another server running there?)";
        }
        if (message.contains("Cannot assign requested address")) {
            return "no network interface of this machine has that address";
        }
        if (e instanceof java.nio.channels.UnresolvedAddressException) {
            return "unknown host";
        }
        if (e instanceof SecurityException || message.contains("Permission denied")) {
            return "permission denied (ports below 1024 need privileges)";
        }
        return message;
    }

    private EventLoopGroup group(EventLoopGroup group) {
        groups.add(group);
        return group;
    }

    /** Stops listening, closes every connection (aborting their transactions), then closes the storages. */
    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        connections.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        server.close();
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        LOG.info("server stopped");
    }
}
