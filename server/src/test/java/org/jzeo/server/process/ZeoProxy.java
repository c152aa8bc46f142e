package org.jzeo.server.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireMessage;

/**
 * A TCP proxy on a loopback port between ZEO clients and a server, forwarding every sized message (4-byte
 * big-endian length, then the payload) both ways, which a test can arm to make one message go missing:
 * <ul>
 *   <li>{@link #swallowReplyTo}: the next call of a method is forwarded, and the server's reply to it is dropped
 *       and both sides of that connection closed: the server did the work, the client never hears of it;</li>
 *   <li>{@link #interceptCall}: the next call of a method is held, an action runs (a test kills the server there),
 *       and the client's connection is closed without forwarding it: the server never gets it;</li>
 *   <li>{@link #holdReplyTo}: the server's reply to the next call of a method, and everything the server sends that
 *       connection after it, waits until the test releases it; then it is forwarded and the connection goes on.</li>
 * </ul>
 * Each accepted connection gets its own connection to the server, so after a server restart on the same address
 * new client connections are forwarded again; one accepted while the server is down is closed at once.
 */
public final class ZeoProxy implements AutoCloseable {
    private final InetSocketAddress server;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> answered = new ConcurrentHashMap<>();
    private volatile Trap trap;

    /** One armed trap: the method it waits for, what it does, and whether it went off. */
    private record Trap(String method, boolean onReply, boolean cut, Runnable action, CountDownLatch fired,
                        WireMessage[] caught) {
    }

    public ZeoProxy(InetSocketAddress server) throws IOException {
        this.server = server;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** How many calls of {@code method} clients have sent through this proxy so far. */
    public long calls(String method) {
        LongAdder count = calls.get(method);
        return count == null ? 0 : count.sum();
    }

    /** How many of those calls the server answered, the answer passed on to the client. */
    public long answered(String method) {
        LongAdder count = answered.get(method);
        return count == null ? 0 : count.sum();
    }

    /** Swallows the server's reply to the next call of {@code method}, then cuts that connection. */
    public void swallowReplyTo(String method) {
        trap = new Trap(method, true, true, () -> { }, new CountDownLatch(1), new WireMessage[1]);
    }

    /**
     * Holds the server's reply to the next call of {@code method} (and what follows it on that connection) until
     * {@code release} opens; {@link #awaitTrap} returns the reply as soon as it is held.
     */
    public void holdReplyTo(String method, CountDownLatch release) {
        trap = new Trap(method, true, false, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new CountDownLatch(1), new WireMessage[1]);
    }

    /**
     * Holds the next call of {@code method}, runs {@code action} (on the proxy's thread), then closes that client's
     * connection without forwarding the call.
     */
    public void interceptCall(String method, Runnable action) {
        trap = new Trap(method, false, true, action, new CountDownLatch(1), new WireMessage[1]);
    }

    /**
     * Waits for the armed trap to go off: the swallowed reply or the intercepted call, or null if that did not
     * happen within the timeout.
     */
    public WireMessage awaitTrap(long timeoutMillis) throws InterruptedException {
        Trap armed = trap;
        if (armed == null) {
            throw new IllegalStateException("no trap armed");
        }
        return armed.fired().await(timeoutMillis, TimeUnit.MILLISECONDS) ? armed.caught()[0] : null;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.out.println("[proxy] accept failed: " + e);
                }
                continue;
            }
            try {
                Socket upstream = new Socket(server.getAddress(), server.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Pair pair = new Pair(client, upstream);
                start(() -> pair.pump(true), "proxy-to-server");
                start(() -> pair.pump(false), "proxy-to-client");
            } catch (IOException serverDown) {
                closeQuietly(client); // the client sees a refused connection, as without the proxy
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
        private volatile Trap watchedTrap;
        /** The calls of this connection awaiting their answer: msgid → method. */
        private final Map<MessageId, String> pending = new ConcurrentHashMap<>();

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
                    if (caught(message, toServer)) {
                        return;
                    }
                    out.writeInt(length);
                    out.write(payload);
                    out.flush();
                    if (message != null && !toServer && message.isReply()) {
                        String method = pending.remove(message.msgid());
                        if (method != null) {
                            answered.computeIfAbsent(method, name -> new LongAdder()).increment();
                        }
                    }
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

        /** True if {@code message} set off a trap that cuts the connection: it is not forwarded. */
        private boolean caught(WireMessage message, boolean toServer) {
            if (message == null) {
                return false;
            }
            if (toServer) {
                if (message.isCall()) {
                    calls.computeIfAbsent(message.name(), name -> new LongAdder()).increment();
                    if (!message.isAsync()) {
                        pending.put(message.msgid(), message.name());
                    }
                }
                Trap armed = trap;
                if (armed == null || !message.isCall() || !armed.method().equals(message.name())
                        || armed.fired().getCount() == 0) {
                    return false;
                }
                if (armed.onReply()) {
                    watchedTrap = armed;
                    watchedCall = message.msgid();
                    return false;
                }
                return fire(armed, message, "held the call");
            }
            Trap watched = watchedTrap;
            if (watched != null && message.isReply() && message.msgid().equals(watchedCall)) {
                return fire(watched, message, "swallowed the reply");
            }
            return false;
        }

        private boolean fire(Trap armed, WireMessage message, String what) {
            if (!armed.cut()) {
                System.out.println("[proxy] holding " + message);
                armed.caught()[0] = message;
                armed.fired().countDown();
                armed.action().run();
                return false;
            }
            System.out.println("[proxy] " + what + " " + message + "; closing the connection");
            try {
                armed.action().run();
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
                armed.caught()[0] = message;
                armed.fired().countDown();
            }
            return true;
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
        sockets.forEach(ZeoProxy::closeQuietly);
    }
}
