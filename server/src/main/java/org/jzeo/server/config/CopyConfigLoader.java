package org.jzeo.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads the configuration file of {@code jzeo copy} (zodbconvert's): exactly two storage sections, named
 * {@code source} and {@code destination}, in the same syntax as {@code zeo.conf} ({@code %define}, {@code %include},
 * {@code <filestorage>}, {@code <blobstorage>}, {@code <mappingstorage>}). The sections are bound by the server's
 * own binder, so a section means the same thing here as in {@code zeo.conf}. Every problem is a
 * {@link ConfigException} naming the file and line.
 */
public final class CopyConfigLoader {
    public static final String SOURCE = "source";
    public static final String DESTINATION = "destination";

    private final ZConfigParser parser;

    public CopyConfigLoader() {
        this(new ZConfigParser());
    }

    public CopyConfigLoader(ZConfigParser parser) {
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** Reads {@code file}, handing each warning (an ignored key) to {@code warnings}. */
    public CopyConfig load(Path file, Consumer<ConfigWarning> warnings) {
        return bind(parser.parse(file), warnings);
    }

    /** Binds an already parsed file. */
    public static CopyConfig bind(ConfigSection top, Consumer<ConfigWarning> warnings) {
        if (!top.entries().isEmpty()) {
            ConfigEntry stray = top.entries().get(0);
            throw new ConfigException(stray.location(), "key '" + stray.key() + "' is outside any section: keys"
                    + " belong inside <... source> or <... destination>");
        }
        List<ConfigSection> storageSections = new ArrayList<>();
        for (ConfigSection child : top.children()) {
            if (!StorageSectionBinder.isStorageType(child.type())) {
                throw new ConfigException(child.location(), "unknown section " + child.label() + ": jzeo copy"
                        + " reads two storage sections, e.g. <filestorage source> and <filestorage destination>");
            }
            storageSections.add(child);
        }
        List<StorageConfig> storages = StorageSectionBinder.bind(storageSections, warnings);
        StorageConfig source = null;
        StorageConfig destination = null;
        for (int i = 0; i < storages.size(); i++) {
            StorageConfig storage = storages.get(i);
            ConfigSection section = storageSections.get(i);
            switch (storage.name()) {
                case SOURCE -> source = storage;
                case DESTINATION -> destination = storage;
                default -> throw new ConfigException(section.location(), "storage section " + section.label()
                        + (section.name().isEmpty() ? " has no name" : " has an unknown name")
                        + ": jzeo copy needs one section named 'source' and one named 'destination'");
            }
        }
        if (source == null || destination == null) {
            throw new ConfigException(top.location(), "no storage section named '"
                    + (source == null ? SOURCE : DESTINATION) + "': jzeo copy needs one section named 'source'"
                    + " and one named 'destination', e.g. <filestorage " + (source == null ? SOURCE : DESTINATION)
                    + "> path ... </filestorage>");
        }
        SourceLocation where = storageSections.get(storages.indexOf(source)).location();
        if (source instanceof FileStorageConfig f && f.create()) {
            // StorageOpener honours create by deleting the file: that would erase what is to be copied.
            throw new ConfigException(where, "the source sets 'create true', which would erase it before the"
                    + " copy; remove that line");
        }
        SourceLocation destinationWhere = storageSections.get(storages.indexOf(destination)).location();
        if (destination instanceof FileStorageConfig f && f.readOnly()) {
            throw new ConfigException(destinationWhere, "the destination is read-only; remove 'read-only true'");
        }
        checkDistinct(source, destination, destinationWhere);
        return new CopyConfig(source, destination);
    }

    /** Copying a storage into itself would destroy it (with --clear) or fail half-way; refuse it up front. */
    private static void checkDistinct(StorageConfig source, StorageConfig destination, SourceLocation where) {
        if (!(source instanceof FileStorageConfig s) || !(destination instanceof FileStorageConfig d)) {
            return; // every <mappingstorage> is a storage of its own
        }
        if (samePath(s.path(), d.path())) {
            throw new ConfigException(where, "the destination is the source's file " + s.path()
                    + ": source and destination must be different storages");
        }
        if (s.blobDir() != null && d.blobDir() != null && samePath(s.blobDir(), d.blobDir())) {
            throw new ConfigException(where, "the destination's blob-dir is the source's (" + s.blobDir()
                    + "): source and destination must keep their blobs apart");
        }
    }

    private static boolean samePath(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            // Links or different spellings of one file.
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
