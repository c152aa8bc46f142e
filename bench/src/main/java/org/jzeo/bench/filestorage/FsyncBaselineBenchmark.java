package org.jzeo.bench.filestorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Control for figure (b): the disk's own floor, without any jzeo code. Each op appends {@code bytes} bytes at
 * the end of a file and calls {@code force(false)} (fdatasync), which is exactly the I/O a FileStorage commit
 * does (one positional write of the transaction record, then {@code FileChannel.force(false)}).
 * {@code bytes=250} matches a one-object transaction of {@link CommitBenchmark}, {@code bytes=20000} a
 * 100-object one. If {@code CommitBenchmark} is close to this, commits are bound by the disk, not by jzeo.
 *
 * <p>{@code mode=append} grows the file at every op, as Data.fs does. {@code mode=prewritten} writes the same
 * bytes over a region written and synced in the setup, so the file size and its block map do not change and
 * fdatasync only has data to flush: the difference between the two is what the file-system metadata (size,
 * extent allocation, journal commit) costs per commit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class FsyncBaselineBenchmark {
    @Param({"250", "20000"})
    public int bytes;

    @Param({"append", "prewritten"})
    public String mode;

    /** Size of the region written in advance for {@code mode=prewritten}; writes wrap around inside it. */
    private static final long PREWRITTEN = 256L << 20;

    private Path dir;
    private FileChannel channel;
    private ByteBuffer buffer;
    private long end;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Files.createDirectories(BenchData.baseDir());
        dir = Files.createTempDirectory(BenchData.baseDir(), "fsync-baseline-");
        channel = FileChannel.open(dir.resolve("append.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        byte[] data = new byte[bytes];
        new SplittableRandom(3).nextBytes(data);
        buffer = ByteBuffer.wrap(data);
        end = 0;
        if ("prewritten".equals(mode)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < PREWRITTEN; at += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) {
                    channel.write(zeros, at + zeros.position());
                }
            }
            channel.force(true);
        } else if (!"append".equals(mode)) {
            throw new IllegalArgumentException("mode must be append or prewritten, not " + mode);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        channel.close();
        BenchData.deleteTree(dir);
    }

    @Benchmark
    public long appendAndFdatasync() throws IOException {
        if (end + bytes > PREWRITTEN && "prewritten".equals(mode)) {
            end = 0;
        }
        buffer.clear();
        while (buffer.hasRemaining()) {
            end += channel.write(buffer, end);
        }
        channel.force(false);
        return end;
    }
}
