package org.jzeo.it.wildfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.it.wildfly.app.RolledBack;
import org.jzeo.it.wildfly.app.WriteServlet;
import org.jzeo.it.wildfly.app.Writer;

/**
 * jzeo's resource adapter in a managed WildFly: an EJB writes through {@code java:/eis/jzeo} under a
 * container-managed JTA transaction; a Java SE client then sees exactly what was committed.
 *
 * <p>Client-side test: the jzeo server runs in this JVM ({@link JzeoServerSetup}); WildFly reaches it over loopback.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(JzeoServerSetup.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JzeoWildFlyIT {
    private static final Pattern COMMITTED = Pattern.compile("committed oid=(\\d+) tx=(\\S+) inTransaction=(\\w+)"
            + " factory=(\\S+)");
    private static final Pattern ROLLED_BACK = Pattern.compile("rolled-back oid=(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @ArquillianResource
    @OperateOnDeployment("app")
    private URL app;

    /** The adapter as the reactor built it, deployed as jzeo.rar (the name the subsystem configuration refers to). */
    @Deployment(name = "rar", order = 1, testable = false)
    static ResourceAdapterArchive adapter() {
        File rar = new File(System.getProperty("jzeo.rar", "target/deployments/jzeo.rar"));
        return ShrinkWrap.create(ZipImporter.class, JzeoServerSetup.RAR).importFrom(rar)
                .as(ResourceAdapterArchive.class);
    }

    /** The application: a servlet calling a stateless EJB. The RAR's classes are visible through Dependencies. */
    @Deployment(name = "app", order = 2, testable = false)
    static WebArchive application() {
        return ShrinkWrap.create(WebArchive.class, "jzeo-it.war")
                .addClasses(WriteServlet.class, Writer.class, Writer.Written.class, RolledBack.class)
                .setManifest(new StringAsset("Manifest-Version: 1.0\n"
                        + "Dependencies: deployment." + JzeoServerSetup.RAR + "\n"));
    }

    /**
     * First, before any application call opened the adapter's storage: WildFly's periodic XA recovery (every 2 s
     * here) creates a managed connection with the recovery credentials, which opens the shared storage, and asks
     * its XAResource for prepared branches; none of it may log a warning or an error.
     */
    @Test
    @Order(1)
    void periodicRecoveryReachesTheAdapterWithoutErrors() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> opened = List.of();
        while (opened.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            opened = serverLogOfThisBoot().stream()
                    .filter(l -> l.contains("org.jzeo.rar.SharedStorage") && l.contains("opened storage")).toList();
        }
        assertThat(opened).as("the adapter's storage was opened by a recovery scan").singleElement()
                .asString().contains("(Periodic Recovery)");
        Thread.sleep(3000); // a few more scans over the open storage
        List<String> log = serverLogOfThisBoot();
        List<String> problems = log.stream()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .filter(l -> l.contains("jzeo") || l.contains("IJ0") || l.contains("ARJUNA") || l.contains("WFLYJCA"))
                .toList();
        assertThat(problems).isEmpty();
        assertThat(log).noneMatch(l -> l.contains("IJ020016")); // "Missing <recovery> element"
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

    @Test
    @Order(2)
    void aCommittedContainerTransactionIsSeenByAJavaSeClient() throws Exception {
        Tid before = lastTransaction();

        HttpResponse<String> response = write("hello from WildFly", false);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Matcher m = COMMITTED.matcher(response.body());
        assertThat(m.find()).as(response.body()).isTrue();
        assertThat(m.group(2)).as("JTA transaction key").isNotEqualTo("null");
        assertThat(m.group(3)).as("the connection is in the container's transaction").isEqualTo("true");
        assertThat(m.group(4)).isEqualTo("org.jzeo.rar.JzeoConnectionFactory");
        Oid oid = Oid.of(Long.parseLong(m.group(1)));

        try (ClientConnectionFactory client = seClient(); StorageConnection c = client.getConnection()) {
            StoredObject stored = c.read(oid);
            assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("hello from WildFly");
            assertThat(stored.serial().isAfter(before)).isTrue();
            assertThat(c.lastTransaction()).isEqualTo(stored.serial());
        }
    }

    @Test
    @Order(3)
    void aRolledBackContainerTransactionLeavesNoData() throws Exception {
        Tid before = lastTransaction();

        HttpResponse<String> response = write("never committed", true);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        Matcher m = ROLLED_BACK.matcher(response.body());
        assertThat(m.find()).as(response.body()).isTrue();
        Oid oid = Oid.of(Long.parseLong(m.group(1)));

        try (ClientConnectionFactory client = seClient(); StorageConnection c = client.getConnection()) {
            assertThat(c.exists(oid)).isFalse();
            assertThatThrownBy(() -> c.read(oid)).isInstanceOf(POSKeyException.class);
            assertThat(c.lastTransaction()).isEqualTo(before);
        }
    }

    private HttpResponse<String> write(String text, boolean fail) throws Exception {
        String form = "text=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&fail=" + fail;
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.toExternalForm()).resolve("write"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Tid lastTransaction() {
        try (ClientConnectionFactory client = seClient(); StorageConnection c = client.getConnection()) {
            return c.lastTransaction();
        }
    }

    private static ClientConnectionFactory seClient() {
        return new ClientConnectionFactory(ClientOptions.of("127.0.0.1:" + JzeoServerSetup.port()));
    }
}
