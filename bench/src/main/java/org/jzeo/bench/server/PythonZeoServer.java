package org.jzeo.bench.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python ZEO server (ZEO 5.x's {@code runzeo}) for side-by-side measurements: {@code PYTHON -m ZEO.runzeo -C
 * DIR/zeo.conf}, output to {@code DIR/server.log}. runzeo has no command-line flag for msgpack (the option
 * exists only in the configuration file), and jzeo's {@link org.jzeo.server.cli.AdminConnection} speaks only the
 * msgpack protocol ("M5"), so the tool writes a zeo.conf with {@code msgpack true}, the loopback address and
 * a FileStorage named "1" on {@code DIR/Data.fs}. The port is a free one found by binding port 0 and closing
 * it; the server is ready when it accepts a connection. Stopped with SIGTERM.
 */
public final class PythonZeoServer implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress address;
    private final Path log;

    private PythonZeoServer(Process process, InetSocketAddress address, Path log) {
        this.process = process;
        this.address = address;
        this.log = log;
    }

    /** The ZEO version the interpreter has installed (importlib.metadata), or a message why not. */
    public static String zeoVersion(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c",
                    "import importlib.metadata as m, sys; print('ZEO', m.version('ZEO'), 'on Python',"
                            + " sys.version.split()[0])").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "unknown ZEO version (" + out.lines().reduce((a, b) -> b).orElse("")
                    + ")";
        } catch (IOException e) {
            return "unknown ZEO version (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown ZEO version";
        }
    }

    static PythonZeoServer start(String python, Path dir, int readyTimeoutSeconds)
            throws IOException, InterruptedException {
        return start(python, dir, null, readyTimeoutSeconds);
    }

    /** As above, with {@code blob-dir} in the FileStorage section when {@code blobDir} is not null. */
    public static PythonZeoServer start(String python, Path dir, Path blobDir, int readyTimeoutSeconds)
            throws IOException, InterruptedException {
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        Path conf = abs.resolve("zeo.conf");
        Files.writeString(conf, "<zeo>\n  address 127.0.0.1:" + port + "\n  msgpack true\n</zeo>\n"
                + "<filestorage 1>\n  path " + abs.resolve("Data.fs") + "\n"
                + (blobDir == null ? "" : "  blob-dir " + blobDir.toAbsolutePath() + "\n") + "</filestorage>\n");
        Path log = abs.resolve("server.log");
        Files.deleteIfExists(log);
        List<String> command = List.of(python, "-m", "ZEO.runzeo", "-C", conf.toString());
        System.out.println("# python server: " + String.join(" ", command) + " (zeo.conf: address 127.0.0.1:" + port
                + ", msgpack true, filestorage 1 at " + abs.resolve("Data.fs") + ")");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("the Python ZEO server exited with status " + p.exitValue()
                        + " before it accepted connections; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return new PythonZeoServer(p, address, log);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IOException("the Python ZEO server did not accept connections within " + readyTimeoutSeconds
                + " s; see " + log);
    }

    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGTERM, then wait up to {@code seconds}; SIGKILL if it is still running. Returns the exit status. */
    int stop(int seconds) throws InterruptedException {
        return org.jzeo.bench.BenchSupport.stopProcess(process, seconds, "python server");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(30);
        }
    }
}
