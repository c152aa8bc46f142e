package org.jzeo.server.config;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ZConfig's {@code $} substitution: {@code $name} and {@code ${name}} insert a value from {@code %define}
 * (names are case-insensitive), {@code $(NAME)} inserts an environment variable (case kept), {@code $$} is a
 * literal dollar. A reference to something undefined is an error, never an empty string.
 */
final class Substitution {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private Substitution() {
    }

    /** True if {@code text} is a legal {@code %define} name. */
    static boolean isName(String text) {
        return NAME.matcher(text).matches();
    }

    /**
     * Replaces every reference in {@code text}.
     *
     * @param defines     lower-cased names to values
     * @param environment environment variable lookup (returns null when unset)
     * @throws IllegalArgumentException naming the reference that cannot be replaced or is malformed
     */
    static String apply(String text, Map<String, String> defines, Function<String, String> environment) {
        int dollar = text.indexOf('$');
        if (dollar < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (dollar >= 0) {
            out.append(text, i, dollar);
            if (dollar + 1 >= text.length()) {
                throw new IllegalArgumentException("a lone '$' ends the value (write '$$' for a dollar sign)");
            }
            char next = text.charAt(dollar + 1);
            if (next == '$') {
                out.append('$');
                i = dollar + 2;
            } else if (next == '{' || next == '(') {
                char close = next == '{' ? '}' : ')';
                Matcher m = NAME.matcher(text).region(dollar + 2, text.length());
                if (!m.lookingAt()) {
                    throw new IllegalArgumentException("'$" + next + "' is not followed by a name");
                }
                String name = m.group();
                if (m.end() >= text.length() || text.charAt(m.end()) != close) {
                    throw new IllegalArgumentException("'$" + next + name + "' is not closed by '" + close + "'");
                }
                out.append(next == '{' ? defined(name, defines) : environment(name, environment));
                i = m.end() + 1;
            } else {
                Matcher m = NAME.matcher(text).region(dollar + 1, text.length());
                if (!m.lookingAt()) {
                    throw new IllegalArgumentException(
                            "'$' is not followed by a name, '{', '(' or '$' (write '$$' for a dollar sign)");
                }
                out.append(defined(m.group(), defines));
                i = m.end();
            }
            dollar = text.indexOf('$', i);
        }
        out.append(text, i, text.length());
        return out.toString();
    }

    private static String defined(String name, Map<String, String> defines) {
        String value = defines.get(name.toLowerCase(Locale.ROOT));
        if (value == null) {
            throw new IllegalArgumentException("'$" + name + "' is not defined (a '%define " + name
                    + " VALUE' line must come before its use)");
        }
        return value;
    }

    private static String environment(String name, Function<String, String> environment) {
        String value = environment.apply(name);
        if (value == null) {
            throw new IllegalArgumentException("environment variable '" + name + "' (used as '$(" + name
                    + ")') is not set");
        }
        return value;
    }
}
