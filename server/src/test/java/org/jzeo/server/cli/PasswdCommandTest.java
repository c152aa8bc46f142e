package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jzeo.auth.AuthenticationFailure;
import org.jzeo.auth.ScramClient;
import org.jzeo.auth.ScramServerExchange;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.server.auth.PasswordDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jzeo passwd} through the command line, checked by signing on with SCRAM against the file it wrote. */
class PasswdCommandTest {
    /** What unknown users are checked against; no password given here matches it. */
    private static final ScramVerifier NOBODY = ScramVerifier.of("nobody's".toCharArray());

    @TempDir
    Path dir;

    /** Whether a full SCRAM exchange as {@code user} with {@code password} succeeds against {@code file}. */
    private static boolean signsOn(Path file, String user, String password) throws Exception {
        PasswordDatabase db = PasswordDatabase.read(file);
        ScramServerExchange server = new ScramServerExchange(db::verifier, u -> NOBODY);
        ScramClient client = new ScramClient(user, password.toCharArray());
        try {
            String serverFinal = server.finish(client.clientFinal(server.start(client.clientFirst())));
            client.verifyServerFinal(serverFinal);
            return true;
        } catch (AuthenticationFailure e) {
            return false;
        }
    }

    @Test
    void addingAUserToAMissingFileCreatesItOwnerOnlyWithTheDefaultRealm() throws Exception {
        Path file = dir.resolve("users");

        Cli.Result r = Cli.run("passwd", "-f", file.toString(), "alice", "alice-pw");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jzeo passwd: added user alice to " + file + " (a new file, realm jzeo)\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PasswordDatabase.read(file).realm()).isEqualTo("jzeo");
        assertThat(Files.readString(file)).doesNotContain("alice-pw");
        assertThat(signsOn(file, "alice", "alice-pw")).isTrue();
        assertThat(signsOn(file, "alice", "wrong")).isFalse();
    }

    @Test
    void changingAPasswordReplacesTheVerifierSoTheOldPasswordNoLongerWorksAndKeepsTheRest() throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, "# our users\nrealm jzeo\n");
        assertThat(Cli.run("passwd", "-f", file.toString(), "alice", "old-pw").exitCode()).isZero();
        Cli.Result bob = Cli.run("passwd", "-f", file.toString(), "bob", "bob-pw");
        assertThat(bob.out()).isEqualTo("jzeo passwd: added user bob to " + file + "\n");
        ScramVerifier before = PasswordDatabase.read(file).verifier("alice");

        Cli.Result r = Cli.run("passwd", "-f", file.toString(), "alice", "new-pw");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jzeo passwd: changed the password of user alice in " + file + "\n");
        assertThat(PasswordDatabase.read(file).verifier("alice")).isNotEqualTo(before);
        assertThat(signsOn(file, "alice", "old-pw")).isFalse();
        assertThat(signsOn(file, "alice", "new-pw")).isTrue();
        assertThat(signsOn(file, "bob", "bob-pw")).isTrue();
        assertThat(Files.readString(file)).startsWith("# our users\nrealm jzeo\nalice:");
    }

    @Test
    void deletingAUserRemovesItAndDeletingAnUnknownUserIsAnError() throws Exception {
        Path file = dir.resolve("users");
        Cli.run("passwd", "-f", file.toString(), "alice", "alice-pw");
        Cli.run("passwd", "-f", file.toString(), "bob", "bob-pw");

        Cli.Result r = Cli.run("passwd", "-d", "-f", file.toString(), "alice");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jzeo passwd: deleted user alice from " + file + "\n");
        assertThat(PasswordDatabase.read(file).users()).containsExactly("bob");
        assertThat(signsOn(file, "alice", "alice-pw")).isFalse();

        Cli.Result again = Cli.run("passwd", "-d", "-f", file.toString(), "alice");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("jzeo passwd: there is no user 'alice' in " + file + "\n");
        Cli.Result missing = Cli.run("passwd", "--delete", "-f", dir.resolve("none").toString(), "alice");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    void aRealmOtherThanTheFilesIsRefusedNamingBothAndANewFileTakesTheRealmOfR() throws Exception {
        Path file = dir.resolve("users");
        Cli.run("passwd", "-f", file.toString(), "alice", "alice-pw");
        String before = Files.readString(file);

        Cli.Result r = Cli.run("passwd", "-f", file.toString(), "-r", "shop", "bob", "bob-pw");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jzeo passwd: " + file + " is of realm 'jzeo', not of realm 'shop' (-r)\n");
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(Cli.run("passwd", "-f", file.toString(), "-r", "jzeo", "bob", "bob-pw").exitCode()).isZero();

        Path shop = dir.resolve("shop-users");
        assertThat(Cli.run("passwd", "-f", shop.toString(), "--realm", "shop", "carol", "pw").exitCode()).isZero();
        assertThat(PasswordDatabase.read(shop).realm()).isEqualTo("shop");
    }

    @Test
    void withoutAPasswordArgumentOneLineOfStandardInputIsThePassword() throws Exception {
        Path file = dir.resolve("users");

        Cli.Result r = withStdin("piped secret\nnot this line\n", () ->
                Cli.run("passwd", "-f", file.toString(), "alice"));

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(signsOn(file, "alice", "piped secret")).isTrue();
        Cli.Result empty = withStdin("", () -> Cli.run("passwd", "-f", file.toString(), "bob"));
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).startsWith("jzeo passwd: no password given and none on standard input");
        Cli.Result blank = withStdin("\n", () -> Cli.run("passwd", "-f", file.toString(), "bob"));
        assertThat(blank.err()).isEqualTo("jzeo passwd: an empty password is not allowed\n");
        assertThat(PasswordDatabase.read(file).users()).containsExactly("alice");
    }

    @Test
    void theFileAndRealmComeFromTheConfigurationOfC() throws Exception {
        Path file = dir.resolve("users");
        Path conf = Files.writeString(dir.resolve("zeo.conf"), "<zeo>\n  address 127.0.0.1:8100\n"
                + "  authentication-protocol scram-sha-256\n  authentication-database " + file + "\n"
                + "  authentication-realm shop\n</zeo>\n<mappingstorage 1>\n</mappingstorage>\n");

        Cli.Result r = Cli.run("passwd", "-C", conf.toString(), "alice", "alice-pw");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jzeo passwd: added user alice to " + file + " (a new file, realm shop)\n");
        assertThat(signsOn(file, "alice", "alice-pw")).isTrue();

        Path plain = Files.writeString(dir.resolve("plain.conf"),
                "<zeo>\n  address 8100\n</zeo>\n<mappingstorage 1>\n</mappingstorage>\n");
        Cli.Result noDatabase = Cli.run("passwd", "-C", plain.toString(), "alice", "pw");
        assertThat(noDatabase.exitCode()).isEqualTo(2);
        assertThat(noDatabase.err()).contains(plain + " has no authentication-database in <zeo>; give the password"
                + " file with -f FILE");
    }

    @Test
    void usageMistakesExitTwo() {
        String file = dir.resolve("users").toString();

        Cli.Result noFile = Cli.run("passwd", "alice", "pw");
        Cli.Result deleteWithPassword = Cli.run("passwd", "-d", "-f", file, "alice", "pw");
        Cli.Result badName = Cli.run("passwd", "-f", file, "al:ice", "pw");
        Cli.Result badRealm = Cli.run("passwd", "-f", file, "-r", " ", "alice", "pw");

        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).contains("give the password file with -f FILE");
        assertThat(deleteWithPassword.exitCode()).isEqualTo(2);
        assertThat(deleteWithPassword.err()).contains("-d deletes the user and takes no PASSWORD");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("the username 'al:ice' contains ':'");
        assertThat(badRealm.exitCode()).isEqualTo(2);
        assertThat(badRealm.err()).contains("the realm must be a non-empty name");
        assertThat(Files.exists(dir.resolve("users"))).isFalse();
    }

    @Test
    void aMalformedFileIsReportedWithItsLineAndLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("users"), "realm jzeo\nalice\n");

        Cli.Result r = Cli.run("passwd", "-f", file.toString(), "bob", "pw");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jzeo passwd: " + file
                + ":2: neither 'realm NAME' nor 'user:verifier' nor a comment\n");
        assertThat(Files.readString(file)).isEqualTo("realm jzeo\nalice\n");
    }

    /** Runs {@code run} with {@code text} as standard input (tests run one at a time, so the swap is safe). */
    private static Cli.Result withStdin(String text, java.util.function.Supplier<Cli.Result> run) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(original);
        }
    }
}
