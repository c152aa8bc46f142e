package org.jzeo.server.net;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP connection to the server that does nothing by itself: no handshake, no decoding. It writes whatever bytes
 * it is given and queues every sized message the server sends, raw, in arrival order, so a test can send a
 * recorded Python client's frames verbatim (including bad handshakes and garbage) and look at exactly what came
 * back. One background reader thread; methods may be called from any thread.
 */
final class RawConnection implements AutoCloseable {
    /** A larger frame from the server is treated as garbage: the reader stops and the connection is closed. */
    private static final int MAX_FRAME = 64 * 1024 * 1024;
    private static final byte[] END = new byte[0];

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final Thread reader;
    private volatile boolean closing;
    /** The first element taken by {@link #peek}, not yet consumed. */
    private byte[] peeked;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.reader = new Thread(this::readLoop, "RawConnection reader " + socket.getLocalSocketAddress());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static RawConnection open(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, 10_000);
            socket.setTcpNoDelay(true);
            return new RawConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one sized message carrying {@code payload}. */
    void sendFrame(byte[] payload) throws IOException {
        sendRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
    }

    /** Writes {@code bytes} as they are. */
    void sendRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /**
     * The next frame the server sent, waiting up to {@code timeout}.
     *
     * @return the payload; null if the server closed the connection before sending one
     * @throws TimeoutException if nothing came within the timeout and the connection is still open
     */
    synchronized byte[] next(Duration timeout) throws TimeoutException, InterruptedException {
        byte[] frame = peek(timeout);
        if (frame != null) {
            peeked = null;
        }
        return frame;
    }

    /** Like {@link #next} but leaves the frame in place for the next call. */
    synchronized byte[] peek(Duration timeout) throws TimeoutException, InterruptedException {
        if (peeked == null) {
            byte[] frame = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new TimeoutException("no frame from the server within " + timeout.toMillis() + " ms");
            }
            peeked = frame;
        }
        if (peeked == END) {
            return null;
        }
        return peeked;
    }

    /** Takes every frame received so far without waiting (the end marker stays). */
    synchronized List<byte[]> drain() {
        List<byte[]> frames = new ArrayList<>();
        if (peeked != null && peeked != END) {
            frames.add(peeked);
            peeked = null;
        }
        byte[] frame;
        while ((frame = received.peek()) != null && frame != END) {
            frames.add(received.poll());
        }
        return frames;
    }

    /** True once the connection has ended, whoever ended it. */
    boolean isClosed() {
        return closed.isDone();
    }

    /** Waits until the connection ends; false if it is still open after {@code timeout}. */
    boolean awaitClosed(Duration timeout) throws InterruptedException {
        try {
            closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("never fails", e);
        }
    }

    /** Why the connection ended ("the server closed the connection", ...), or null while open. */
    String closedReason() {
        return closed.getNow(null);
    }

    private void readLoop() {
        String reason;
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    reason = "the server closed the connection";
                    break;
                }
                byte[] prefix = {(byte) first, 0, 0, 0};
                in.readFully(prefix, 1, 3);
                long length = Integer.toUnsignedLong(ByteBuffer.wrap(prefix).getInt());
                if (length > MAX_FRAME) {
                    reason = "the server announced a frame of " + length + " bytes";
                    break;
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                received.add(payload);
            }
        } catch (EOFException e) {
            reason = "the server closed the connection inside a frame";
        } catch (IOException e) {
            reason = closing ? "closed by the test" : "connection failed: " + e;
        }
        received.add(END);
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
        closed.complete(reason);
    }

    /** The local port, which the server's log lines name ("/127.0.0.1:PORT"). */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Ends the connection the way a crashed client does: a TCP reset, no FIN, no goodbye. */
    void reset() {
        closing = true;
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // fall back to an ordinary close
        }
        close();
    }

    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
