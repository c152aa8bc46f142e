package org.jzeo.server.testclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.WireMessage;

/**
 * A one-connection fake ZEO server for testing {@link ZeoTestClient} without a real server: it accepts one client
 * on loopback, writes the given opening bytes, and from then on the test plays the server by hand. Every frame the
 * client sends is queued in order (the handshake reply included) and every frame the test sends is written
 * whole; nothing is answered automatically.
 */
final class ScriptedZeoServer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    private final MessageCodec codec = new MessageCodec();
    private final ServerSocket listener;
    private final CompletableFuture<Socket> connection = new CompletableFuture<>();
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> clientGone = new CompletableFuture<>();

    /** A server that opens with {@code opening} written as is (a framed announcement, or garbage). */
    ScriptedZeoServer(byte[] opening) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> serve(opening), "ScriptedZeoServer " + listener.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** A server that announces M5, as jzeo and ZEO 5 servers in msgpack mode do. */
    static ScriptedZeoServer m5() throws IOException {
        return announcing(Handshake.serverAnnouncement());
    }

    /** A server whose first frame carries {@code announcement}. */
    static ScriptedZeoServer announcing(byte[] announcement) throws IOException {
        return new ScriptedZeoServer(SizedFrames.frame(announcement));
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    private void serve(byte[] opening) {
        try (Socket socket = listener.accept()) {
            socket.setTcpNoDelay(true);
            connection.complete(socket);
            write(opening);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            for (byte[] payload = SizedFrames.read(in, ZeoTestClient.MAX_FRAME); payload != null;
                    payload = SizedFrames.read(in, ZeoTestClient.MAX_FRAME)) {
                received.add(payload);
            }
        } catch (IOException e) {
            connection.completeExceptionally(e); // no effect once connected: the client or the test closed it
        } finally {
            clientGone.complete(null);
        }
    }

    // ---------------------------------------------------------------- what the client sent

    /** The next frame's payload from the client; fails the test if none comes within {@link #WAIT}. */
    byte[] nextPayload() {
        try {
            byte[] payload = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(payload).as("a frame from the client within %s", WAIT).isNotNull();
            return payload;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next frame from the client, decoded. */
    WireMessage nextMessage() {
        try {
            return codec.decode(nextPayload());
        } catch (MalformedMessageException e) {
            throw new AssertionError("the client sent a malformed message", e);
        }
    }

    /** The next frame from the client, which must be a call to {@code method}. */
    WireMessage expectCall(String method) {
        WireMessage call = nextMessage();
        assertThat(call.name()).as("method of %s", call).isEqualTo(method);
        return call;
    }

    /** True once the client's side of the connection has ended (it closed the socket). */
    boolean awaitClientGone() {
        try {
            clientGone.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- what the test sends

    void reply(WireMessage call, Object result) {
        sendPayload(codec.encodeReply(call.msgid(), result));
    }

    void replyError(WireMessage call, String className, Object excArgs) {
        sendPayload(codec.encodeError(call.msgid(), className, excArgs));
    }

    void callback(String name, Object... args) {
        sendPayload(codec.encodeCallback(name, List.of(args)));
    }

    void sendPayload(byte[] payload) {
        write(SizedFrames.frame(payload));
    }

    void write(byte[] bytes) {
        try {
            OutputStream out = socket().getOutputStream();
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the client connection, as a server that drops a client does. */
    void dropConnection() throws IOException {
        socket().close();
    }

    private Socket socket() {
        try {
            return connection.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("no client connected", e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            connection.join().close();
        }
    }
}
