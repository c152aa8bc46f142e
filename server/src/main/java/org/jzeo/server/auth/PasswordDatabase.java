package org.jzeo.server.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.auth.ScramServerExchange;
import org.jzeo.auth.ScramVerifier;

/**
 * A parsed password database: a realm and one SCRAM-SHA-256 verifier per user. Immutable; {@link #withUser} and
 * {@link #withoutUser} make changed copies, and {@link #render} gives the text back with its comments and blank
 * lines where they were, so an administrator's notes survive {@code jzeo passwd}.
 *
 * <p>The file, UTF-8:
 * <pre>
 * # comment lines (first non-blank character '#') and blank lines are ignored
 * realm jzeo
 * alice:SCRAM-SHA-256$4096:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;
 * </pre>
 * Exactly one {@code realm NAME} line, before every user line; one {@code user:verifier} line per user.
 */
public final class PasswordDatabase {
    /** As the server accepts them in an exchange: a longer name could never sign on. */
    public static final int MAX_USERNAME_CHARS = ScramServerExchange.MAX_USERNAME_CHARS;
    private static final String REALM_KEYWORD = "realm";

    /** One line of the file, in order; user lines refer to {@link #verifiers} so a changed verifier stays in place. */
    private sealed interface Line permits Verbatim, RealmLine, UserLine {
    }

    /** A comment or blank line, rendered as read. */
    private record Verbatim(String text) implements Line {
    }

    private record RealmLine() implements Line {
    }

    private record UserLine(String user) implements Line {
    }

    private final String realm;
    private final List<Line> lines;
    private final Map<String, ScramVerifier> verifiers;

    private PasswordDatabase(String realm, List<Line> lines, Map<String, ScramVerifier> verifiers) {
        this.realm = realm;
        this.lines = List.copyOf(lines);
        this.verifiers = Collections.unmodifiableMap(new LinkedHashMap<>(verifiers));
    }

    /** An empty database of {@code realm}, as a new file starts. */
    public static PasswordDatabase empty(String realm) {
        checkRealm(realm);
        return new PasswordDatabase(realm, List.of(new RealmLine()), Map.of());
    }

    /**
     * Reads and parses {@code file}. IOException when it cannot be read; {@link MalformedPasswordFileException}
     * (one line: file, line number, what is wrong) when its content is not a password database.
     */
    public static PasswordDatabase read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            // Strict decoding: a password file in another encoding would silently give users other names.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedPasswordFileException(file.toString(), 0, "not UTF-8 text");
        }
        return parse(text, file.toString());
    }

    /** Parses a database's text; {@code source} names it in error messages. */
    public static PasswordDatabase parse(String text, String source) {
        String realm = null;
        List<Line> lines = new ArrayList<>();
        Map<String, ScramVerifier> verifiers = new LinkedHashMap<>();
        String[] raw = text.split("\n", -1);
        // A final newline ends the last line; it does not start an empty one.
        int count = raw.length > 0 && raw[raw.length - 1].isEmpty() ? raw.length - 1 : raw.length;
        for (int i = 0; i < count; i++) {
            int number = i + 1;
            String line = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                lines.add(new Verbatim(line));
            } else if (stripped.equals(REALM_KEYWORD)) {
                throw new MalformedPasswordFileException(source, number, "a realm line without a name");
            } else if (isRealmLine(stripped)) {
                if (realm != null) {
                    throw new MalformedPasswordFileException(source, number, "a second realm line (the realm is '"
                            + realm + "')");
                }
                realm = stripped.substring(REALM_KEYWORD.length()).strip();
                lines.add(new RealmLine());
            } else {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw new MalformedPasswordFileException(source, number,
                            "neither 'realm NAME' nor 'user:verifier' nor a comment");
                }
                String user = line.substring(0, colon);
                String problem = usernameProblem(user);
                if (problem != null) {
                    throw new MalformedPasswordFileException(source, number, problem);
                }
                if (realm == null) {
                    throw new MalformedPasswordFileException(source, number,
                            "user '" + user + "' before the 'realm NAME' line");
                }
                if (verifiers.containsKey(user)) {
                    throw new MalformedPasswordFileException(source, number, "user '" + user + "' a second time");
                }
                try {
                    verifiers.put(user, ScramVerifier.parse(line.substring(colon + 1).strip()));
                } catch (IllegalArgumentException e) {
                    throw new MalformedPasswordFileException(source, number,
                            "user '" + user + "': " + e.getMessage());
                }
                lines.add(new UserLine(user));
            }
        }
        if (realm == null) {
            throw new MalformedPasswordFileException(source, 0, "no 'realm NAME' line");
        }
        return new PasswordDatabase(realm, lines, verifiers);
    }

    /** "realm" followed by blanks and a name; "realm:..." is a user called realm. */
    private static boolean isRealmLine(String stripped) {
        return stripped.length() > REALM_KEYWORD.length() && stripped.startsWith(REALM_KEYWORD)
                && Character.isWhitespace(stripped.charAt(REALM_KEYWORD.length()));
    }

    public String realm() {
        return realm;
    }

    /** The user's verifier, or null when there is no such user. */
    public ScramVerifier verifier(String user) {
        return verifiers.get(user);
    }

    /** The users, in file order. */
    public Set<String> users() {
        return verifiers.keySet();
    }

    /**
     * A copy with {@code user}'s verifier set: a changed user keeps its line, a new one is appended. An
     * IllegalArgumentException names what is wrong with a name the file could not hold or read back.
     */
    public PasswordDatabase withUser(String user, ScramVerifier verifier) {
        String problem = usernameProblem(user);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Map<String, ScramVerifier> changed = new LinkedHashMap<>(verifiers);
        List<Line> changedLines = new ArrayList<>(lines);
        if (changed.put(user, verifier) == null) {
            changedLines.add(new UserLine(user));
        }
        return new PasswordDatabase(realm, changedLines, changed);
    }

    /** A copy without {@code user}; IllegalArgumentException when there is no such user. */
    public PasswordDatabase withoutUser(String user) {
        if (!verifiers.containsKey(user)) {
            throw new IllegalArgumentException("no user '" + user + "'");
        }
        Map<String, ScramVerifier> changed = new LinkedHashMap<>(verifiers);
        changed.remove(user);
        List<Line> changedLines = new ArrayList<>(lines);
        changedLines.remove(new UserLine(user));
        return new PasswordDatabase(realm, changedLines, changed);
    }

    /** The file's text: comments and blank lines as read, users in their places, new users at the end. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Line line : lines) {
            if (line instanceof Verbatim v) {
                out.append(v.text());
            } else if (line instanceof UserLine u) {
                out.append(u.user()).append(':').append(verifiers.get(u.user()).format());
            } else {
                out.append(REALM_KEYWORD).append(' ').append(realm);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Why {@code user} cannot be a name in the file, or null when it can. Beyond the rules of the format (not empty,
     * no ':', at most {@value #MAX_USERNAME_CHARS} characters) a name must read back as a user line: no control
     * characters (line breaks among them), no blank or '#' first (a comment), not "realm" and a blank first.
     */
    public static String usernameProblem(String user) {
        if (user.isEmpty()) {
            return "the username is empty";
        }
        if (user.length() > MAX_USERNAME_CHARS) {
            return "the username is longer than " + MAX_USERNAME_CHARS + " characters";
        }
        if (user.indexOf(':') >= 0) {
            return "the username '" + user + "' contains ':'";
        }
        if (user.chars().anyMatch(Character::isISOControl)) {
            return "the username contains a line break or another control character";
        }
        if (Character.isWhitespace(user.charAt(0)) || user.charAt(0) == '#' || isRealmLine(user)) {
            return "the username '" + user + "' would read as a comment or realm line (it starts with a blank, '#'"
                    + " or 'realm ')";
        }
        return null;
    }

    /** Why {@code realm} cannot be a file's realm (it would not read back the same), or null when it can. */
    public static String realmProblem(String realm) {
        if (realm.isBlank() || realm.chars().anyMatch(Character::isISOControl) || !realm.equals(realm.strip())) {
            return "the realm must be a non-empty name without line breaks or leading or trailing blanks, not '"
                    + realm + "'";
        }
        return null;
    }

    private static void checkRealm(String realm) {
        String problem = realmProblem(realm);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
