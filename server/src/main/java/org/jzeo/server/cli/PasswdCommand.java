package org.jzeo.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jzeo.auth.ScramVerifier;
import org.jzeo.server.auth.PasswordDatabase;
import org.jzeo.server.auth.PasswordFileWriter;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.server.config.ConfigException;
import org.jzeo.server.config.ServerConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo passwd}: zeopasswd. Adds a user to the password database of {@code authentication-database}, changes
 * a user's password, or with {@code -d} deletes a user; the file holds only salted SCRAM-SHA-256 verifiers and is
 * replaced atomically with owner-only permissions ({@link PasswordFileWriter}). A running server sees the change at
 * its next sign-on. Exit status 0 when the file was written, 1 when it could not be (unknown user, another realm,
 * unreadable or malformed file, no password), 2 for a usage or configuration error.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Add a user to a password database, change a user's password, or delete a user (zeopasswd).",
            "The password is asked for when not given (twice on a terminal; otherwise one line of standard input)."
                + " A new file is created with the realm of -r."})
final class PasswdCommand implements Callable<Integer> {
    /** The realm of a new file when neither -r nor the configuration names one. */
    static final String DEFAULT_REALM = "jzeo";

    @Parameters(index = "0", paramLabel = "USER", description = "The user to add, change or delete.")
    String user;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PASSWORD",
            description = "The new password (other users of the machine may see it in the process list; leave it"
                    + " out to be asked).")
    String password;

    @Option(names = {"-C", "--configure"}, paramLabel = "CONFIG",
            description = "A zeo.conf whose authentication-database (and authentication-realm) to use.")
    Path configFile;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "The password database (instead of the configuration's authentication-database).")
    Path file;

    @Option(names = {"-r", "--realm"}, paramLabel = "REALM",
            description = "The realm of a new file (default: the configuration's authentication-realm, else "
                    + DEFAULT_REALM + "); an existing file must be of this realm.")
    String realm;

    @Option(names = {"-d", "--delete"}, description = "Delete USER instead.")
    boolean delete;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where a password not given as an argument comes from; the process's terminal or standard input. */
    PasswordPrompt prompt = PasswordPrompt.system();

    /** The database file and the realm the configuration asks for, once the options are resolved. */
    private record Target(Path file, Optional<String> realm, String realmSource) {
    }

    @Override
    public Integer call() {
        Target target = target();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            out.println("jzeo passwd: " + (delete ? deleteUser(target) : setPassword(target)));
            return CommandLine.ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            err.println("jzeo passwd: " + Failures.describe(e));
            return CommandLine.ExitCode.SOFTWARE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private String deleteUser(Target target) throws IOException {
        if (!Files.exists(target.file())) {
            throw new IOException(target.file() + " does not exist, so it has no user '" + user + "'");
        }
        PasswordDatabase db = existing(target);
        if (db.verifier(user) == null) {
            throw new IllegalArgumentException("there is no user '" + user + "' in " + target.file());
        }
        write(target.file(), db.withoutUser(user));
        return "deleted user " + user + " from " + target.file();
    }

    private String setPassword(Target target) throws IOException {
        boolean created = !Files.exists(target.file());
        // Read (and check) the file before asking for a password: a bad file should not waste anyone's typing.
        PasswordDatabase db = created ? PasswordDatabase.empty(target.realm().orElse(DEFAULT_REALM))
                : existing(target);
        char[] secret = password != null ? password.toCharArray() : prompt.newPassword(user);
        ScramVerifier verifier;
        try {
            verifier = ScramVerifier.of(secret);
        } finally {
            Arrays.fill(secret, '\0');
        }
        boolean known = db.verifier(user) != null;
        write(target.file(), db.withUser(user, verifier));
        if (created) {
            return "added user " + user + " to " + target.file() + " (a new file, realm " + db.realm() + ")";
        }
        return known ? "changed the password of user " + user + " in " + target.file()
                : "added user " + user + " to " + target.file();
    }

    /** The existing file, which must be of the realm asked for, if any. */
    private PasswordDatabase existing(Target target) throws IOException {
        PasswordDatabase db;
        try {
            db = PasswordDatabase.read(target.file());
        } catch (IOException e) {
            throw new IOException("cannot read " + target.file() + ": " + reason(e), e);
        }
        if (target.realm().isPresent() && !target.realm().get().equals(db.realm())) {
            throw new IllegalArgumentException(target.file() + " is of realm '" + db.realm() + "', not of realm '"
                    + target.realm().get() + "' (" + target.realmSource() + ")");
        }
        return db;
    }

    private static void write(Path file, PasswordDatabase db) throws IOException {
        try {
            PasswordFileWriter.write(file, db);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + reason(e), e);
        }
    }

    /** What went wrong with a file, in words: the JDK's file exceptions carry only the path as their message. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder (" + e.getMessage() + ")";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + " (" + f.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Resolves -f, -C and -r, and checks what can be checked without touching the file. */
    private Target target() {
        if (delete && password != null) {
            throw usage("-d deletes the user and takes no PASSWORD");
        }
        String problem = PasswordDatabase.usernameProblem(user);
        if (problem == null && realm != null) {
            problem = PasswordDatabase.realmProblem(realm);
        }
        if (problem != null) {
            throw usage(problem);
        }
        Optional<AuthConfig> configured = configFile == null ? Optional.empty() : authConfig();
        Path database = file;
        if (database == null) {
            if (configFile == null) {
                throw usage("give the password file with -f FILE, or a zeo.conf with authentication-database with"
                        + " -C CONFIG");
            }
            database = configured.map(AuthConfig::database).orElseThrow(() -> usage(configFile + " has no"
                    + " authentication-database in <zeo>; give the password file with -f FILE"));
        }
        if (realm != null) {
            return new Target(database, Optional.of(realm), "-r");
        }
        Optional<String> configuredRealm = configured.flatMap(AuthConfig::realm);
        return new Target(database, configuredRealm, "the authentication-realm of " + configFile);
    }

    private Optional<AuthConfig> authConfig() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return new ServerConfigLoader().load(configFile, warning -> err.println("jzeo passwd: warning: "
                    + warning)).zeo().authentication();
        } catch (ConfigException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
