package org.jzeo.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.WireMessage;

/**
 * A ZEO server played by the test, on a loopback socket: it does the handshake, answers {@code register} and
 * {@code get_info}, and hands every other call to the test, which decides the exact bytes and their grouping
 * into TCP writes. One client connection at a time.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket listener;
    private final MessageCodec codec = new MessageCodec();
    private final BlockingQueue<WireMessage> calls = new LinkedBlockingQueue<>();
    private final Tid lastTid;
    private final Map<String, Object> info;
    private volatile Socket client;
    private final java.util.concurrent.atomic.AtomicInteger registrations = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;

    ScriptedServer(Tid lastTid) throws IOException {
        this(lastTid, Map.of());
    }

    /** With {@code extraInfo} added to the get_info answer (e.g. jzeo's extensions). */
    ScriptedServer(Tid lastTid, Map<String, Object> extraInfo) throws IOException {
        this.lastTid = lastTid;
        this.info = new java.util.HashMap<>(Map.of("length", 1L, "size", 100L, "name", "scripted",
                "supportsUndo", false));
        this.info.putAll(extraInfo);
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "scripted-zeo-server");
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** How many times a client registered. */
    int registrations() {
        return registrations.get();
    }

    /** The next call the client made (other than the ones answered automatically). */
    WireMessage nextCall() throws InterruptedException {
        WireMessage call = calls.poll(10, TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError("the client made no call within 10 s");
        }
        return call;
    }

    /** A normal reply frame. */
    byte[] reply(WireMessage call, Object result) {
        return frame(codec.encodeReply(call.msgid(), result));
    }

    /** An error reply frame {@code [class, excArgs]}. */
    byte[] error(WireMessage call, String className, Object excArgs) {
        return frame(codec.encodeError(call.msgid(), className, excArgs));
    }

    /** A callback frame, e.g. invalidateTransaction. */
    byte[] callback(String name, Object... args) {
        return frame(codec.encodeCallback(name, List.of(args)));
    }

    /** Sends frames in ONE write, so the client receives them together. */
    void sendTogether(byte[]... frames) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(java.util.Arrays.stream(frames).mapToInt(f -> f.length).sum());
        for (byte[] f : frames) {
            all.put(f);
        }
        OutputStream out = client.getOutputStream();
        out.write(all.array());
        out.flush();
    }

    private static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private void serve() {
        try {
            while (!listener.isClosed()) {
                Socket socket = listener.accept();
                client = socket;
                try {
                    converse(socket);
                } catch (IOException | MalformedMessageException e) {
                    socket.close();
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void converse(Socket socket) throws IOException, MalformedMessageException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        writeFrame(out, Handshake.serverAnnouncement());
        readFrame(in); // the client's "M5"
        while (true) {
            WireMessage call = codec.decode(readFrame(in));
            switch (call.name()) {
                case "register" -> {
                    registrations.incrementAndGet();
                    writeFrame(out, codec.encodeReply(call.msgid(), lastTid.toBytes()));
                }
                case "get_info" -> writeFrame(out, codec.encodeReply(call.msgid(), info));
                default -> calls.add(call);
            }
        }
    }

    private static void writeFrame(DataOutputStream out, byte[] payload) throws IOException {
        synchronized (out) {
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket c = client;
        if (c != null) {
            c.close();
        }
    }
}
