package org.jzeo.it.payara;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jzeo.it.ExternalCommand;

/**
 * Runs {@code <payara home>/bin/asadmin}, one command per process, exactly as an operator types it (the same
 * arguments are what the README shows), against the domain's admin port on loopback.
 */
final class Asadmin {
    /** Generous: create-domain generates key pairs and takes about 20 s on 2 cores. */
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Path payaraHome;
    private final int adminPort;

    Asadmin(Path payaraHome, int adminPort) {
        this.payaraHome = payaraHome;
        this.adminPort = adminPort;
    }

    /** From the system properties failsafe sets from the pom. */
    static Asadmin fromSystemProperties() {
        return new Asadmin(Path.of(required("payara.home")), Integer.parseInt(required("payara.admin.port")));
    }

    static String required(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (failsafe sets it from the pom)");
        }
        return value;
    }

    Path payaraHome() {
        return payaraHome;
    }

    int adminPort() {
        return adminPort;
    }

    /**
     * A remote subcommand against this domain's admin port.
     *
     * @return the command's output (stdout and stderr together)
     * @throws AssertionError if asadmin exits with a status other than 0, with its output
     */
    String run(String subcommand, String... arguments) {
        List<String> command = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(adminPort),
                subcommand));
        command.addAll(List.of(arguments));
        return runRaw(command);
    }

    /** A local subcommand (create-domain, delete-domain...): no admin connection. */
    String local(String subcommand, String... arguments) {
        List<String> command = new ArrayList<>(List.of(subcommand));
        command.addAll(List.of(arguments));
        return runRaw(command);
    }

    private String runRaw(List<String> asadminArguments) {
        List<String> command = new ArrayList<>();
        command.add(payaraHome.resolve("bin").resolve("asadmin").toString());
        // Never prompt (a missing password would otherwise wait for a terminal that is not there).
        command.add("--interactive=false");
        command.addAll(asadminArguments);
        // asadmin finds Java through AS_JAVA or JAVA_HOME: use the JVM running the tests.
        return ExternalCommand.run(command, Map.of("AS_JAVA", System.getProperty("java.home")), TIMEOUT);
    }

    /** The domain's server.log. */
    Path serverLog(String domain) {
        return payaraHome.resolve("glassfish").resolve("domains").resolve(domain).resolve("logs")
                .resolve("server.log");
    }
}
