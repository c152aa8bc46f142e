package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jzeo.api.Oid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestPki;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.TlsConfig;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jzeo status, pack and up against a server with {@code <ssl>} that requires client certificates ({@code
 * authenticate}): with ZEO's client TLS options they work; without, or with the wrong ones, each fails in one line
 * that says what to give.
 */
class AdminTlsTest {
    @TempDir
    static Path pki;
    private static TestPki certificates;

    @TempDir
    Path dir;
    private RunningServer server;
    private int port;
    private String address;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestPki.make(pki);
    }

    @BeforeEach
    void start() throws Exception {
        TlsConfig tls = new TlsConfig(certificates.serverCertPem(), Optional.of(certificates.serverKeyPem()),
                Optional.of(certificates.caPem()));
        server = TestServers.start(dir.resolve("Data.fs"), zeo -> zeo.withTls(Optional.of(tls)));
        port = TestServers.address(server).getPort();
        address = "127.0.0.1:" + port;
        // Something to pack: two revisions of the root.
        Storage storage = server.storages().storage("1").storage();
        for (int i = 0; i < 2; i++) {
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            txn.store(Oid.ROOT, storage.lastTransaction(), JzeoRecord.encode(List.of(), new byte[100]));
            txn.vote();
            txn.finish();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static List<String> withClientCertificate(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--ssl-authenticate", certificates.caPem().toString(),
                "--ssl-certificate", certificates.clientCertPem().toString(),
                "--ssl-key", certificates.clientKeyPem().toString()));
        return all;
    }

    private static Cli.Result run(List<String> args) {
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void statusWithTheCaAndAClientCertificateWorksOverTls() {
        Cli.Result probe = run(withClientCertificate("status", address));
        Cli.Result registered = run(withClientCertificate("status", "-S", "1", address));

        for (Cli.Result r : List.of(probe, registered)) {
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out().lines()).first().asString().matches("storage +1");
            assertThat(r.out()).contains("commits");
        }
    }

    @Test
    void packAndUpWithTheCaAndAClientCertificateWorkOverTls() {
        Cli.Result pack = run(withClientCertificate("pack", address));
        Cli.Result up = run(withClientCertificate("up", address));

        assertThat(pack.exitCode()).as(pack.err()).isZero();
        assertThat(pack.out()).startsWith("jzeo pack: packed storage '1' on " + address + " as of ");
        assertThat(up.exitCode()).as(up.err()).isZero();
        assertThat(up.out()).contains("jzeo up: OK: storage '1' on " + address);
    }

    @Test
    void withoutTlsOptionsStatusAndPackFailInOneLineSayingTheServerMayWantTls() {
        Cli.Result status = Cli.run("status", "--timeout", "1", address);
        Cli.Result pack = Cli.run("pack", "--timeout", "1", address);

        String why = address + ": the server sent no announcement within 1.0 s; a server with TLS (<ssl> in its"
                + " zeo.conf) waits for the client's TLS handshake: connect with --ssl-authenticate CA (and"
                + " --ssl-certificate, --ssl-key if it requires client certificates)";
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err().lines()).containsExactly("jzeo status: " + address + ": " + why);
        assertThat(pack.exitCode()).isEqualTo(1);
        assertThat(pack.err().lines()).containsExactly("jzeo pack: storage '1' on " + address + ": " + why);
    }

    @Test
    void withoutAClientCertificateTheLineSaysTheServerWantsOne() {
        Cli.Result r = Cli.run("status", address, "--ssl-authenticate", certificates.caPem().toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).singleElement().asString()
                .startsWith("jzeo status: " + address + ": TLS: the server refused the connection (")
                .endsWith("); a server that authenticates clients needs --ssl-certificate and --ssl-key with a"
                        + " certificate from a CA it trusts");
    }

    @Test
    void aServerCertificateFromACaNotGivenIsNotTrusted() {
        Cli.Result r = Cli.run("status", address, "--ssl");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly("jzeo status: " + address + ": TLS: the server's certificate is"
                + " not trusted; give the CA that issued it with --ssl-authenticate");
    }

    @Test
    void theServersNameIsCheckedUnlessToldWhichNameToExpectOrNotToCheck() {
        String byName = "localhost:" + port; // the certificate names IP 127.0.0.1 only

        Cli.Result checked = run(withClientCertificate("status", byName));
        Cli.Result named = run(withClientCertificate("status", byName, "--ssl-server-hostname", "127.0.0.1"));
        Cli.Result unchecked = run(withClientCertificate("status", byName, "--no-ssl-check-hostname"));

        assertThat(checked.exitCode()).isEqualTo(1);
        assertThat(checked.err()).startsWith("jzeo status: " + byName + ": TLS: the server's certificate does not"
                + " name the host connected to (").contains("--ssl-server-hostname", "--no-ssl-check-hostname");
        assertThat(named.exitCode()).as(named.err()).isZero();
        assertThat(unchecked.exitCode()).as(unchecked.err()).isZero();
    }
}
