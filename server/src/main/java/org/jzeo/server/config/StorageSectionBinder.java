package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the storage sections of a {@code zeo.conf} into {@link StorageConfig}s and names them as ZEO's runzeo does:
 * the section name, or {@code "1"} for the one section allowed to have none. Guarantees: every name is unique;
 * ZODB storage types jzeo cannot serve are refused by name with the reason, never skipped.
 */
final class StorageSectionBinder {
    /** Storage section types jzeo serves. */
    static final Set<String> SUPPORTED = Set.of("filestorage", "mappingstorage", "blobstorage", "relstorage");

    /** Storage section types from ZODB and common add-ons that jzeo refuses, with the reason. */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "demostorage", "DemoStorage is not supported by jzeo; use <mappingstorage> for a throw-away storage",
            "zeoclient", "jzeo cannot serve another ZEO server's storage (no ZEO-to-ZEO chaining)",
            "fullstorage", "BerkeleyDB storages are not supported by jzeo",
            "minimalstorage", "BerkeleyDB storages are not supported by jzeo",
            "zlibstorage", "zc.zlibstorage wraps records in Python code; it is not supported by jzeo",
            "beforestorage", "zc.beforestorage is not supported by jzeo");

    private StorageSectionBinder() {
    }

    /** True if {@code type} is a storage section type, supported or not. */
    static boolean isStorageType(String type) {
        return SUPPORTED.contains(type) || UNSUPPORTED.containsKey(type);
    }

    /** Binds every storage section, in file order. */
    static List<StorageConfig> bind(List<ConfigSection> sections, Consumer<ConfigWarning> warnings) {
        ConfigSection unnamed = null;
        Map<String, ConfigSection> byName = new HashMap<>();
        List<StorageConfig> storages = new ArrayList<>();
        for (ConfigSection section : sections) {
            String why = UNSUPPORTED.get(section.type());
            if (why != null) {
                throw new ConfigException(section.location(), "storage type " + section.label() + ": " + why);
            }
            if (section.name().isEmpty()) {
                if (unnamed != null) {
                    throw new ConfigException(section.location(), "only one storage section may be unnamed ("
                            + unnamed.label() + " at " + unnamed.location() + " is too); name them, e.g. <"
                            + section.type() + " 2>");
                }
                unnamed = section;
            }
            String name = section.name().orElse(ServerConfig.DEFAULT_STORAGE_NAME);
            ConfigSection previous = byName.putIfAbsent(name, section);
            if (previous != null) {
                throw new ConfigException(section.location(), "duplicate storage name '" + name + "': "
                        + section.label() + " here and " + previous.label() + " at " + previous.location()
                        + (section.name().isEmpty() || previous.name().isEmpty()
                                ? " (a storage section without a name is named '1')" : ""));
            }
            storages.add(bindOne(section, name, warnings));
        }
        return storages;
    }

    private static StorageConfig bindOne(ConfigSection section, String name, Consumer<ConfigWarning> warnings) {
        return switch (section.type()) {
            case "filestorage" -> fileStorage(section, name, warnings);
            case "blobstorage" -> blobStorage(section, name, warnings);
            case "relstorage" -> RelStorageSectionBinder.bind(section, name, warnings);
            default -> mappingStorage(section, name, warnings);
        };
    }

    /**
     * ZODB's {@code <blobstorage>}: {@code blob-dir} around one storage section, as ZEO's own tests write it. Served
     * as that FileStorage with the blob directory, under the outer section's name.
     */
    private static FileStorageConfig blobStorage(ConfigSection section, String name,
                                                 Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        Path blobDir = r.required("blob-dir", Datatypes::path);
        List<ConfigSection> inner = new ArrayList<>();
        for (String type : List.of("filestorage", "mappingstorage")) {
            inner.addAll(r.sections(type));
        }
        for (ConfigSection child : section.children()) {
            String why = UNSUPPORTED.get(child.type());
            if (why != null) {
                throw new ConfigException(child.location(), "storage type " + child.label() + ": " + why);
            }
        }
        r.finish();
        if (inner.size() != 1) {
            throw new ConfigException(section.location(), section.label() + " needs exactly one storage section"
                    + " inside it (a <filestorage>), found " + inner.size());
        }
        ConfigSection base = inner.get(0);
        if (!base.type().equals("filestorage")) {
            throw new ConfigException(base.location(), base.label() + " in " + section.label() + ": jzeo keeps"
                    + " blobs only beside a <filestorage>");
        }
        FileStorageConfig file = fileStorage(base, name, warnings);
        if (file.blobDir() != null) {
            throw new ConfigException(base.location(), base.label() + " has a blob-dir of its own inside "
                    + section.label() + ", which gives one; keep one of them");
        }
        return file.withBlobDir(blobDir);
    }

    private static FileStorageConfig fileStorage(ConfigSection section, String name,
                                                 Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        Path path = r.required("path", Datatypes::path);
        boolean readOnly = r.get("read-only", Datatypes::bool, false);
        boolean create = r.get("create", Datatypes::bool, false);
        OptionalLong quota = r.optional("quota", Datatypes::byteSize)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        boolean packGc = r.get("pack-gc", Datatypes::bool, true);
        boolean packKeepOld = r.get("pack-keep-old", Datatypes::bool, true);
        long recordCache = r.get("record-cache-size", Datatypes::byteSize,
                FileStorageConfig.DEFAULT_RECORD_CACHE_SIZE);
        // As in ZODB, an empty blob-dir means none.
        Path blobDir = r.entry("blob-dir").filter(e -> !e.value().isBlank())
                .map(e -> r.convert(e, Datatypes::path)).orElse(null);
        r.ignore("packer", "it names a Python pack implementation; jzeo packs with its own");
        r.finish();
        return new FileStorageConfig(name, path, readOnly, create, quota, packGc, packKeepOld, create,
                recordCache, blobDir);
    }

    private static MappingStorageConfig mappingStorage(ConfigSection section, String name,
                                                       Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        String label = r.get("name", Datatypes::text, MappingStorageConfig.DEFAULT_LABEL);
        r.finish();
        return new MappingStorageConfig(name, label);
    }
}
