package org.jzeo.bench.blobs;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.bench.BenchSupport;
import org.jzeo.bench.server.PythonZeoServer;
import org.jzeo.bench.server.ServerProcess;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.ClientStorage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;

/**
 * Blob throughput and memory, side by side with the disk's own write rate:
 *
 * <ul>
 *   <li><b>disk</b>: sequential write of a file of the largest size with 1 MB writes and one fsync, in the folder
 *       the servers keep their blobs in (the ceiling for a stored blob, which is written once and fsynced);</li>
 *   <li><b>store</b>: one blob of each size committed through a client (the file is prepared first, untimed;
 *       timed: sending it, the server writing and fsyncing it, vote and finish);</li>
 *   <li><b>load</b>: a new client with an empty blob cache reads it back whole (sendBlob, written into the
 *       client's cache, then read);</li>
 *   <li><b>stream</b>: a blob of {@code --stream-mb} (1 GB by default) stored and loaded through the Java client
 *       while the client's heap is sampled, against a server limited to {@code -Xmx128m} whose GC log gives its
 *       heap; both must stay flat whatever the blob's size.</li>
 * </ul>
 *
 * <p>Clients: jzeo's Java client ({@link ClientStorage}) and, with {@code --python PATH}, the stock ZEO client
 * (ZEO 5 installed for that interpreter). Servers: jzeo and, with {@code --python}, Python ZEO's runzeo with the same
 * FileStorage and blob-dir. Before the timed rounds, 5 untimed rounds of a 16 MB blob through the Java client warm
 * up both JVMs' compilers. Usage: {@code BlobThroughputTool [--sizes 1,10,100] [--rounds 3] [--python PATH]
 * [--stream-mb 1024] [--dir DIR]}. Figures are MB/s (1 MB = 2^20 bytes), median of the rounds.
 */
public final class BlobThroughputTool {
    private static final int MB = 1 << 20;
    private static final int WARMUP_MB = 16;
    private static final int WARMUP_ROUNDS = 5;
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final List<Integer> sizesMb;
    private final int rounds;
    private final String python;
    private final int streamMb;
    private final Path dir;

    private BlobThroughputTool(List<Integer> sizesMb, int rounds, String python, int streamMb, Path dir) {
        this.sizesMb = sizesMb;
        this.rounds = rounds;
        this.python = python;
        this.streamMb = streamMb;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(1, 10, 100);
        int rounds = 3;
        String python = null;
        int streamMb = 1024;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                case "--stream-mb" -> streamMb = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--sizes 1,10,100] [--rounds 3] [--python PATH] [--stream-mb 1024] [--dir DIR]");
            }
        }
        Path work = dir != null ? dir : Files.createTempDirectory("jzeo-blob-bench");
        try {
            new BlobThroughputTool(sizes, rounds, python, streamMb, work).run();
        } finally {
            if (dir == null) {
                BenchSupport.deleteTree(work);
            }
        }
    }

    private void run() throws Exception {
        System.out.println("# blob throughput; load average " + BenchSupport.loadAverage() + "; "
                + Runtime.getRuntime().availableProcessors() + " cpus; work folder " + dir);
        if (python != null) {
            System.out.println("# python: " + PythonZeoServer.zeoVersion(python));
        }
        int largest = sizesMb.stream().mapToInt(Integer::intValue).max().orElse(1);
        double disk = diskWriteMbPerSecond(dir.resolve("disk-probe.bin"), largest);
        System.out.printf("disk sequential write + fsync (%d MB): %.0f MB/s%n", largest, disk);
        System.out.printf("%-8s %-7s %6s %12s %12s %10s %10s%n", "server", "client", "MB", "store MB/s", "load MB/s",
                "store/disk", "load/disk");
        runServer("jzeo", disk);
        if (python != null) {
            runServer("python", disk);
        }
        if (streamMb > 0) {
            stream();
        }
    }

    private void runServer(String server, double disk) throws Exception {
        Path home = dir.resolve(server);
        Files.createDirectories(home);
        Path blobs = home.resolve("blobs");
        try (Server running = Server.start(server, python, home, blobs, List.of())) {
            // Untimed: both JVMs compile the blob paths first (a cold JIT would be what the small sizes measure).
            new BlobThroughputTool(List.of(WARMUP_MB), WARMUP_ROUNDS, null, 0, dir).javaClient(running.address(),
                    home, WARMUP_MB);
            for (int size : sizesMb) {
                report(server, "java", size, javaClient(running.address(), home, size), disk);
                if (python != null) {
                    report(server, "python", size, pythonClient(running.address(), home, size), disk);
                }
            }
        }
        BenchSupport.deleteTree(home);
    }

    private static void report(String server, String client, int sizeMb, double[][] seconds, double disk) {
        double store = sizeMb / BenchSupport.median(seconds[0]);
        double load = sizeMb / BenchSupport.median(seconds[1]);
        System.out.printf("%-8s %-7s %6d %12.0f %12.0f %10.2f %10.2f%n", server, client, sizeMb, store, load,
                store / disk, load / disk);
        System.out.printf("RESULT blob %s-server %s-client %dMB store=%.0fMB/s load=%.0fMB/s disk=%.0fMB/s%n",
                server, client, sizeMb, store, load, disk);
    }

    /** Seconds per round: [0] store, [1] load. */
    private double[][] javaClient(InetSocketAddress address, Path home, int sizeMb) throws Exception {
        double[][] seconds = new double[2][rounds];
        Path source = home.resolve("source-" + sizeMb + ".bin");
        writeRandom(source, (long) sizeMb * MB);
        for (int r = 0; r < rounds; r++) {
            Oid oid;
            Tid tid;
            try (ClientStorage client = new ClientStorage(options(address, home))) {
                Path staged = Files.createTempFile(client.blobTemporaryDirectory(), "bench-", ".tmp");
                Files.copy(source, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                long start = System.nanoTime();
                oid = client.newOids(1).get(0);
                StorageTransaction txn = client.begin(TransactionMetadata.empty());
                txn.storeBlob(oid, Tid.ZERO, JzeoRecord.encode(List.of(), "blob".getBytes(StandardCharsets.UTF_8)),
                        staged);
                txn.vote();
                tid = txn.finish();
                seconds[0][r] = (System.nanoTime() - start) / 1e9;
                Files.deleteIfExists(staged);
            }
            try (ClientStorage client = new ClientStorage(options(address, home))) {
                long start = System.nanoTime();
                long read = readWhole(client.loadBlob(oid, tid));
                seconds[1][r] = (System.nanoTime() - start) / 1e9;
                if (read != (long) sizeMb * MB) {
                    throw new IllegalStateException("read " + read + " bytes back, stored " + (long) sizeMb * MB);
                }
            }
        }
        Files.delete(source);
        return seconds;
    }

    private static ClientOptions options(InetSocketAddress address, Path home) throws IOException {
        Path cache = Files.createTempDirectory(home, "java-blob-cache-");
        return ClientOptions.of(address.getHostString() + ":" + address.getPort()).withBlobDir(cache, false);
    }

    private double[][] pythonClient(InetSocketAddress address, Path home, int sizeMb) throws Exception {
        Path script = home.resolve("blob_client.py");
        try (InputStream in = BlobThroughputTool.class.getResourceAsStream("blob_client.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path work = Files.createTempDirectory(home, "python-");
        Process p = new ProcessBuilder(python, script.toString(), address.getHostString(),
                Integer.toString(address.getPort()), work.toString(), Long.toString((long) sizeMb * MB),
                Integer.toString(rounds)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("the Python blob client failed:\n" + out);
        }
        double[][] seconds = new double[2][rounds];
        Matcher m = Pattern.compile("\"round\": (\\d+), \"store_s\": ([0-9.e-]+), \"load_s\": ([0-9.e-]+)")
                .matcher(out);
        int found = 0;
        while (m.find()) {
            int r = Integer.parseInt(m.group(1));
            seconds[0][r] = Double.parseDouble(m.group(2));
            seconds[1][r] = Double.parseDouble(m.group(3));
            found++;
        }
        if (found != rounds) {
            throw new IOException("the Python blob client reported " + found + " rounds of " + rounds + ":\n" + out);
        }
        BenchSupport.deleteTree(work);
        return seconds;
    }

    /** A blob of streamMb through the Java client and a jzeo server with a small heap; the heaps' peaks. */
    private void stream() throws Exception {
        Path home = dir.resolve("stream");
        Files.createDirectories(home);
        Path gcLog = home.resolve("server-gc.log");
        List<String> jvm = List.of("-Xmx128m", "-Xlog:gc:file=" + gcLog);
        try (Server server = Server.start("jzeo", null, home, home.resolve("blobs"), jvm);
             HeapSampler clientHeap = HeapSampler.start()) {
            double[][] seconds = new BlobThroughputTool(List.of(streamMb), 1, null, 0, dir)
                    .javaClient(server.address(), home, streamMb);
            System.out.printf("stream %d MB through the Java client: store %.0f MB/s, load %.0f MB/s%n", streamMb,
                    streamMb / seconds[0][0], streamMb / seconds[1][0]);
            System.out.printf("RESULT blob-stream %dMB client-heap-peak=%dMB (of -Xmx%dMB) server-heap-peak=%s"
                            + " (of -Xmx128MB)%n", streamMb, clientHeap.peakBytes() / MB,
                    Runtime.getRuntime().maxMemory() / MB, serverHeapPeak(gcLog));
        }
        BenchSupport.deleteTree(home);
    }

    /** The largest heap occupancy before a collection in a unified GC log ("12M->3M(128M)"), as text. */
    private static String serverHeapPeak(Path gcLog) throws IOException {
        if (!Files.exists(gcLog)) {
            return "unknown (no GC log)";
        }
        long peak = -1;
        int collections = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_HEAP.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
                collections++;
            }
        }
        return collections == 0 ? "below the first collection" : peak + "MB over " + collections + " collections";
    }

    private static long readWhole(Path file) throws IOException {
        long total = 0;
        ByteBuffer buffer = ByteBuffer.allocate(MB);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                buffer.clear();
            }
        }
        return total;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(size);
        byte[] chunk = new byte[MB];
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, left));
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
    }

    private static double diskWriteMbPerSecond(Path probe, int sizeMb) throws IOException {
        byte[] chunk = new byte[MB];
        new Random(1).nextBytes(chunk);
        long start = System.nanoTime();
        try (FileChannel out = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < sizeMb; i++) {
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(probe);
        return sizeMb / seconds;
    }

    /** A jzeo or Python ZEO server with a FileStorage and a blob directory in {@code home}. */
    private interface Server extends AutoCloseable {
        InetSocketAddress address();

        @Override
        void close() throws InterruptedException;

        static Server start(String kind, String python, Path home, Path blobs, List<String> jvm)
                throws IOException, InterruptedException {
            if (kind.equals("python")) {
                PythonZeoServer p = PythonZeoServer.start(python, home, blobs, 60);
                return new Server() {
                    @Override
                    public InetSocketAddress address() {
                        return p.address();
                    }

                    @Override
                    public void close() throws InterruptedException {
                        p.close();
                    }
                };
            }
            ServerProcess s = ServerProcess.start(System.getProperty("java.class.path"), home.resolve("Data.fs"),
                    home.resolve("server.log"), jvm, List.of("--blob-dir", blobs.toString()), 60);
            return new Server() {
                @Override
                public InetSocketAddress address() {
                    return s.address();
                }

                @Override
                public void close() throws InterruptedException {
                    s.close();
                }
            };
        }
    }

    /** The largest heap use of this JVM seen by a thread sampling it every 20 ms. */
    private static final class HeapSampler implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        private HeapSampler() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            thread = new Thread(() -> {
                while (running) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
        }

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            s.thread.start();
            return s;
        }

        long peakBytes() {
            return peak.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(1000);
        }
    }
}
