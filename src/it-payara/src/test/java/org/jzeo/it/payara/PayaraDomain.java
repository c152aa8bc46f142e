package org.jzeo.it.payara;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes a fresh domain for the tests before Arquillian validates its configuration (which requires the domain
 * directory) and starts it: {@code asadmin create-domain --portbase N --nopassword=true jzeo-it}. Register it
 * before {@code ArquillianExtension}.
 *
 * <p>domain1's fixed ports may be taken on a shared machine; a portbase moves all of them, Hazelcast's included.
 * create-domain takes about 20 s (it generates key pairs), so its result is kept in
 * {@code target/payara-domain-<portbase>} and copied back before every run: each run starts from the same pristine
 * domain (no resources left over from an interrupted run, a new server.log) for the price of a file copy.
 */
public final class PayaraDomain implements BeforeAllCallback {
    private static boolean prepared;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (PayaraDomain.class) {
            if (!prepared) {
                prepare(Asadmin.fromSystemProperties(), Asadmin.required("payara.domain"),
                        Integer.parseInt(Asadmin.required("payara.portbase")));
                prepared = true;
            }
        }
    }

    static void prepare(Asadmin asadmin, String domain, int portbase) throws IOException {
        if (asadmin.adminPort() != portbase + 48) {
            throw new IllegalStateException("payara.admin.port must be payara.portbase + 48, it is "
                    + asadmin.adminPort() + " with portbase " + portbase);
        }
        if (listening(asadmin.adminPort())) {
            throw new IllegalStateException("something already listens on 127.0.0.1:" + asadmin.adminPort()
                    + " (a domain left running by an interrupted run? asadmin stop-domain " + domain + ")");
        }
        Path domains = asadmin.payaraHome().resolve("glassfish").resolve("domains");
        Path live = domains.resolve(domain);
        Path pristine = asadmin.payaraHome().getParent().resolve("payara-domain-" + portbase);
        deleteTree(live);
        if (!Files.isDirectory(pristine)) {
            asadmin.local("create-domain", "--portbase", Integer.toString(portbase), "--nopassword=true", domain);
            copyTree(live, pristine);
        } else {
            copyTree(pristine, live);
        }
        httpOnLoopback(live.resolve("config").resolve("domain.xml"));
    }

    /**
     * Binds the server's two HTTP listeners to 127.0.0.1 in domain.xml, before the domain starts: {@code asadmin
     * set ...network-listener.http-listener-1.address=127.0.0.1} on the running domain rebinds them asynchronously
     * and once left http-listener-1 stopped ("GrizzlyProxy is NULL"), every request refused. Only the listeners of
     * server-config have numeric ports; default-config's use ${...} and are left alone.
     */
    static void httpOnLoopback(Path domainXml) throws IOException {
        String xml = Files.readString(domainXml);
        String bound = xml.replaceAll("<network-listener port=\"(\\d+)\" protocol=\"(http-listener-[12])\"",
                "<network-listener address=\"127.0.0.1\" port=\"$1\" protocol=\"$2\"");
        if (bound.equals(xml) && !xml.contains("address=\"127.0.0.1\" port=")) {
            throw new IllegalStateException("no HTTP listener to bind to loopback in " + domainXml);
        }
        Files.writeString(domainXml, bound);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
