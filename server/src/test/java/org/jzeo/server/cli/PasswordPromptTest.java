package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Without a terminal the password is one line of standard input (the terminal path needs a real terminal). */
class PasswordPromptTest {
    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneLineIsReadWithoutItsLineEndAndNothingAfterIt() throws Exception {
        InputStream in = stdin("s\u00e9cret w\u00f6rd\r\nnext\n");

        assertThat(new PasswordPrompt(null, in).newPassword("alice")).containsExactly("s\u00e9cret w\u00f6rd"
                .toCharArray());
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("next\n");
    }

    @Test
    void aLastLineWithoutALineEndCounts() throws Exception {
        assertThat(new PasswordPrompt(null, stdin("pw")).newPassword("alice")).containsExactly('p', 'w');
    }

    @Test
    void nothingAnEmptyLineOrAnEndlessLineIsRefused() {
        assertThatThrownBy(() -> new PasswordPrompt(null, stdin("")).newPassword("alice"))
                .isInstanceOf(IOException.class).hasMessageStartingWith("no password given and none on standard input");
        assertThatThrownBy(() -> new PasswordPrompt(null, stdin("\n")).newPassword("alice"))
                .hasMessage("an empty password is not allowed");
        assertThatThrownBy(() -> new PasswordPrompt(null, stdin("x".repeat(20_000))).newPassword("alice"))
                .hasMessage("the password line on standard input is too long");
    }
}
