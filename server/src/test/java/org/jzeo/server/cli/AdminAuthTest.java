package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestPki;
import org.jzeo.server.TestServers;
import org.jzeo.server.auth.AccessRules;
import org.jzeo.server.auth.Right;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.TlsConfig;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * jzeo pack, up and status against a real server with {@code authentication-protocol scram-sha-256}, its users made
 * with {@code jzeo passwd}: an admin packs, a read-write user may not, a wrong password is refused in one line, the
 * password comes from JZEO_PASSWORD when --password is not given, and it all works over TLS and a Unix socket.
 */
class AdminAuthTest {
    @TempDir
    Path dir;
    private RunningServer server;
    private String address;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Users admin (admin), writer (read-write) and reader (read-only), made with jzeo passwd; nobody else. */
    private AuthConfig users() {
        Path file = dir.resolve("users");
        for (String user : List.of("admin", "writer", "reader")) {
            Cli.Result r = Cli.run("passwd", "-f", file.toString(), "-r", "test", user, user + "-pw");
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        AccessRules rules = new AccessRules(Right.NONE, List.of(
                new AccessRules.Grant("admin", Right.ADMIN, Set.of()),
                new AccessRules.Grant("writer", Right.READ_WRITE, Set.of()),
                new AccessRules.Grant("reader", Right.READ_ONLY, Set.of())), List.of());
        return new AuthConfig(file, Optional.empty(), Duration.ofSeconds(30), rules);
    }

    private void start() throws Exception {
        AuthConfig auth = users();
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withAuthentication(Optional.of(auth)));
        address = "127.0.0.1:" + TestServers.address(server).getPort();
        commitTwoRevisionsOfTheRoot();
    }

    /** Something for pack to remove. */
    private void commitTwoRevisionsOfTheRoot() throws Exception {
        var storage = server.storages().storage("1").storage();
        for (int i = 0; i < 2; i++) {
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            txn.store(Oid.ROOT, storage.lastTransaction(), JzeoRecord.encode(List.of(), new byte[100]));
            txn.vote();
            txn.finish();
        }
    }

    @Test
    void anAdminPacks() throws Exception {
        start();

        Cli.Result r = Cli.run("pack", "--username", "admin", "--password", "admin-pw", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("jzeo pack: packed storage '1' on " + address + " as of ");
    }

    @Test
    void aReadWriteUsersPackIsRefusedAsAccessDenied() throws Exception {
        start();

        Cli.Result r = Cli.run("pack", "--username", "writer", "--password", "writer-pw", address);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jzeo pack: storage '1' on " + address + ": access denied: user 'writer' may"
                + " not pack storage '1' (needs admin, has read-write)\n");
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreRefusedInTheSameOneLine() throws Exception {
        start();

        Cli.Result wrong = Cli.run("pack", "--username", "admin", "--password", "guess", address);
        Cli.Result unknown = Cli.run("up", "--username", "mallory", "--password", "guess", address);

        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("jzeo pack: storage '1' on " + address
                + ": authentication failed for user admin at " + address + "\n");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("jzeo up: NOT OK: storage '1' on " + address
                + ": authentication failed for user mallory at " + address + "\n");
    }

    @Test
    void withoutAUsernameTheCommandsSayToGiveOne() throws Exception {
        start();

        Cli.Result pack = Cli.run("pack", address);
        Cli.Result status = Cli.run("status", address);

        assertThat(pack.exitCode()).isEqualTo(1);
        assertThat(pack.err()).startsWith("jzeo pack: storage '1' on " + address + ": authentication required: ")
                .endsWith("; sign on with --username (password from --password or JZEO_PASSWORD)\n");
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).contains("without answering the status probe; a server that requires signing on"
                + " refuses it: give --username (and --password or JZEO_PASSWORD)");
    }

    @Test
    void theWriterCommitsWithUpTheReaderOnlyLoadsAndTheAdminReadsTheStatus() throws Exception {
        start();

        Cli.Result writerUp = Cli.run("up", "--username", "writer", "--password", "writer-pw", address);
        Cli.Result readerUp = Cli.run("up", "--username", "reader", "--password", "reader-pw", address);
        Cli.Result readerNoWrite = Cli.run("up", "--nowrite", "--username", "reader", "--password", "reader-pw",
                address);
        Cli.Result adminStatus = Cli.run("status", "--username", "admin", "--password", "admin-pw", address);
        Cli.Result adminStorage = Cli.run("status", "-S", "1", "--username", "admin", "--password", "admin-pw",
                address);
        Cli.Result writerStatus = Cli.run("status", "--username", "writer", "--password", "writer-pw", address);

        assertThat(writerUp.exitCode()).as(writerUp.err()).isZero();
        assertThat(writerUp.out()).contains("committed object");
        assertThat(readerUp.exitCode()).isEqualTo(1);
        assertThat(readerUp.err()).contains("the server or storage is read-only");
        assertThat(readerNoWrite.exitCode()).as(readerNoWrite.err()).isZero();
        for (Cli.Result r : List.of(adminStatus, adminStorage)) {
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out().lines()).first().asString().matches("storage +1");
            assertThat(r.out()).contains("commits");
        }
        assertThat(writerStatus.exitCode()).isEqualTo(1);
        assertThat(writerStatus.err()).contains("access denied: ").contains("is admin of no storage");
    }

    @Test
    void aServerThatDoesNotAskToSignOnIsNotTrustedWithAUsername() throws Exception {
        server = TestServers.start(dir.resolve("Data.fs"));
        address = "127.0.0.1:" + TestServers.address(server).getPort();

        Cli.Result r = Cli.run("pack", "--username", "admin", "--password", "admin-pw", address);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("does not ask clients to sign on, so it cannot prove it knows user 'admin'");
    }

    @Test
    void thePasswordOptionWinsOverTheEnvironmentWhichIsUsedWithoutIt() throws Exception {
        start();

        Cli.Result fromEnvironment = run(Map.of("JZEO_PASSWORD", "admin-pw"), "pack", "--username", "admin",
                address);
        Cli.Result optionWins = run(Map.of("JZEO_PASSWORD", "guess"), "pack", "--username", "admin", "--password",
                "admin-pw", address);
        Cli.Result wrongInEnvironment = run(Map.of("JZEO_PASSWORD", "guess"), "pack", "--username", "admin",
                address);
        Cli.Result none = run(Map.of(), "pack", "--username", "admin", address);
        Cli.Result passwordAlone = run(Map.of(), "pack", "--password", "admin-pw", address);

        assertThat(fromEnvironment.exitCode()).as(fromEnvironment.err()).isZero();
        assertThat(optionWins.exitCode()).as(optionWins.err()).isZero();
        assertThat(wrongInEnvironment.exitCode()).isEqualTo(1);
        assertThat(wrongInEnvironment.err()).contains("authentication failed for user admin");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--username admin needs a password: give --password, or set JZEO_PASSWORD");
        assertThat(passwordAlone.exitCode()).isEqualTo(2);
        assertThat(passwordAlone.err()).contains("--password needs --username");
    }

    /** The real environment variable, in a child JVM: the one thing the in-process runs above replace. */
    @Test
    void jzeoPasswordFromTheRealEnvironmentOfAChildProcess() throws Exception {
        start();
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JzeoCommand.class.getName(), "pack", "--username",
                "admin", address).redirectErrorStream(true);
        child.environment().put("JZEO_PASSWORD", "admin-pw");

        Process process = child.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child exited").isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("jzeo pack: packed storage '1' on " + address);
    }

    @Test
    void anAdminPacksOverAUnixSocket() throws Exception {
        AuthConfig auth = users();
        Path socket = dir.resolve("zeo.sock");
        server = RunningServer.start(TestServers.config(dir.resolve("Data.fs"),
                z -> z.withAddress(new ListenAddress.Unix(socket)).withAuthentication(Optional.of(auth))));
        commitTwoRevisionsOfTheRoot();

        Cli.Result pack = Cli.run("pack", "-u", socket.toString(), "--username", "admin", "--password", "admin-pw");
        Cli.Result status = Cli.run("status", "-u", socket.toString(), "--username", "admin", "--password",
                "admin-pw");

        assertThat(pack.exitCode()).as(pack.err()).isZero();
        assertThat(pack.out()).startsWith("jzeo pack: packed storage '1' on " + socket);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("commits");
    }

    @Test
    void anAdminPacksAndReadsTheStatusOverTls(@TempDir Path pki) throws Exception {
        TestPki certificates = TestPki.make(pki);
        AuthConfig auth = users();
        TlsConfig tls = new TlsConfig(certificates.serverCertPem(), Optional.of(certificates.serverKeyPem()),
                Optional.empty());
        server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withTls(Optional.of(tls)).withAuthentication(Optional.of(auth)));
        address = "127.0.0.1:" + TestServers.address(server).getPort();
        commitTwoRevisionsOfTheRoot();
        List<String> tlsOptions = List.of("--ssl-authenticate", certificates.caPem().toString(), "--username",
                "admin", "--password", "admin-pw", address);

        Cli.Result pack = Cli.run(args("pack", tlsOptions));
        Cli.Result status = Cli.run(args("status", tlsOptions));

        assertThat(pack.exitCode()).as(pack.err()).isZero();
        assertThat(pack.out()).startsWith("jzeo pack: packed storage '1' on " + address);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("commits");
    }

    private static String[] args(String command, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    /** Runs the command line in this JVM with {@code environment} instead of the process's. */
    private static Cli.Result run(Map<String, String> environment, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine commandLine = JzeoCommand.commandLine();
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            for (Object mixin : sub.getMixins().values()) {
                if (mixin instanceof CredentialOptions credentials) {
                    credentials.environment = environment::get;
                    credentials.console = () -> null;
                }
            }
        }
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Cli.Result(code, out.toString(), err.toString());
    }
}
