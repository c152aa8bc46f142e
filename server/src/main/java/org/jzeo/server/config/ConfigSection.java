package org.jzeo.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One section of a parsed ZConfig file ({@code <filestorage 1>} … {@code </filestorage>}), or the file's top level:
 * its keys in file order, each with the line it came from, and its child sections in file order. The parser is the
 * only writer; everyone else sees a tree that does not change.
 *
 * <p>Types, names and keys are lower-cased, as ZConfig does: {@code <FileStorage Main>} is type {@code filestorage},
 * name {@code main}.
 */
public final class ConfigSection {
    private final String type;
    private final String name;
    private final SourceLocation location;
    private final List<ConfigEntry> entries = new ArrayList<>();
    private final List<ConfigSection> children = new ArrayList<>();

    ConfigSection(String type, String name, SourceLocation location) {
        this.type = Objects.requireNonNull(type, "type");
        this.name = name;
        this.location = Objects.requireNonNull(location, "location");
    }

    static ConfigSection topLevel(String file) {
        return new ConfigSection("", null, SourceLocation.wholeFile(file));
    }

    /** The section type ({@code zeo}, {@code filestorage}, ...); empty for the top level. */
    public String type() {
        return type;
    }

    /** The name after the type ({@code 1} in {@code <filestorage 1>}), if one was written. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The line that opens the section; for the top level, the file itself. */
    public SourceLocation location() {
        return location;
    }

    public boolean isTopLevel() {
        return type.isEmpty();
    }

    /** Every key line, in file order. */
    public List<ConfigEntry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** The lines that set {@code key} (lower case), in file order; empty if none. */
    public List<ConfigEntry> entries(String key) {
        List<ConfigEntry> found = new ArrayList<>();
        for (ConfigEntry entry : entries) {
            if (entry.key().equals(key)) {
                found.add(entry);
            }
        }
        return found;
    }

    /** The values given for {@code key} (lower case), in file order; empty if none. */
    public List<String> values(String key) {
        List<String> found = new ArrayList<>();
        for (ConfigEntry entry : entries(key)) {
            found.add(entry.value());
        }
        return found;
    }

    /** The sections nested directly inside this one, in file order. */
    public List<ConfigSection> children() {
        return Collections.unmodifiableList(children);
    }

    /** How messages name the section: {@code <filestorage 1>}, {@code <zeo>}, or "the top level". */
    public String label() {
        if (isTopLevel()) {
            return "the top level";
        }
        return name == null ? "<" + type + ">" : "<" + type + " " + name + ">";
    }

    void add(ConfigEntry entry) {
        entries.add(entry);
    }

    void add(ConfigSection child) {
        children.add(child);
    }

    @Override
    public String toString() {
        return label() + " at " + location;
    }
}
