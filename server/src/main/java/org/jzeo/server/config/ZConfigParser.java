package org.jzeo.server.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ZConfig syntax (the language of ZEO's {@code zeo.conf}) into a {@link ConfigSection} tree, knowing nothing
 * about which sections or keys exist: that is the binders' job. Guarantees: the tree holds exactly what the file
 * says after {@code %define}/{@code $name} substitution and {@code %include}; any malformed line, unbalanced
 * section, undefined name or unreadable include is a {@link ConfigException} naming the file and line.
 *
 * <p>Syntax, as ZConfig reads it:
 * <ul>
 *   <li>Lines are trimmed. Blank lines and lines starting with {@code #} are ignored; a {@code #} later in a line
 *       is part of the value.</li>
 *   <li>{@code key value}: the key runs to the first blank; the value is the rest of the line (may be empty).
 *       Keys are case-insensitive.</li>
 *   <li>{@code <type>}, {@code <type name>} open a section, {@code </type>} closes it, {@code <type name/>} is an
 *       empty section. Type and name are case-insensitive (lower-cased).</li>
 *   <li>{@code %define NAME VALUE} (value may be empty; names case-insensitive; redefining with another value is
 *       an error). {@code $NAME}, {@code ${NAME}}, {@code $(ENVVAR)} and {@code $$} are replaced in values,
 *       {@code %define} values and {@code %include} paths.</li>
 *   <li>{@code %include PATH} reads another file, relative to the including file, into the current section,
 *       sharing defines. An included file must balance its own sections.</li>
 * </ul>
 * {@code %import} (schema components) is refused: jzeo's schema is built in.
 */
public final class ZConfigParser {
    /** Packages whose ZConfig components jzeo implements itself: {@code %import} of them is accepted as a no-op. */
    private static final Set<String> BUILT_IN_PACKAGES = Set.of("relstorage");

    private static final Pattern KEY_VALUE = Pattern.compile("([^\\s()]+)\\s*(\\S.*)?");
    private static final Pattern SECTION_HEADER = Pattern.compile("([^\\s()]+)(?:\\s+([^\\s()]+))?");

    private final Function<String, String> environment;

    /** A parser whose {@code $(NAME)} reads the process environment. */
    public ZConfigParser() {
        this(System::getenv);
    }

    /** A parser whose {@code $(NAME)} reads {@code environment} (which returns null for unset variables). */
    public ZConfigParser(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** Parses {@code file} and everything it includes. */
    public ConfigSection parse(Path file) {
        String display = file.toString();
        ConfigSection top = ConfigSection.topLevel(display);
        new Run().parseFile(file, display, top, SourceLocation.wholeFile(display));
        return top;
    }

    /**
     * Parses {@code text} as if it were the content of {@code file}: messages name {@code file}, and
     * {@code %include} resolves relative to it.
     */
    public ConfigSection parse(String text, Path file) {
        String display = file.toString();
        ConfigSection top = ConfigSection.topLevel(display);
        Run run = new Run();
        run.including.push(file.toAbsolutePath().normalize());
        run.parseLines(text, file, display, top);
        return top;
    }

    /** State shared by a file and the files it includes. */
    private final class Run {
        final Map<String, String> defines = new HashMap<>();
        final Deque<Path> including = new ArrayDeque<>();

        void parseFile(Path file, String display, ConfigSection into, SourceLocation requestedAt) {
            Path identity = file.toAbsolutePath().normalize();
            if (including.contains(identity)) {
                throw new ConfigException(requestedAt, "%include cycle: " + display + " is already being read");
            }
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new ConfigException(requestedAt, "configuration file " + display + " does not exist", e);
            } catch (CharacterCodingException e) {
                throw new ConfigException(requestedAt, display + " is not UTF-8 text", e);
            } catch (IOException e) {
                throw new ConfigException(requestedAt, "cannot read " + display + ": " + e, e);
            }
            including.push(identity);
            try {
                parseLines(text, file, display, into);
            } finally {
                including.pop();
            }
        }

        void parseLines(String text, Path file, String display, ConfigSection into) {
            new FileParse(this, file, display, into).run(text);
        }
    }

    /** One file being read: its open-section stack lives and dies with it. */
    private final class FileParse {
        private final Run run;
        private final Path file;
        private final String display;
        private final Deque<ConfigSection> open = new ArrayDeque<>();
        private ConfigSection current;
        private int lineNo;

        FileParse(Run run, Path file, String display, ConfigSection into) {
            this.run = run;
            this.file = file;
            this.display = display;
            this.current = into;
        }

        void run(String text) {
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            List<String> lines = text.lines().toList();
            for (String raw : lines) {
                lineNo++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("</")) {
                    endSection(line);
                } else if (line.startsWith("<")) {
                    startSection(line);
                } else if (line.startsWith("%")) {
                    directive(line.substring(1));
                } else {
                    keyValue(line);
                }
            }
            if (!open.isEmpty()) {
                ConfigSection unclosed = current;
                throw new ConfigException(unclosed.location(), unclosed.label()
                        + " is not closed: the file ends (line " + lineNo + ") without </" + unclosed.type() + ">");
            }
        }

        private void startSection(String line) {
            if (!line.endsWith(">")) {
                throw error("malformed section start '" + line + "' (missing '>')");
            }
            String inner = line.substring(1, line.length() - 1);
            boolean empty = inner.endsWith("/");
            if (empty) {
                inner = inner.substring(0, inner.length() - 1);
            }
            Matcher m = SECTION_HEADER.matcher(inner.stripTrailing());
            if (!m.matches()) {
                throw error("malformed section start '" + line + "' (expected <type> or <type name>)");
            }
            String type = m.group(1).toLowerCase(Locale.ROOT);
            String name = m.group(2) == null ? null : m.group(2).toLowerCase(Locale.ROOT);
            ConfigSection section = new ConfigSection(type, name, here());
            current.add(section);
            if (!empty) {
                open.push(current);
                current = section;
            }
        }

        private void endSection(String line) {
            if (!line.endsWith(">")) {
                throw error("malformed section end '" + line + "' (missing '>')");
            }
            String type = line.substring(2, line.length() - 1).strip().toLowerCase(Locale.ROOT);
            if (open.isEmpty()) {
                throw error("</" + type + "> closes nothing: no section is open"
                        + (run.including.size() > 1 ? " in this included file" : ""));
            }
            if (!type.equals(current.type())) {
                throw error("</" + type + "> does not match " + current.label() + " opened at "
                        + current.location());
            }
            current = open.pop();
        }

        private void keyValue(String line) {
            Matcher m = KEY_VALUE.matcher(line);
            if (!m.matches()) {
                throw error("malformed line '" + line + "' (expected 'key value')");
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2) == null ? "" : substitute(m.group(2));
            current.add(new ConfigEntry(key, value, here()));
        }

        private void directive(String rest) {
            Matcher m = KEY_VALUE.matcher(rest);
            if (!m.matches()) {
                throw error("missing or malformed directive after '%'");
            }
            String name = m.group(1);
            String argument = m.group(2);
            if (!name.equals("define") && !name.equals("include") && !name.equals("import")) {
                throw error("unknown directive '%" + name + "' (jzeo knows %define and %include)");
            }
            if (argument == null) {
                throw error("%" + name + " needs an argument");
            }
            if (name.equals("define")) {
                define(argument);
            } else if (name.equals("include")) {
                include(argument);
            } else if (!BUILT_IN_PACKAGES.contains(argument.strip())) {
                throw error("%import " + argument.strip() + " is not supported: jzeo's configuration schema is"
                        + " built in and cannot be extended with ZConfig components (jzeo knows %import relstorage,"
                        + " whose <relstorage> section it reads itself)");
            }
        }

        private void define(String argument) {
            String[] parts = argument.split("\\s+", 2);
            String name = parts[0].toLowerCase(Locale.ROOT);
            if (!Substitution.isName(name)) {
                throw error("'" + parts[0] + "' cannot be a %define name (letters, digits and '_', not starting"
                        + " with a digit)");
            }
            String value = substitute(parts.length == 2 ? parts[1] : "");
            String previous = run.defines.get(name);
            if (previous != null && !previous.equals(value)) {
                throw error("cannot redefine '" + parts[0] + "' as '" + value + "': it is already '" + previous
                        + "'");
            }
            run.defines.put(name, value);
        }

        private void include(String argument) {
            String target = substitute(argument.strip());
            if (target.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
                throw error("%include of a URL is not supported: " + target);
            }
            Path included = file.resolveSibling(target).normalize();
            run.parseFile(included, included.toString(), current, here());
        }

        private String substitute(String text) {
            try {
                return Substitution.apply(text, run.defines, environment);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        private SourceLocation here() {
            return new SourceLocation(display, lineNo);
        }

        private ConfigException error(String problem) {
            return new ConfigException(here(), problem);
        }
    }
}
