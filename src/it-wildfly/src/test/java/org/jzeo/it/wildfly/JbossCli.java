package org.jzeo.it.wildfly;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jzeo.it.ExternalCommand;

/**
 * Runs a jboss-cli script against the managed WildFly, as an operator would: {@code bin/jboss-cli.sh --connect
 * --controller=... --file=SCRIPT}, with this JVM's Java.
 */
final class JbossCli {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Path jbossHome;
    private final int managementPort;

    JbossCli(Path jbossHome, int managementPort) {
        this.jbossHome = jbossHome;
        this.managementPort = managementPort;
    }

    static JbossCli fromSystemProperties() {
        return new JbossCli(Path.of(System.getProperty("jboss.home")),
                Integer.parseInt(System.getProperty("wildfly.management.port", "9990")));
    }

    /**
     * Runs {@code script}; returns the CLI's output.
     *
     * @throws AssertionError with the output if it fails or does not finish in time
     */
    String run(Path script) {
        return ExternalCommand.run(List.of("sh", jbossHome.resolve("bin/jboss-cli.sh").toString(), "--connect",
                        "--controller=remote+http://127.0.0.1:" + managementPort, "--file=" + script),
                Map.of("JAVA_HOME", System.getProperty("java.home")), TIMEOUT);
    }
}
