package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that cannot start says why in one line that names what is wrong (the address, the missing folder); no
 * stack trace on the terminal.
 */
class ServeFailuresTest {
    @TempDir
    Path dir;

    @Test
    void anAddressInUseIsOneLineNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            Cli.Result r = Cli.run("serve", "-a", address, "-f", dir.resolve("Data.fs").toString());

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err().lines().toList()).containsExactly("jzeo serve: cannot listen on " + address
                    + ": the address is already in use (is another server running there?)");
        }
    }

    @Test
    void anUnknownHostIsOneLineNamingIt() {
        Cli.Result r = Cli.run("serve", "-a", "no-such-host.invalid:8100", "-f", dir.resolve("Data.fs").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines().toList())
                .containsExactly("jzeo serve: cannot listen on no-such-host.invalid:8100: unknown host");
    }

    @Test
    void aConfiguredDataFsInAMissingFolderIsOneLineNamingTheFolderAndNothingIsCreated() throws Exception {
        Path missing = dir.resolve("typo").resolve("var");
        Path conf = Files.writeString(dir.resolve("zeo.conf"), String.join("\n", "<zeo>", "  address 127.0.0.1:0",
                "</zeo>", "<filestorage>", "  path " + missing.resolve("Data.fs"), "</filestorage>", ""));

        Cli.Result r = serveExpectingFailure("-C", conf.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines().toList()).containsExactly("jzeo serve: storage '1': the folder " + missing
                + " of Data.fs does not exist; check the path, or create the folder to start a new, empty database"
                + " there");
        assertThat(dir.resolve("typo")).doesNotExist();
    }

    @Test
    void aDataFsGivenWithFilenameInAMissingFolderIsRefusedToo() {
        Path missing = dir.resolve("typo");

        Cli.Result r = serveExpectingFailure("-a", "127.0.0.1:0", "-f", missing.resolve("Data.fs").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("jzeo serve: storage '1': the folder " + missing + " of Data.fs does not exist;");
        assertThat(missing).doesNotExist();
    }

    /** Runs {@code jzeo serve}, which must fail; one that starts would serve until killed, so that fails the test. */
    private static Cli.Result serveExpectingFailure(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run(all),
                "jzeo serve started (or hung) instead of refusing");
    }
}
