package org.jzeo.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.jzeo.api.AuthenticationException;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -HUP} makes a running server reread its password database, even a change its stat check cannot see
 * (same size, same modification time, same inode: an edit in place whose time was put back).
 */
class PasswordReloadSignalTest {
    @TempDir
    Path dir;

    @Test
    void sighupRereadsThePasswordFile() throws Exception {
        Path users = dir.resolve("users");
        String old = "realm r\nalice:" + ScramVerifier.of("old-pw".toCharArray()).format() + "\n";
        Files.writeString(users, old);
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, "<zeo>\n  authentication-protocol scram-sha-256\n  authentication-database " + users
                + "\n</zeo>\n<filestorage 1>\n  path " + dir.resolve("Data.fs") + "\n</filestorage>\n");
        try (ServerProcess server = ServerProcess.start(conf)) {
            assertThat(signOn(server, "old-pw")).isTrue();

            // Rewrite in place, same length, and put the modification time back: only SIGHUP can tell.
            FileTime modified = Files.getLastModifiedTime(users);
            String changed = "realm r\nalice:" + ScramVerifier.of("new-pw".toCharArray()).format() + "\n";
            assertThat(changed).hasSameSizeAs(old);
            try (var channel = java.nio.channels.FileChannel.open(users, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(changed.getBytes(StandardCharsets.UTF_8)));
            }
            Files.setLastModifiedTime(users, modified);
            assertThat(signOn(server, "old-pw")).as("the stat check sees no change").isTrue();

            new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).inheritIO().start().waitFor();
            // Logged once the reread is done.
            assertThat(server.awaitLogLine(l -> l.contains("password database reread (SIGHUP)"),
                    Duration.ofSeconds(20))).as(server.logText()).isTrue();
            assertThat(signOn(server, "new-pw")).isTrue();
            assertThat(signOn(server, "old-pw")).isFalse();
            assertThat(server.isAlive()).as("SIGHUP does not stop a server with authentication").isTrue();
        }
    }

    private static boolean signOn(ServerProcess server, String password) throws Exception {
        try (ZeoTestClient c = ZeoTestClient.connect(server.address())) {
            SignOn.run(c::call, Credentials.of("alice", password), server.hostPort());
            return true;
        } catch (AuthenticationException e) {
            return false;
        }
    }
}
