package org.jzeo.server.cli;

import java.io.Console;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jzeo.client.Credentials;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The admin commands' sign-on options, for servers with {@code authentication-protocol scram-sha-256}: who to sign on
 * as, and the password, from {@code --password}, else the {@value #PASSWORD_VARIABLE} environment variable (which,
 * unlike an argument, other users of the machine cannot read in the process list), else asked for on the terminal.
 */
final class CredentialOptions {
    /** The environment variable that holds the password when {@code --password} is not given. */
    static final String PASSWORD_VARIABLE = "JZEO_PASSWORD";

    @Option(names = "--username", paramLabel = "USER",
            description = "Sign on as USER (servers with authentication-protocol scram-sha-256); the password comes"
                    + " from --password, else the environment variable " + PASSWORD_VARIABLE
                    + ", else the terminal.")
    String username;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "The password of --username (visible in the process list; " + PASSWORD_VARIABLE
                    + " is not).")
    String password;

    /** The command this mixin is part of: its usage errors are that command's. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The process environment; replaced by tests (a JVM cannot change its own). */
    Function<String, String> environment = System::getenv;
    /** The terminal, if any; looked up when needed. */
    Supplier<Console> console = System::console;

    /**
     * The credentials to sign on with, or null when no username was given (no sign-on); a usage error (exit 2) for
     * a password without a username, or a username without any password.
     */
    Credentials credentials() {
        try {
            return resolve();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    private Credentials resolve() {
        if (username == null) {
            if (password != null) {
                throw new IllegalArgumentException("--password needs --username");
            }
            return null;
        }
        if (username.isEmpty()) {
            throw new IllegalArgumentException("--username must not be empty");
        }
        String secret = password != null ? password : environment.apply(PASSWORD_VARIABLE);
        if (secret == null) {
            secret = askTerminal();
        }
        return Credentials.of(username, secret);
    }

    private String askTerminal() {
        Console terminal = console.get();
        char[] typed = terminal == null ? null : terminal.readPassword("Password for %s: ", username);
        if (typed == null) {
            throw new IllegalArgumentException("--username " + username + " needs a password: give --password, or"
                    + " set " + PASSWORD_VARIABLE);
        }
        return new String(typed);
    }
}
