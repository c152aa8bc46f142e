package org.jzeo.it.wildfly;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jzeo.it.ServerUser;
import org.jzeo.it.StorageUnderTest;

/**
 * Runs before the deployments, in the test JVM: starts a jzeo server process that refuses unauthenticated
 * connections and knows the users the script names ({@link #APPLICATION_USER} read-write, {@link #RECOVERY_USER}
 * admin, nobody else any right), then configures WildFly with the README's "Deploy to WildFly" script,
 * {@code jzeo-wildfly.cli} (an Elytron authentication context with the application's user, the resource adapter's
 * connection factory at {@code java:/eis/jzeo} signing on with it and recovering with the recovery credentials,
 * and the example's H2 XA datasource), run by
 * {@code bin/jboss-cli.sh} with this server's address in place of the README's {@code 127.0.0.1:8100}. The
 * deployments (jzeo.rar, then the example EAR) follow; {@code jzeo-wildfly-remove.cli} undoes the configuration
 * after them.
 */
public class JzeoServerSetup implements ServerSetupTask {
    static final String RAR = "jzeo.rar";
    /** The user and password of the script's authentication-configuration. */
    static final ServerUser APPLICATION_USER = new ServerUser("bank", "bank-secret", "read-write");
    /** The script's recovery-username and recovery-password. */
    static final ServerUser RECOVERY_USER = new ServerUser("jzeo-recovery", "recovery-secret", "admin");
    private static final String README_ADDRESS = "127.0.0.1:8100";

    private static volatile StorageUnderTest storage;
    private static volatile Path scripts;

    /** The jzeo server the adapter is configured for. */
    static StorageUnderTest storage() {
        StorageUnderTest s = storage;
        if (s == null) {
            throw new IllegalStateException("the jzeo server is not running (server setup did not run)");
        }
        return s;
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        Path runs = Files.createDirectories(Path.of("target", "jzeo-data"));
        Path run = Files.createTempDirectory(runs, "run-");
        scripts = run;
        storage = StorageUnderTest.startAuthenticated(run, List.of(APPLICATION_USER, RECOVERY_USER));
        String script = resource("jzeo-wildfly.cli");
        for (String expected : List.of(README_ADDRESS, "authentication-name=" + APPLICATION_USER.name(),
                "clear-text=" + APPLICATION_USER.password(), "recovery-username=" + RECOVERY_USER.name(),
                "recovery-password=" + RECOVERY_USER.password())) {
            if (!script.contains(expected)) {
                throw new IllegalStateException("jzeo-wildfly.cli no longer says " + expected);
            }
        }
        Path configure = Files.writeString(run.resolve("jzeo-wildfly.cli"),
                script.replace(README_ADDRESS, storage.containerAddress()));
        JbossCli.fromSystemProperties().run(configure);
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        try {
            Path remove = Files.writeString(scripts.resolve("jzeo-wildfly-remove.cli"),
                    resource("jzeo-wildfly-remove.cli"));
            JbossCli.fromSystemProperties().run(remove);
        } finally {
            StorageUnderTest s = storage;
            storage = null;
            if (s != null) {
                s.close();
            }
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JzeoServerSetup.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no " + name + " on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
