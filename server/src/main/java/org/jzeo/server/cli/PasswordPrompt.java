package org.jzeo.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Asks for a new password as {@code zeopasswd} did: on a terminal twice, without echo, and both must match (a typo
 * would otherwise lock the user out); without a terminal (a script, a pipe) one line from standard input, so that
 * {@code echo secret | jzeo passwd alice} works without putting the password in the process list.
 */
final class PasswordPrompt {
    /** A line longer than this is not a password someone typed or piped on purpose. */
    static final int MAX_CHARS = 4096;

    private final Console console;
    private final InputStream stdin;

    PasswordPrompt(Console console, InputStream stdin) {
        this.console = console;
        this.stdin = stdin;
    }

    /** The process's terminal, if it has one, and its standard input; looked up when asked, not when made. */
    static PasswordPrompt system() {
        return new PasswordPrompt(System.console(), System.in);
    }

    /** The new password of {@code user}; IOException with an operator's message when none could be read. */
    char[] newPassword(String user) throws IOException {
        char[] password = console != null ? fromConsole(user) : fromStdin();
        if (password.length == 0) {
            throw new IOException("an empty password is not allowed");
        }
        return password;
    }

    private char[] fromConsole(String user) throws IOException {
        char[] first = console.readPassword("New password for %s: ", user);
        if (first == null) {
            throw new IOException("no password was entered");
        }
        char[] again = console.readPassword("Again: ");
        if (again == null || !Arrays.equals(first, again)) {
            Arrays.fill(first, '\0');
            throw new IOException("the two passwords do not match");
        }
        Arrays.fill(again, '\0');
        return first;
    }

    /** One line, UTF-8, without its line end; byte by byte so nothing after the line is consumed. */
    private char[] fromStdin() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = stdin.read()) >= 0 && b != '\n') {
            if (line.size() >= MAX_CHARS * 4) {
                throw new IOException("the password line on standard input is too long");
            }
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("no password given and none on standard input (give it as an argument, on a"
                    + " terminal, or as a line on standard input)");
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return (text.endsWith("\r") ? text.substring(0, text.length() - 1) : text).toCharArray();
    }
}
