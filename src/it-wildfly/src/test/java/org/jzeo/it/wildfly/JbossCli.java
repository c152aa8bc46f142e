package org.jzeo.it.wildfly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a jboss-cli script against the managed WildFly, as an operator would: {@code bin/jboss-cli.sh --connect
 * --controller=... --file=SCRIPT}, with this JVM's Java.
 */
final class JbossCli {
    private static final long TIMEOUT_SECONDS = 180;

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
    String run(Path script) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", jbossHome.resolve("bin/jboss-cli.sh").toString(),
                "--connect", "--controller=remote+http://127.0.0.1:" + managementPort, "--file=" + script))
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path output = Files.createTempFile(script.getParent(), "jboss-cli-", ".out");
        Process cli = builder.redirectOutput(output.toFile()).start();
        if (!cli.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new AssertionError("jboss-cli " + script + " did not finish in " + TIMEOUT_SECONDS + " s:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (cli.exitValue() != 0) {
            throw new AssertionError("jboss-cli " + script + " failed (exit status " + cli.exitValue() + "):\n" + text);
        }
        return text;
    }
}
