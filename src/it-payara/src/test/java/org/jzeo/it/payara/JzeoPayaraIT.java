package org.jzeo.it.payara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jzeo.it.BankApp;
import org.jzeo.it.BankScenarios;
import org.jzeo.it.ServerUser;
import org.jzeo.it.StorageUnderTest;
import org.jzeo.protocol.XaWire;

/**
 * jzeo and the example bank in a managed Payara Server, configured only with the asadmin commands of the README's
 * "Deploy to Payara" section ({@link DeploySteps}), run as real asadmin processes against the domain Arquillian
 * started; then the scenarios of {@link BankScenarios} over HTTP. The jzeo server requires authentication and gives
 * only the connector pool's user a right: the pool's {@code userName} and {@code password} are what the adapter
 * signs on with.
 *
 * <p>The resource adapter is the Arquillian deployment because Payara's managed container starts the domain only
 * when it deploys something (its {@code start()} merely checks that no server runs yet): a class without
 * {@code @Deployment} runs against a domain that was never started. Deployed as {@code jzeo.rar}, it gets the name
 * {@code jzeo}, as {@code asadmin deploy --name jzeo jzeo.rar} gives it, and is undeployed by Arquillian after
 * {@link #tearDown()} removed what uses it.
 *
 * <p>Payara's transaction manager has no periodic recovery: a branch left in doubt is completed by
 * {@code asadmin recover-transactions server} (or at the next start), which {@link #requestRecovery()} runs.
 */
@ExtendWith(PayaraDomain.class) // before Arquillian: it needs the domain to exist
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class JzeoPayaraIT extends BankScenarios {
    private static Asadmin asadmin;
    private static StorageUnderTest storage;
    private static final List<Runnable> teardown = new ArrayList<>();

    private final BankApp bank = new BankApp(URI.create("http://127.0.0.1:"
            + (Integer.parseInt(Asadmin.required("payara.portbase")) + 80) + "/jzeo-bank/"));

    @Deployment(testable = false)
    static ResourceAdapterArchive adapter() {
        File rar = new File(Asadmin.required("jzeo.rar"));
        return ShrinkWrap.create(ZipImporter.class, DeploySteps.RA_NAME + ".rar").importFrom(rar)
                .as(ResourceAdapterArchive.class);
    }

    @BeforeAll
    static void configurePayara() throws Exception {
        asadmin = Asadmin.fromSystemProperties();
        DeploySteps steps = new DeploySteps(asadmin);
        assertThat(asadmin.run("list-applications")).as("the adapter as Arquillian deployed it")
                .containsPattern("(?m)^" + DeploySteps.RA_NAME + "\\s+<connector>");

        Path runs = Files.createDirectories(Path.of("target", "jzeo-data"));
        storage = StorageUnderTest.startAuthenticated(Files.createTempDirectory(runs, "run-"), List.of(
                new ServerUser(DeploySteps.USER, DeploySteps.PASSWORD, "read-write")));
        teardown.add(0, storage::close);

        steps.createConnectorResource(storage.containerAddress());
        teardown.add(0, steps::deleteConnectorResource);
        assertThat(steps.ping(DeploySteps.CONNECTOR_POOL)).contains("executed successfully");

        steps.createJdbcResource();
        teardown.add(0, steps::deleteJdbcResource);
        assertThat(steps.ping(DeploySteps.JDBC_POOL)).contains("executed successfully");

        steps.deployApplication(Path.of(Asadmin.required("jzeo.ear")));
        teardown.add(0, steps::undeployApplication);
    }

    @AfterAll
    static void tearDown() {
        AssertionError failed = null;
        for (Runnable step : teardown) {
            try {
                step.run();
            } catch (RuntimeException | AssertionError e) {
                if (failed == null) {
                    failed = new AssertionError("tearing down failed");
                }
                failed.addSuppressed(e);
            }
        }
        teardown.clear();
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    protected BankApp bank() {
        return bank;
    }

    @Override
    protected StorageUnderTest storage() {
        return storage;
    }

    /**
     * Payara's transaction manager, unlike Narayana, reports a commit in which one resource's commit failed with
     * XAER_RMFAIL as an error ("completed: Maybe"), though the transaction is committed and the branch is left to
     * recovery: the application sees an EJBException and, rightly, does not run the transfer again.
     */
    @Override
    protected void expectAnswerWhenTheStorageCommitWasLost(BankApp.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(500);
        assertThat(answer.body()).contains("Unable to complete container-managed transaction");
    }

    @Override
    protected void requestRecovery() {
        asadmin.run("recover-transactions", "server");
    }

    /**
     * The adapter's own log lines reach Payara's server.log (through java.util.logging): the pool's ping in the
     * setup opened the shared storage, signed on as the pool's user (the jzeo server gives nobody else a right).
     */
    @Test
    @Order(0)
    void theAdaptersLogReachesTheServerLogNamingThePoolsUser() throws Exception {
        String log = Files.readString(asadmin.serverLog(Asadmin.required("payara.domain")));
        assertThat(log).containsPattern("org\\.jzeo\\.rar\\.SharedStorage.*\\R?.*opened storage '1' at "
                + java.util.regex.Pattern.quote(storage.containerAddress()) + " for the resource adapter as user '"
                + DeploySteps.USER + "'");
    }

    /**
     * The pool's password is really used: a pool configured like the README's but with a wrong password cannot
     * make a connection; its ping fails with the server's refusal of the sign-on, and nothing is left behind.
     */
    @Test
    @Order(0)
    void aPoolWithAWrongPasswordIsRefused() {
        DeploySteps steps = new DeploySteps(asadmin);
        String pool = "jzeo-wrong-password-pool";
        steps.createConnectorPool(pool, storage.containerAddress(), DeploySteps.USER, "not-the-password");
        try {
            // The client retries a refused sign-on like an unreachable server until waitTimeout; the reason is kept.
            assertThatThrownBy(() -> steps.ping(pool)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Ping Connection Pool failed")
                    .hasMessageContaining("as '" + DeploySteps.USER + "' failed: authentication failed");
            assertThat(storage.serverLog()).as("the jzeo server's log").anyMatch(l -> l.contains("sign-on failed"));
        } finally {
            asadmin.run("delete-connector-connection-pool", pool);
        }
    }

    /**
     * First, on the freshly configured pools: {@code asadmin recover-transactions server} asks every XA pool's
     * XAResource for its prepared branches; it must reach the adapter (an xa_recover call arrives at the jzeo
     * server) and leave no warning or error about it or the transaction service in server.log.
     */
    @Test
    @Order(0)
    void aRecoveryScanReachesTheAdapterWithoutProblems() throws Exception {
        Path log = asadmin.serverLog(Asadmin.required("payara.domain"));
        long before = Files.size(log);
        long recoverCalls = storage.containerCalls(XaWire.RECOVER);

        assertThat(asadmin.run("recover-transactions", "server")).contains("executed successfully");

        assertThat(storage.containerCalls(XaWire.RECOVER)).as("xa_recover calls from Payara")
                .isGreaterThan(recoverCalls);
        String written;
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(before);
            written = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> problems = new ArrayList<>();
        for (String record : written.split("\n(?=\\[\\d{4}-)")) {
            boolean bad = record.contains("[WARNING]") || record.contains("[SEVERE]");
            if (bad && (record.contains("jzeo") || record.contains("JTS") || record.contains("RAR")
                    || record.contains("jts") || record.contains("transaction"))) {
                problems.add(record);
            }
        }
        assertThat(problems).as("server.log while recovering").isEmpty();
    }
}
