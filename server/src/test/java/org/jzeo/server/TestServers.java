package org.jzeo.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.config.ZeoConfig;

/** Servers for tests: in this JVM, on a loopback port chosen by the system, serving a Data.fs in a test folder. */
public final class TestServers {
    private TestServers() {
    }

    /** The configuration of a test server for {@code dataFile}, adjusted by {@code zeo}. */
    public static ServerConfig config(Path dataFile, UnaryOperator<ZeoConfig> zeo) {
        ZeoConfig base = ZeoConfig.defaults().withAddress(new ListenAddress.Tcp("127.0.0.1", 0))
                .withLockWait(Duration.ofSeconds(5));
        return new ServerConfig(zeo.apply(base), List.of(FileStorageConfig.of("1", dataFile)), LogConfig.defaults());
    }

    public static RunningServer start(Path dataFile) throws InterruptedException {
        return RunningServer.start(config(dataFile, z -> z));
    }

    public static RunningServer start(Path dataFile, UnaryOperator<ZeoConfig> zeo) throws InterruptedException {
        return RunningServer.start(config(dataFile, zeo));
    }

    public static InetSocketAddress address(RunningServer server) {
        return (InetSocketAddress) server.addresses().get(0);
    }

    static Optional<Duration> seconds(double s) {
        return Optional.of(Duration.ofMillis((long) (s * 1000)));
    }
}
