package org.jzeo.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.jzeo.client.ClientOptions;
import org.jzeo.server.process.ServerProcess;

/** Servers whose FileStorage keeps blobs, and blob contents that tests compare without holding them in memory. */
public final class BlobServers {
    private BlobServers() {
    }

    /** The server's blob directory for a server started with {@link #start(Path)} on {@code dir}. */
    public static Path blobDir(Path dir) {
        return dir.resolve("server-blobs");
    }

    /** A server in its own JVM serving {@code dir/Data.fs} with blob directory {@link #blobDir} ({@code --blob-dir}). */
    public static ServerProcess start(Path dir) throws IOException, InterruptedException {
        return ServerProcess.start(dir.resolve("Data.fs"), "--blob-dir", blobDir(dir).toString());
    }

    /** A client of {@code server} with its own blob cache at {@code blobCache}. */
    public static ClientOptions client(ServerProcess server, Path blobCache) {
        return ClientOptions.of(server.hostPort()).withDisconnectPoll(Duration.ofMillis(100), Duration.ofMillis(500))
                .withWait(true, Duration.ofSeconds(30)).withBlobDir(blobCache, false);
    }

    /** Writes {@code size} pseudo-random bytes (seeded by size and {@code seed}) to a new file in {@code dir}. */
    public static Path content(Path dir, long size, int seed) throws IOException {
        Path file = Files.createTempFile(dir, "content-" + size + "-", ".bin");
        Random random = new Random(size * 31 + seed);
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(buffer.length, left);
                random.nextBytes(buffer);
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        return file;
    }

    /** SHA-256 of a stream, read to its end and closed. */
    public static String digest(InputStream in) {
        try (DigestInputStream digest = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String digest(Path file) {
        try {
            return digest(Files.newInputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Total bytes of the {@code .blob} files below {@code dir}. */
    public static long blobBytes(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".blob")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0; // trimmed while walking
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
