package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a ZEO {@code zeo.conf} into a {@link ServerConfig}. Guarantees: either a complete, valid configuration
 * comes back, or a {@link ConfigException} naming the file and line; nothing in the file is silently skipped
 * (ignored options produce a {@link ConfigWarning}, logged at WARN by {@link #load(Path)}).
 *
 * <p>Top-level sections: {@code <zeo>} (at most one; absent means all defaults), storage sections
 * ({@code <filestorage>}, {@code <mappingstorage>}, {@code <relstorage>}; at least one), {@code <eventlog>} (at most one) and
 * {@code <runner>} (zdaemon's, accepted and ignored).
 */
public final class ServerConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConfigLoader.class);

    private final ZConfigParser parser;

    public ServerConfigLoader() {
        this(new ZConfigParser());
    }

    public ServerConfigLoader(ZConfigParser parser) {
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** Reads {@code file}, logging each warning. */
    public ServerConfig load(Path file) {
        return load(file, warning -> LOG.warn("{}", warning));
    }

    /** Reads {@code file}, handing each warning to {@code warnings}. */
    public ServerConfig load(Path file, Consumer<ConfigWarning> warnings) {
        return bind(parser.parse(file), warnings);
    }

    /** Binds an already parsed file. */
    public static ServerConfig bind(ConfigSection top, Consumer<ConfigWarning> warnings) {
        if (!top.entries().isEmpty()) {
            ConfigEntry stray = top.entries().get(0);
            throw new ConfigException(stray.location(), "key '" + stray.key() + "' is outside any section: keys"
                    + " belong inside a section such as <zeo> or <filestorage 1>");
        }
        SectionReader r = new SectionReader(top, warnings);
        Optional<ConfigSection> zeo = r.section("zeo");
        Optional<ConfigSection> eventlog = r.section("eventlog");
        r.section("runner").ifPresent(runner -> r.warn(runner.location(), runner.label()
                + " is accepted but ignored: it configures zdaemon; run jzeo under systemd, a container or another"
                + " supervisor instead"));
        List<ConfigSection> storageSections = new ArrayList<>();
        for (ConfigSection child : top.children()) {
            if (StorageSectionBinder.isStorageType(child.type())) {
                storageSections.add(child);
            } else if (!Set.of("zeo", "eventlog", "runner").contains(child.type())) {
                throw unknownSection(child);
            }
        }
        if (zeo.isEmpty()) {
            r.warn(top.location(), "no <zeo> section: listening on " + ZeoConfig.DEFAULT_ADDRESS
                    + " with default settings");
        }
        ZeoConfig zeoConfig = zeo.map(z -> ZeoSectionBinder.bind(z, warnings)).orElse(ZeoConfig.defaults());
        List<StorageConfig> storages = StorageSectionBinder.bind(storageSections, warnings);
        if (storages.isEmpty()) {
            throw new ConfigException(top.location(), "no storage is configured: add a storage section, e.g."
                    + " <filestorage 1> path var/Data.fs </filestorage>");
        }
        LogConfig log = eventlog.map(e -> EventLogSectionBinder.bind(e, warnings)).orElse(LogConfig.defaults());
        return new ServerConfig(zeoConfig, storages, log);
    }

    private static ConfigException unknownSection(ConfigSection child) {
        Set<String> known = new LinkedHashSet<>(List.of("zeo", "filestorage", "mappingstorage", "relstorage",
                "eventlog", "runner"));
        return new ConfigException(child.location(), "unknown section " + child.label()
                + SectionReader.hint(child.type(), known, "sections"));
    }
}
