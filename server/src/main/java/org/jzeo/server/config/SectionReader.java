package org.jzeo.server.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Typed, checked access to one section's keys and subsections. Every key a binder asks about becomes a known key;
 * {@link #finish()} then refuses whatever the section holds that nobody asked about. Guarantees: a key given twice,
 * a value that does not convert, a missing required key and an unknown key or subsection are each a
 * {@link ConfigException} naming the line to blame.
 */
final class SectionReader {
    private final ConfigSection section;
    private final Consumer<ConfigWarning> warnings;
    private final Set<String> knownKeys = new LinkedHashSet<>();
    private final Set<String> knownSections = new LinkedHashSet<>();

    SectionReader(ConfigSection section, Consumer<ConfigWarning> warnings) {
        this.section = section;
        this.warnings = warnings;
    }

    ConfigSection section() {
        return section;
    }

    /** The line setting {@code key}, if any; a second line setting it is an error. */
    Optional<ConfigEntry> entry(String key) {
        knownKeys.add(key);
        List<ConfigEntry> found = section.entries(key);
        if (found.size() > 1) {
            throw new ConfigException(found.get(1).location(), "'" + key + "' is given twice in " + section.label()
                    + " (first at " + found.get(0).location() + "); give it once");
        }
        return found.stream().findFirst();
    }

    /** Every line setting {@code key}, in file order: for keys that may repeat. */
    List<ConfigEntry> all(String key) {
        knownKeys.add(key);
        return section.entries(key);
    }

    /** {@code key}'s value converted by {@code type}, if the key is present. */
    <T> Optional<T> optional(String key, Function<String, T> type) {
        return entry(key).map(e -> convert(e, type));
    }

    /** {@code key}'s value converted by {@code type}, or {@code fallback} if the key is absent. */
    <T> T get(String key, Function<String, T> type, T fallback) {
        return optional(key, type).orElse(fallback);
    }

    /** {@code key}'s value converted by {@code type}; its absence is an error at the section's opening line. */
    <T> T required(String key, Function<String, T> type) {
        return optional(key, type).orElseThrow(() -> new ConfigException(section.location(),
                section.label() + " needs '" + key + "'"));
    }

    /** Accepts {@code key} without acting on it: if present, a warning saying {@code why}. */
    void ignore(String key, String why) {
        entry(key).ifPresent(e -> warn(e.location(), "'" + key + "' in " + section.label()
                + " is accepted but ignored: " + why));
    }

    /** Refuses {@code key}: if present, an error saying {@code why}. */
    void refuse(String key, String why) {
        entry(key).ifPresent(e -> {
            throw new ConfigException(e.location(), "'" + key + "' in " + section.label()
                    + " is not supported: " + why);
        });
    }

    /** Converts one entry, blaming its line if the text does not fit. */
    <T> T convert(ConfigEntry entry, Function<String, T> type) {
        try {
            return type.apply(entry.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(entry.location(), "bad value for '" + entry.key() + "' in "
                    + section.label() + ": " + e.getMessage(), e);
        }
    }

    void warn(SourceLocation where, String message) {
        warnings.accept(new ConfigWarning(where, message));
    }

    /** The subsections of {@code type}, in file order. */
    List<ConfigSection> sections(String type) {
        knownSections.add(type);
        List<ConfigSection> found = new ArrayList<>();
        for (ConfigSection child : section.children()) {
            if (child.type().equals(type)) {
                found.add(child);
            }
        }
        return found;
    }

    /** The one subsection of {@code type}, if present; a second one is an error. */
    Optional<ConfigSection> section(String type) {
        List<ConfigSection> found = sections(type);
        if (found.size() > 1) {
            throw new ConfigException(found.get(1).location(), "a second <" + type + "> in " + section.label()
                    + " (the first is at " + found.get(0).location() + "); only one is allowed");
        }
        return found.stream().findFirst();
    }

    /** Refuses every key nobody asked about, suggesting the known key it most resembles. */
    void finishKeys() {
        for (ConfigEntry entry : section.entries()) {
            if (!knownKeys.contains(entry.key())) {
                throw new ConfigException(entry.location(), "unknown key '" + entry.key() + "' in "
                        + section.label() + hint(entry.key(), knownKeys, "keys"));
            }
        }
    }

    /** {@link #finishKeys()}, then refuses every subsection nobody asked about. */
    void finish() {
        finishKeys();
        for (ConfigSection child : section.children()) {
            if (!knownSections.contains(child.type())) {
                String allowed = knownSections.isEmpty() ? " (no sections are allowed inside it)"
                        : hint(child.type(), knownSections, "sections");
                throw new ConfigException(child.location(), "unexpected section " + child.label() + " in "
                        + section.label() + allowed);
            }
        }
    }

    /** " (did you mean 'x'?)", or " (known keys: a, b, c)", or "" when nothing is known. */
    static String hint(String word, Set<String> known, String what) {
        Optional<String> close = Spelling.closest(word, known);
        if (close.isPresent()) {
            return " (did you mean '" + close.get() + "'?)";
        }
        if (known.isEmpty()) {
            return "";
        }
        return " (known " + what + ": " + String.join(", ", known) + ")";
    }
}
