package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jzeo.auth.Scram;
import org.jzeo.auth.ScramVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordDatabaseTest {
    /** Fixed salts: the same verifier text in every run, and each user's distinct. */
    static final ScramVerifier ALICE = verifier("alice's password", 1);
    static final ScramVerifier BOB = verifier("bob's password", 2);

    static ScramVerifier verifier(String password, int saltByte) {
        byte[] salt = new byte[Scram.SALT_BYTES];
        java.util.Arrays.fill(salt, (byte) saltByte);
        return ScramVerifier.of(password.toCharArray(), salt, Scram.DEFAULT_ITERATIONS);
    }

    private static final String TEXT = "# jzeo users\n"
            + "\n"
            + "realm jzeo\n"
            + "alice:" + ALICE.format() + "\n"
            + "   # bob is on holiday\n"
            + "bob:" + BOB.format() + "\n";

    @TempDir
    Path dir;

    @Test
    void readsTheRealmAndEachUsersVerifierAndIgnoresCommentsAndBlankLines() throws Exception {
        Path file = Files.writeString(dir.resolve("passwd"), TEXT);

        PasswordDatabase db = PasswordDatabase.read(file);

        assertThat(db.realm()).isEqualTo("jzeo");
        assertThat(db.users()).containsExactly("alice", "bob");
        assertThat(db.verifier("alice")).isEqualTo(ALICE);
        assertThat(db.verifier("bob")).isEqualTo(BOB);
        assertThat(db.verifier("carol")).isNull();
        assertThat(db.render()).isEqualTo(TEXT);
    }

    @Test
    void aRealmWithBlanksCrlfLineEndsAndBlanksAroundTheVerifierAreRead() {
        PasswordDatabase db = PasswordDatabase.parse("realm  the  realm \r\nalice: " + ALICE.format() + " \r\n",
                "f");

        assertThat(db.realm()).isEqualTo("the  realm");
        assertThat(db.verifier("alice")).isEqualTo(ALICE);
    }

    @Test
    void aChangedUserKeepsItsLineANewUserIsAppendedAndADeletedUsersLineGoes() {
        PasswordDatabase db = PasswordDatabase.parse(TEXT, "f");
        ScramVerifier newAlice = verifier("new", 3);
        ScramVerifier carol = verifier("carol's", 4);

        PasswordDatabase changed = db.withUser("alice", newAlice).withUser("carol", carol).withoutUser("bob");

        assertThat(changed.render()).isEqualTo("# jzeo users\n\nrealm jzeo\nalice:" + newAlice.format()
                + "\n   # bob is on holiday\ncarol:" + carol.format() + "\n");
        assertThat(changed.users()).containsExactly("alice", "carol");
        assertThat(PasswordDatabase.parse(changed.render(), "f").verifier("carol")).isEqualTo(carol);
        // The original is untouched: the server may still be using it.
        assertThat(db.users()).containsExactly("alice", "bob");
        assertThat(db.verifier("alice")).isEqualTo(ALICE);
        assertThatThrownBy(() -> db.users().add("mallory")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anEmptyDatabaseRendersItsRealmLine() {
        PasswordDatabase db = PasswordDatabase.empty("shop").withUser("alice", ALICE);

        assertThat(db.render()).isEqualTo("realm shop\nalice:" + ALICE.format() + "\n");
        assertThatThrownBy(() -> PasswordDatabase.empty("two\nlines")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasswordDatabase.empty(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "realm a\\nrealm b                          | f:2: a second realm line (the realm is 'a')",
        "# c\\nalice:$ALICE\\nrealm a              | f:2: user 'alice' before the 'realm NAME' line",
        "realm a\\nalice:$ALICE\\nalice:$BOB       | f:3: user 'alice' a second time",
        "realm a\\nalice:SCRAM-SHA-1$1:x$y:z        | f:2: user 'alice': not a SCRAM-SHA-256 verifier (it must"
            + " start with SCRAM-SHA-256$)",
        "realm a\\nalice:SCRAM-SHA-256$many:x$y:z   | f:2: user 'alice': bad iteration count 'many'",
        "realm a\\njust some words                  | f:2: neither 'realm NAME' nor 'user:verifier' nor a comment",
        "realm a\\n:$ALICE                          | f:2: the username is empty",
        "realm\\nalice:$ALICE                       | f:1: a realm line without a name",
        "# only a comment                           | f: no 'realm NAME' line",
        "''                                         | f: no 'realm NAME' line",
    })
    void aMalformedFileIsRefusedNamingTheLineAndTheProblem(String text, String message) {
        String content = text.replace("\\n", "\n").replace("$ALICE", ALICE.format()).replace("$BOB", BOB.format());

        assertThatThrownBy(() -> PasswordDatabase.parse(content, "f"))
                .isInstanceOf(MalformedPasswordFileException.class).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void readNamesTheFileInItsErrorsAndRefusesTextThatIsNotUtf8() throws Exception {
        Path twice = Files.writeString(dir.resolve("twice"), "realm a\nrealm b\n");
        Path latin1 = Files.write(dir.resolve("latin1"), ("realm a\nj\u00f6rg:" + ALICE.format() + "\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> PasswordDatabase.read(twice)).hasMessage(twice + ":2: a second realm line (the"
                + " realm is 'a')");
        assertThatThrownBy(() -> PasswordDatabase.read(latin1)).hasMessage(latin1 + ": not UTF-8 text");
        assertThatThrownBy(() -> PasswordDatabase.read(dir.resolve("missing")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a:b       | the username 'a:b' contains ':'",
        "''        | the username is empty",
        "#admin    | the username '#admin' would read as a comment or realm line (it starts with a blank, '#' or"
            + " 'realm ')",
        "' admin'  | the username ' admin' would read as a comment or realm line (it starts with a blank, '#' or"
            + " 'realm ')",
        "realm x   | the username 'realm x' would read as a comment or realm line (it starts with a blank, '#' or"
            + " 'realm ')",
    })
    void namesTheFileCouldNotHoldOrReadBackAreRefused(String user, String message) {
        PasswordDatabase db = PasswordDatabase.empty("a");

        assertThatThrownBy(() -> db.withUser(user, ALICE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void lineBreaksAndOverlongNamesAreRefusedAndOddButHarmlessNamesRoundTrip() {
        PasswordDatabase db = PasswordDatabase.empty("a");

        assertThatThrownBy(() -> db.withUser("al\nice", ALICE))
                .hasMessage("the username contains a line break or another control character");
        assertThatThrownBy(() -> db.withUser("x".repeat(257), ALICE))
                .hasMessage("the username is longer than 256 characters");
        String longest = "x".repeat(256);
        PasswordDatabase odd = db.withUser(longest, ALICE).withUser("realm", BOB).withUser("j\u00f6rg w.", ALICE)
                .withUser("a=b,c", BOB);
        assertThat(PasswordDatabase.parse(odd.render(), "f").users())
                .containsExactly(longest, "realm", "j\u00f6rg w.", "a=b,c");
    }

    @Test
    void deletingAnUnknownUserIsRefused() {
        PasswordDatabase db = PasswordDatabase.parse(TEXT, "f");

        assertThatThrownBy(() -> db.withoutUser("carol")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no user 'carol'");
    }
}
