package org.jzeo.bench.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import org.jzeo.protocol.Handshake;
import org.jzeo.protocol.MalformedMessageException;
import org.jzeo.protocol.MessageCodec;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireMessage;

/**
 * A minimal blocking ZEO 5 (msgpack) client for the load tool: one socket, one outstanding sync call at a time,
 * like one thread of a ZODB client. Async calls ({@code tpc_begin}, {@code storea}) are buffered and go out with
 * the next sync call in one write. Server callbacks ({@code invalidateTransaction}, {@code info}) that arrive
 * while waiting for a reply are counted and skipped without decoding (recognised by their first three bytes,
 * {@code [0, true, ...]}). Not thread-safe: one client per thread.
 *
 * <p>Encoding and decoding use {@link MessageCodec}; only {@code loadBefore}, the hot call of the read
 * measurement, is encoded from a fixed template (checked byte for byte against {@link MessageCodec} when the
 * class loads), so that the load generator, which shares the CPUs with the server, spends as little as possible.
 */
final class BlockingZeoClient implements Closeable {
    /** 8-byte tid {@code 7fffffffffffffff}: "load the current revision". */
    static final byte[] MAX_TID = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff};
    static final byte[] Z64 = new byte[8];

    private static final MessageCodec CODEC = new MessageCodec();
    /** [[oid, tid], false, "loadBefore", [oid, tid]] with zero oid/tid; offsets of the four 8-byte holes. */
    private static final byte[] LOAD_TEMPLATE;
    private static final int[] LOAD_OID_AT;
    private static final int[] LOAD_TID_AT;

    static {
        byte[] oid = {1, 2, 3, 4, 5, 6, 7, 8};
        byte[] tid = {9, 10, 11, 12, 13, 14, 15, 16};
        // array4, msgid = array2 [bin8 oid, bin8 tid], false, fixstr "loadBefore", args = array2 [bin8, bin8]
        byte[] head = {(byte) 0x94, (byte) 0x92};
        byte[] name = {(byte) 0xc2, (byte) 0xaa, 'l', 'o', 'a', 'd', 'B', 'e', 'f', 'o', 'r', 'e', (byte) 0x92};
        LOAD_TEMPLATE = new byte[2 + 20 + name.length + 20];
        System.arraycopy(head, 0, LOAD_TEMPLATE, 0, 2);
        LOAD_OID_AT = new int[] {2 + 2, 2 + 20 + name.length + 2};
        LOAD_TID_AT = new int[] {LOAD_OID_AT[0] + 10, LOAD_OID_AT[1] + 10};
        for (int at : new int[] {2, 2 + 10, 2 + 20 + name.length, 2 + 20 + name.length + 10}) {
            LOAD_TEMPLATE[at] = (byte) 0xc4;
            LOAD_TEMPLATE[at + 1] = 8;
        }
        System.arraycopy(name, 0, LOAD_TEMPLATE, 22, name.length);
        byte[] check = fillLoad(oid, tid);
        byte[] expected = CODEC.encodeCall(List.of(oid, tid), false, "loadBefore", List.of(oid, tid));
        if (!Arrays.equals(check, expected)) {
            throw new IllegalStateException("loadBefore template differs from MessageCodec's encoding");
        }
    }

    private static byte[] fillLoad(byte[] oid, byte[] tid) {
        byte[] m = LOAD_TEMPLATE.clone();
        for (int i = 0; i < 2; i++) {
            System.arraycopy(oid, 0, m, LOAD_OID_AT[i], 8);
            System.arraycopy(tid, 0, m, LOAD_TID_AT[i], 8);
        }
        return m;
    }

    /** An error reply from the server ({@code [msgid, 2, ".reply", [class, args]]}). */
    static final class ZeoError extends IOException {
        private static final long serialVersionUID = 1L;
        final String className;
        final transient Object excArgs;

        ZeoError(String method, String className, Object excArgs) {
            super(method + ": " + className + " " + excArgs);
            this.className = className;
            this.excArgs = excArgs;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long nextId = 1;
    private long callbacks;

    private BlockingZeoClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Connects, does the M5 handshake and registers with {@code storage} (read-write); socket timeouts in ms. */
    static BlockingZeoClient connect(InetSocketAddress address, String storage, int timeoutMillis)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            BlockingZeoClient client = new BlockingZeoClient(socket);
            Handshake.Result announced = Handshake.classifyServerAnnouncement(client.readFrame());
            if (announced.isBad()) {
                throw new IOException("handshake: " + announced.reason());
            }
            client.writeFrame(Handshake.clientReply());
            client.call("register", storage, false);
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Callbacks (invalidations, info) received and ignored so far. */
    long callbacks() {
        return callbacks;
    }

    /** {@code loadBefore(oid, tid)} with msgid {@code [oid, tid]}: null, or {@code [data, start, end]}. */
    @SuppressWarnings("unchecked")
    List<Object> loadBefore(byte[] oid, byte[] tid) throws IOException {
        byte[] payload = fillLoad(oid, tid);
        writeFrame(payload);
        out.flush();
        // The reply echoes the msgid [oid, tid]: the 21 bytes at offsets 1..21 of the call.
        Object result = awaitReply("loadBefore", payload, 1, 22);
        return (List<Object>) result;
    }

    /** A sync call with the next integer msgid; returns the result or throws {@link ZeoError}. */
    Object call(String method, Object... args) throws IOException {
        long id = nextId++;
        byte[] payload = CODEC.encodeCall(id, false, method, Arrays.asList(args));
        writeFrame(payload);
        out.flush();
        byte[] idBytes = MessageId.of(id).encoded();
        return awaitReply(method, idBytes, 0, idBytes.length);
    }

    /** An async call {@code [0, true, method, args]}: buffered, sent with the next sync call. */
    void callAsync(String method, Object... args) throws IOException {
        writeFrame(CODEC.encodeCall(0L, true, method, Arrays.asList(args)));
    }

    private Object awaitReply(String method, byte[] idSource, int from, int to) throws IOException {
        while (true) {
            byte[] frame = readFrame();
            if (frame.length > 3 && frame[0] == (byte) 0x94 && frame[1] == 0 && frame[2] == (byte) 0xc3) {
                // [0, true, ...]: a callback (invalidateTransaction, info). Replies carry an int flag (0 or 2),
                // never true, so these three bytes are enough; skipped undecoded to keep the tool's CPU low.
                callbacks++;
                continue;
            }
            WireMessage message;
            try {
                message = CODEC.decode(frame);
            } catch (MalformedMessageException e) {
                throw new IOException(method + ": undecodable message from the server: " + e.getMessage(), e);
            }
            if (message.isCall()) {
                callbacks++; // [0, true, "invalidateTransaction" | "info", args]: read and ignored
                continue;
            }
            if (message.isKeepAlive()) {
                continue;
            }
            if (!Arrays.equals(message.msgid().encoded(), 0, message.msgid().encoded().length,
                    idSource, from, to)) {
                throw new IOException(method + ": reply for another call, msgid " + message.msgid());
            }
            if (message.isError()) {
                throw new ZeoError(method, message.errorClassName(), message.errorArgs());
            }
            return message.result();
        }
    }

    private void writeFrame(byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
    }

    private byte[] readFrame() throws IOException {
        int n;
        try {
            n = in.readInt();
        } catch (EOFException e) {
            throw new EOFException("the server closed the connection");
        }
        if (n < 0 || n > 64 * 1024 * 1024) {
            throw new IOException("bad frame length " + Integer.toUnsignedString(n));
        }
        byte[] payload = new byte[n];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Forces a blocked read or write in another thread to fail (used when a phase overruns its time bound). */
    void abort() {
        close();
    }
}
