package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that cannot start says why in one line that names the address; no stack trace on the terminal. */
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
}
