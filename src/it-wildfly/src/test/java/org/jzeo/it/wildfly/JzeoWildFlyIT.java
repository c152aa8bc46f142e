package org.jzeo.it.wildfly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jzeo.it.Await;
import org.jzeo.it.BankApp;
import org.jzeo.it.BankScenarios;
import org.jzeo.it.StorageUnderTest;
import org.jzeo.protocol.XaWire;

/**
 * jzeo's resource adapter and the example bank in a managed WildFly: the adapter configured through the
 * resource-adapters subsystem, signing on to a jzeo server that requires authentication with an Elytron
 * authentication context and recovering with XA recovery credentials, an H2 XA datasource beside it
 * ({@link JzeoServerSetup}),
 * the scenarios of {@link BankScenarios} over HTTP, and WildFly's periodic recovery (every 2 s here, see
 * arquillian.xml) reaching the adapter.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(JzeoServerSetup.class)
@RunAsClient
class JzeoWildFlyIT extends BankScenarios {
    private final BankApp bank = new BankApp(URI.create("http://127.0.0.1:"
            + (8080 + Integer.getInteger("wildfly.port.offset", 0)) + "/jzeo-bank/"));

    /** The adapter as the reactor built it, deployed as jzeo.rar (the name the subsystem configuration refers to). */
    @Deployment(name = "rar", order = 1, testable = false)
    static ResourceAdapterArchive adapter() {
        return ShrinkWrap.create(ZipImporter.class, JzeoServerSetup.RAR)
                .importFrom(new File(System.getProperty("jzeo.rar", "target/deployments/jzeo.rar")))
                .as(ResourceAdapterArchive.class);
    }

    /** The example application as the reactor built it. */
    @Deployment(name = "bank", order = 2, testable = false)
    static EnterpriseArchive example() {
        return ShrinkWrap.create(ZipImporter.class, "jzeo-bank.ear")
                .importFrom(new File(System.getProperty("jzeo.ear", "target/deployments/jzeo-bank.ear")))
                .as(EnterpriseArchive.class);
    }

    @Override
    protected BankApp bank() {
        return bank;
    }

    @Override
    protected StorageUnderTest storage() {
        return JzeoServerSetup.storage();
    }

    /**
     * First, before the application opened the adapter's storage: WildFly's periodic XA recovery creates a managed
     * connection with the recovery credentials, which opens a storage signed on as the recovery user (the server
     * refuses anyone without a right), and asks its XAResource for prepared branches; none of it, over three scans,
     * may log a warning or an error.
     */
    @Test
    @Order(0)
    void periodicRecoveryReachesTheAdapterWithoutErrors() throws Exception {
        Await.until("a recovery scan to open the adapter's storage", Duration.ofSeconds(30),
                () -> !storageOpenings().isEmpty());
        assertThat(storageOpenings()).as("the adapter's storage was opened by a recovery scan").singleElement()
                .asString().contains("(Periodic Recovery)")
                .contains("as user '" + JzeoServerSetup.RECOVERY_USER.name() + "'");
        long scans = storage().containerCalls(XaWire.RECOVER);
        Await.until("three more recovery scans", Duration.ofSeconds(30),
                () -> storage().containerCalls(XaWire.RECOVER) >= scans + 3);

        List<String> log = serverLogOfThisBoot();
        List<String> problems = log.stream().filter(JzeoWildFlyIT::isRecoveryProblem).toList();
        assertThat(problems).isEmpty();
        assertThat(log).noneMatch(l -> l.contains("IJ020016")); // "Missing <recovery> element"
    }

    /**
     * The application's connections sign on as the user of the Elytron authentication context the connection
     * definition names (container-managed sign-on), on a storage of their own: never on the recovery user's. (That
     * the bank works at all proves the sign-on: the jzeo server gives nobody but the two configured users a right.)
     */
    @Test
    @Order(10)
    void theApplicationSignsOnAsTheAuthenticationContextsUser() throws Exception {
        assertThat(bank.balances(BankApp.Source.STORAGE)).isNotNull();
        assertThat(storageOpenings()).as("storages the adapter opened")
                .anySatisfy(l -> assertThat(l).contains("as user '" + JzeoServerSetup.APPLICATION_USER.name() + "'")
                        .doesNotContain("(Periodic Recovery)"))
                .allSatisfy(l -> assertThat(l).containsPattern("as user '(" + JzeoServerSetup.APPLICATION_USER.name()
                        + "|" + JzeoServerSetup.RECOVERY_USER.name() + ")'"));
        // Every connection WildFly made signed on at the first try: the jzeo server logged no refusal.
        assertThat(storage().serverLog()).noneMatch(l -> l.contains("sign-on failed")
                || l.contains("before signing on"));
    }

    /**
     * A warning or error logged by the adapter (category {@code org.jzeo...}) or by the connector and transaction
     * layers (message ids IJ0..., ARJUNA..., WFLYJCA...). Matched on the category and the message id only, never on
     * the whole line: paths in other messages (a keystore under a checkout folder named "jzeo") must not count.
     */
    static boolean isRecoveryProblem(String line) {
        Matcher m = LOG_LINE.matcher(line);
        return m.matches() && (m.group(2).startsWith("org.jzeo") || RECOVERY_IDS.matcher(m.group(3)).lookingAt());
    }

    /** WildFly's server.log: date time LEVEL [category] (thread) message. */
    private static final Pattern LOG_LINE =
            Pattern.compile("\\S+ \\S+ (WARN|ERROR) +\\[([^\\]]+)] \\((?:[^()]|\\([^()]*\\))*\\) (.*)");
    private static final Pattern RECOVERY_IDS = Pattern.compile("(IJ0|ARJUNA|WFLYJCA)\\d+");

    private static List<String> storageOpenings() throws Exception {
        return serverLogOfThisBoot().stream()
                .filter(l -> l.contains("org.jzeo.rar.SharedStorage") && l.contains("opened storage")).toList();
    }

    /** WildFly's server.log since it last started (the file outlives runs: target/wildfly-* is reused). */
    private static List<String> serverLogOfThisBoot() throws Exception {
        Path file = Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log");
        List<String> lines = Files.readAllLines(file);
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("WFLYSRV0049")) { // "WildFly ... starting"
                start = i;
            }
        }
        return lines.subList(start, lines.size());
    }
}
