package org.jzeo.client.cache;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The binary cache trace file: the 4 bytes "JZT1", then fixed-size records, big-endian:
 * {@code time millis (8) | event code (1) | oid (8) | tid (8) | data size (4)}. A trace cut short by a crash
 * loses only its last, partial record.
 */
public final class CacheTrace {
    static final byte[] MAGIC = {'J', 'Z', 'T', '1'};
    static final int RECORD_BYTES = 8 + 1 + 8 + 8 + 4;

    private CacheTrace() {
    }

    /** Appends to {@code file}, creating it (with its magic) if absent. Thread-safe. */
    public static Writer append(Path file) throws IOException {
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        if (!fresh) {
            checkMagic(file);
        }
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16));
        if (fresh) {
            out.write(MAGIC);
        }
        return new Writer(out);
    }

    /** Reads every event of {@code file} in order. */
    public static void replay(Path file, Consumer<TraceEvent> sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            readMagic(in, file);
            byte[] record = new byte[RECORD_BYTES];
            while (true) {
                int n = in.readNBytes(record, 0, RECORD_BYTES);
                if (n < RECORD_BYTES) {
                    return;
                }
                ByteBuffer b = ByteBuffer.wrap(record);
                long time = b.getLong();
                int code = b.get() & 0xff;
                TraceEvent.Type type = TraceEvent.Type.ofCode(code);
                if (type == null) {
                    throw new IOException(file + " is not a valid cache trace: unknown event code " + code);
                }
                sink.accept(new TraceEvent(time, type, b.getLong(), b.getLong(), b.getInt()));
            }
        }
    }

    /** Every event of {@code file}, in memory. */
    public static List<TraceEvent> readAll(Path file) throws IOException {
        List<TraceEvent> events = new ArrayList<>();
        replay(file, events::add);
        return events;
    }

    private static void checkMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            readMagic(in, file);
        }
    }

    private static void readMagic(InputStream in, Path file) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a jzeo cache trace (no JZT1 magic)");
        }
    }

    /** Appends events; buffered, flushed at close. */
    public static final class Writer implements Closeable {
        private final DataOutputStream out;

        private Writer(DataOutputStream out) {
            this.out = out;
        }

        public synchronized void write(TraceEvent e) throws IOException {
            out.writeLong(e.timeMillis());
            out.writeByte(e.type().code());
            out.writeLong(e.oid());
            out.writeLong(e.tid());
            out.writeInt(e.size());
        }

        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }
    }

}
