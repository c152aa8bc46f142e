package org.jzeo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small PKI made at test time with the JDK's keytool, for TLS tests: a CA (basic constraints CA, key usage
 * keyCertSign and cRLSign, as Python's X.509 strict mode requires), a server certificate for IP 127.0.0.1 and a
 * client certificate signed by it (keytool adds subject and authority key identifiers), and a second CA's client
 * certificate that the first CA did not sign. Keys are EC P-256 (fast to make); the CA, the server's certificate
 * and key, and the client's certificate and key are also written as PEM files (keys as PKCS#8).
 *
 * @param caCert        the CA's certificate
 * @param caPem         the CA's certificate, PEM
 * @param serverCertPem the server's certificate (CN and IP SAN 127.0.0.1), PEM
 * @param serverKeyPem  its key, PEM
 * @param clientCertPem the client's certificate from the CA, PEM
 * @param clientKeyPem  its key, PEM
 * @param server        the server's key and chain
 * @param client        the client's key and chain
 * @param rogueClient   a client key and certificate from another CA
 */
public record TestPki(X509Certificate caCert, Path caPem, Path serverCertPem, Path serverKeyPem, Path clientCertPem,
                      Path clientKeyPem, KeyStore.PrivateKeyEntry server, KeyStore.PrivateKeyEntry client,
                      KeyStore.PrivateKeyEntry rogueClient) {
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** Makes the PKI in {@code dir} (five keytool runs: seconds on a busy machine). */
    public static TestPki make(Path dir) throws Exception {
        Path store = dir.resolve("ca.p12");
        Path other = dir.resolve("other-ca.p12");
        // The other CA's keystore is made meanwhile: keytool is a JVM start each time, slow on a busy machine.
        CompletableFuture<Void> otherCa = CompletableFuture.runAsync(() -> {
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=another CA", "-ext", "bc:c",
                    "-ext", "KeyUsage:critical=keyCertSign,cRLSign", "-keystore", other.toString());
            keytool("-genkeypair", "-alias", "client", "-dname", "CN=jzeo test client", "-signer", "ca",
                    "-ext", "KeyUsage:critical=digitalSignature", "-ext", "ExtendedKeyUsage=clientAuth",
                    "-keystore", other.toString());
        });
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=jzeo test CA", "-ext", "bc:c",
                "-ext", "KeyUsage:critical=keyCertSign,cRLSign", "-keystore", store.toString());
        keytool("-genkeypair", "-alias", "server", "-dname", "CN=127.0.0.1", "-signer", "ca",
                "-ext", "SAN=IP:127.0.0.1", "-ext", "KeyUsage:critical=digitalSignature",
                "-ext", "ExtendedKeyUsage=serverAuth", "-keystore", store.toString());
        keytool("-genkeypair", "-alias", "client", "-dname", "CN=jzeo test client", "-signer", "ca",
                "-ext", "KeyUsage:critical=digitalSignature", "-ext", "ExtendedKeyUsage=clientAuth",
                "-keystore", store.toString());
        otherCa.get(180, TimeUnit.SECONDS);

        KeyStore ks = load(store);
        X509Certificate ca = (X509Certificate) ks.getCertificate("ca");
        KeyStore.PrivateKeyEntry server = entry(ks, "server");
        KeyStore.PrivateKeyEntry client = entry(ks, "client");
        return new TestPki(ca, writePem(dir.resolve("ca.pem"), "CERTIFICATE", ca.getEncoded()),
                writePem(dir.resolve("server.pem"), "CERTIFICATE", server.getCertificate().getEncoded()),
                writePem(dir.resolve("server-key.pem"), "PRIVATE KEY", server.getPrivateKey().getEncoded()),
                writePem(dir.resolve("client.pem"), "CERTIFICATE", client.getCertificate().getEncoded()),
                writePem(dir.resolve("client-key.pem"), "PRIVATE KEY", client.getPrivateKey().getEncoded()),
                server, client, entry(load(other), "client"));
    }

    /** Writes {@code der} as a PEM block of {@code type} ("CERTIFICATE", "PRIVATE KEY", ...). */
    public static Path writePem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
        return file;
    }

    /** Runs {@code keytool -genkeypair ...} with the common options (PKCS12, EC P-256, 2 days); fails on an error. */
    private static void keytool(String... args) {
        try {
            runKeytool(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static void runKeytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-J-XX:TieredStopAtLevel=1",
                "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", "2"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("keytool " + String.join(" ", args) + " failed:\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static KeyStore.PrivateKeyEntry entry(KeyStore ks, String alias) throws Exception {
        KeyStore.Entry e = ks.getEntry(alias, new KeyStore.PasswordProtection(PASSWORD));
        assertThat(e).as("keystore entry %s", alias).isInstanceOf(KeyStore.PrivateKeyEntry.class);
        KeyStore.PrivateKeyEntry entry = (KeyStore.PrivateKeyEntry) e;
        assertThat(entry.getCertificateChain()).as("%s's chain: the leaf and the CA that signed it", alias)
                .isNotEmpty();
        assertThat(entry.getPrivateKey().getFormat()).as("%s's key encoding", alias).isEqualTo("PKCS#8");
        return entry;
    }
}
