package org.jzeo.server.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jzeo.server.config.ListenAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZEO 4's monitor server: whoever connects (TCP or Unix socket) gets the current text report and the connection
 * is closed; nothing is read from the client. One daemon thread accepts and answers in turn (a report is a few
 * hundred bytes per storage, so it fits the socket buffer and never blocks on a slow reader).
 */
final class TextMonitorListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TextMonitorListener.class);

    private final ServerSocketChannel listener;
    private final SocketAddress bound;
    private final Path unixPath;
    private final Supplier<String> report;
    private final Thread acceptor;
    private volatile boolean closing;

    private TextMonitorListener(ServerSocketChannel listener, Path unixPath, Supplier<String> report)
            throws IOException {
        this.listener = listener;
        this.bound = listener.getLocalAddress();
        this.unixPath = unixPath;
        this.report = report;
        this.acceptor = new Thread(this::acceptLoop, "jzeo-monitor");
        acceptor.setDaemon(true);
    }

    /** Binds {@code address} and starts answering; a Unix socket file left over from a previous run is replaced. */
    static TextMonitorListener start(ListenAddress address, Supplier<String> report) {
        try {
            ServerSocketChannel channel;
            Path unixPath = null;
            if (address instanceof ListenAddress.Unix unix) {
                unixPath = unix.path();
                Files.deleteIfExists(unixPath);
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                channel.bind(UnixDomainSocketAddress.of(unixPath));
            } else {
                ListenAddress.Tcp tcp = (ListenAddress.Tcp) address;
                channel = ServerSocketChannel.open();
                channel.bind(tcp.allInterfaces() ? new InetSocketAddress(tcp.port())
                        : new InetSocketAddress(tcp.host(), tcp.port()));
            }
            TextMonitorListener listener = new TextMonitorListener(channel, unixPath, report);
            listener.acceptor.start();
            LOG.info("monitor listening on {}", listener.bound);
            return listener;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the monitor on " + address + ": " + e.getMessage(), e);
        }
    }

    SocketAddress address() {
        return bound;
    }

    private void acceptLoop() {
        while (!closing) {
            try (SocketChannel client = listener.accept()) {
                ByteBuffer bytes = ByteBuffer.wrap(report.get().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    client.write(bytes);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closing) {
                    return;
                }
                LOG.debug("monitor: a report was not delivered: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            listener.close();
            acceptor.join(5000);
            if (unixPath != null) {
                Files.deleteIfExists(unixPath);
            }
        } catch (IOException e) {
            LOG.debug("closing the monitor", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
