package org.jzeo.e2e.xa;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireMessage;

/**
 * A TCP proxy between ZEO clients and a server that forwards every sized message (4-byte big-endian length, then
 * the payload) both ways. Once {@linkplain #swallowReplyTo armed} with a method name, it watches for the next call
 * of that method from a client, forwards it, and when the server's reply to it comes back it drops the reply and
 * closes both sides of that connection instead: the server did the work, the client never hears of it. Later
 * connections are forwarded normally.
 */
final class ReplySwallowingProxy implements AutoCloseable {
    private final InetSocketAddress server;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch swallowed = new CountDownLatch(1);
    private volatile String armedMethod;
    private volatile WireMessage swallowedReply;

    ReplySwallowingProxy(InetSocketAddress server) throws IOException {
        this.server = server;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Swallows the reply to the next call of {@code method} and then cuts that connection. */
    void swallowReplyTo(String method) {
        armedMethod = method;
    }

    /** The swallowed reply, once it came (null if not within the timeout). */
    WireMessage awaitSwallowed(long timeoutMillis) throws InterruptedException {
        return swallowed.await(timeoutMillis, TimeUnit.MILLISECONDS) ? swallowedReply : null;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(server.getAddress(), server.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Pair pair = new Pair(client, upstream);
                start(() -> pair.pump(true), "proxy-to-server");
                start(() -> pair.pump(false), "proxy-to-client");
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.out.println("[proxy] accept failed: " + e);
                }
            }
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection and its connection to the server. */
    private final class Pair {
        private final Socket client;
        private final Socket upstream;
        private final MessageCodec codec = new MessageCodec();
        private volatile MessageId watchedCall;

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(boolean toServer) {
            Socket from = toServer ? client : upstream;
            Socket to = toServer ? upstream : client;
            try (DataInputStream in = new DataInputStream(from.getInputStream())) {
                DataOutputStream out = new DataOutputStream(to.getOutputStream());
                while (true) {
                    int length = in.readInt();
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    WireMessage message = decode(payload);
                    if (toServer) {
                        String method = armedMethod;
                        if (method != null && message != null && message.isCall() && method.equals(message.name())) {
                            watchedCall = message.msgid();
                            armedMethod = null;
                        }
                    } else if (watchedCall != null && message != null && message.isReply()
                            && watchedCall.equals(message.msgid())) {
                        swallowedReply = message;
                        System.out.println("[proxy] swallowed the reply " + message + "; closing the connection");
                        closeQuietly(client);
                        closeQuietly(upstream);
                        swallowed.countDown();
                        return;
                    }
                    out.writeInt(length);
                    out.write(payload);
                    out.flush();
                }
            } catch (EOFException e) {
                // the other side closed
            } catch (IOException e) {
                // closed here or there
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }

        /** The message, or null for what is not one (the handshake's protocol names). */
        private WireMessage decode(byte[] payload) {
            try {
                return codec.decode(payload);
            } catch (Exception e) {
                return null;
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(ReplySwallowingProxy::closeQuietly);
    }
}
