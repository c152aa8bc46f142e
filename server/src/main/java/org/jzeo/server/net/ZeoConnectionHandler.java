package org.jzeo.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.util.List;
import org.jzeo.protocol.FrameTooLargeException;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireEncodingException;
import org.jzeo.protocol.WireError;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;
import org.jzeo.server.core.Peer;
import org.jzeo.server.core.StorageServer;
import org.jzeo.server.core.ZeoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's protocol front: sends the {@code M5} announcement, checks the client's answer (or answers a
 * {@code ruok} probe), then decodes every sized message and hands it to the connection's {@link ZeoSession}.
 * Anything that cannot be decoded closes the connection with a log line; other connections are not affected.
 * As the session's {@link Peer} it encodes and queues outgoing messages, from any thread, in call order.
 */
final class ZeoConnectionHandler extends SimpleChannelInboundHandler<byte[]> implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(ZeoConnectionHandler.class);

    private final StorageServer server;
    private final MessageCodec codec = new MessageCodec();
    private Channel channel;
    private OutboundMessages outbound;
    private String remote = "?";
    private ZeoSession session;
    private boolean handshakeDone;

    ZeoConnectionHandler(StorageServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        outbound = new OutboundMessages(channel);
        remote = String.valueOf(channel.remoteAddress());
        LOG.info("connection from {}", remote);
        ctx.writeAndFlush(Handshake.serverAnnouncement());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, byte[] payload) {
        if (!handshakeDone) {
            handshake(ctx, payload);
            return;
        }
        WireMessage message;
        try {
            message = codec.decode(payload);
        } catch (MalformedMessageException e) {
            LOG.warn("{}: undecodable message ({}); closing the connection", remote, e.getMessage());
            ctx.close();
            return;
        }
        session.handle(message);
    }

    private void handshake(ChannelHandlerContext ctx, byte[] payload) {
        Handshake.Result result = Handshake.classifyClientReply(payload);
        switch (result.kind()) {
            case MSGPACK_5:
                handshakeDone = true;
                session = server.newSession(this, clientCertificate(ctx));
                break;
            case STATUS_PROBE:
                if (server.authenticator() != null) {
                    LOG.warn("{}: status probe (ruok) refused: this server requires signing on (jzeo status"
                            + " --username NAME signs on and asks)", remote);
                    ctx.close();
                    break;
                }
                LOG.info("{}: status probe (ruok)", remote);
                ctx.writeAndFlush(StatusJson.encode(server.status())).addListener(ChannelFutureListener.CLOSE);
                break;
            default:
                LOG.warn("{}: bad handshake ({}); closing the connection", remote, result.reason());
                ctx.close();
                break;
        }
    }

    /** The certificate the client showed in its TLS handshake, or null (plain TCP, or none asked for). */
    private static java.security.cert.X509Certificate clientCertificate(ChannelHandlerContext ctx) {
        io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x509 ? x509 : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            session.disconnected();
        } else {
            LOG.info("{}: disconnected", remote);
        }
        ctx.fireChannelInactive();
    }

    /**
     * The client's TLS close_notify: answer it and close now, as ZEO does. Netty would otherwise keep the
     * connection open, and the stock client's {@code close()} waits for the server's close_notify, then times out.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslCloseCompletionEvent) {
            LOG.info("{}: the client closed its TLS session; closing the connection", remote);
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameTooLargeException tooLarge) {
            LOG.warn("{}: message of {} bytes exceeds max-frame-size; closing the connection", remote,
                    tooLarge.announcedLength());
        } else if (root instanceof java.io.IOException) {
            LOG.info("{}: connection error: {}", remote, root.getMessage());
        } else {
            LOG.warn("{}: closing the connection after an error", remote, root);
        }
        ctx.close();
    }

    // ----- Peer ----------------------------------------------------------------------------------------------

    @Override
    public void reply(MessageId msgid, Object result) {
        byte[] encoded;
        try {
            encoded = codec.encodeReply(msgid, result);
        } catch (WireEncodingException e) {
            LOG.error("{}: cannot encode a reply: {}", remote, e.getMessage());
            encoded = codec.encodeError(msgid, WireErrors.unencodableResult());
        }
        outbound.send(encoded);
    }

    @Override
    public void error(MessageId msgid, WireError error) {
        outbound.send(codec.encodeError(msgid, error));
    }

    @Override
    public void callback(String name, List<Object> args) {
        outbound.send(codec.encodeCallback(name, args));
    }

    @Override
    public void callback(String name, List<Object> args, Runnable written) {
        outbound.send(codec.encodeCallback(name, args), written);
    }

    @Override
    public void sendEncoded(byte[] message) {
        outbound.send(message);
    }

    @Override
    public void close(String reason) {
        LOG.info("{}: closing the connection: {}", remote, reason);
        channel.close();
    }

    @Override
    public String describe() {
        return remote;
    }

    @Override
    public String remoteHost() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "local";
    }
}
