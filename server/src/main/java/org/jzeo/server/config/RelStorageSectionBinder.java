package org.jzeo.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jzeo.server.storage.pg.PostgresDsn;

/**
 * RelStorage's {@code <relstorage NAME>} section, so that a ZODB operator's configuration reads as it did: the
 * database in a {@code <postgresql>} section with its {@code dsn}, and RelStorage's options where jzeo has the same
 * thing. Options that tune RelStorage's own Python-side caches and replicas are accepted with a warning (jzeo's
 * clients keep their own caches); options whose meaning jzeo cannot honour (history-free storage, blobs in the
 * database) are refused, never silently dropped.
 */
final class RelStorageSectionBinder {

    /** RelStorage's options jzeo accepts and ignores, with the reason given in the warning. */
    private static final Map<String, String> IGNORED = Map.ofEntries(
            Map.entry("name", "jzeo names the storage after the section"),
            Map.entry("replica-conf", "point the dsn at the primary and let PostgreSQL's own tools fail over"),
            Map.entry("ro-replica-conf", "reads go to the dsn's database"),
            Map.entry("replica-timeout", "jzeo does not switch replicas"),
            Map.entry("revert-when-stale", "jzeo does not read from replicas"),
            Map.entry("pack-prepack-only", "jzeo packs in one step"),
            Map.entry("pack-skip-prepack", "jzeo packs in one step"),
            Map.entry("pack-batch-timeout", "jzeo packs in one step"),
            Map.entry("pack-commit-busy-delay", "jzeo packs in one step"),
            Map.entry("pack-dry-run", "jzeo packs in one step"),
            Map.entry("commit-lock-id", "jzeo's commit lock is a row of its own schema"),
            Map.entry("strict-tpc", "jzeo always follows ZODB's two-phase commit strictly"),
            Map.entry("shared-blob-dir", "jzeo keeps no blobs in PostgreSQL"),
            Map.entry("blob-cache-size", "jzeo keeps no blobs in PostgreSQL"),
            Map.entry("blob-cache-size-check", "jzeo keeps no blobs in PostgreSQL"),
            Map.entry("blob-chunk-size", "jzeo keeps no blobs in PostgreSQL"));

    /** RelStorage's database sections jzeo does not speak to. */
    private static final List<String> OTHER_DATABASES = List.of("mysql", "oracle", "sqlite3");

    private RelStorageSectionBinder() {
    }

    static PostgresStorageConfig bind(ConfigSection section, String name, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        boolean readOnly = r.get("read-only", Datatypes::bool, false);
        boolean keepHistory = r.get("keep-history", Datatypes::bool, true);
        if (!keepHistory) {
            throw new ConfigException(r.entry("keep-history").orElseThrow().location(), "keep-history false in "
                    + section.label() + " is not supported: jzeo keeps history in PostgreSQL (undo, MVCC"
                    + " loadBefore); remove the line or pack to drop old revisions");
        }
        boolean createSchema = r.get("create-schema", Datatypes::bool, true);
        boolean packGc = r.get("pack-gc", Datatypes::bool, true);
        Duration pollInterval = r.get("poll-interval", Datatypes::timeInterval,
                PostgresStorageConfig.DEFAULT_POLL_INTERVAL);
        if (pollInterval.isZero()) {
            // RelStorage's 0 means "poll at every transaction start"; jzeo is told of commits, so poll seldom.
            pollInterval = PostgresStorageConfig.DEFAULT_POLL_INTERVAL;
        }
        Optional<Duration> lockWait = r.optional("commit-lock-timeout", Datatypes::timeInterval);
        long poolSize = r.get("pool-size", Datatypes::integer, (long) PostgresStorageConfig.DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > 1000) {
            throw new ConfigException(r.entry("pool-size").orElseThrow().location(), "pool-size in "
                    + section.label() + " must be between 1 and 1000, not " + poolSize);
        }
        r.entry("blob-dir").filter(e -> !e.value().isBlank()).ifPresent(e -> {
            throw new ConfigException(e.location(), "blob-dir in " + section.label() + " is not supported: jzeo"
                    + " keeps blobs only beside a <filestorage> for now");
        });
        IGNORED.forEach(r::ignore);
        for (ConfigEntry e : section.entries()) {
            if (e.key().startsWith("cache-")) {
                r.ignore(e.key(), "it tunes RelStorage's own object cache; jzeo's clients keep their own caches");
            }
        }
        for (String other : OTHER_DATABASES) {
            for (ConfigSection db : r.sections(other)) {
                throw new ConfigException(db.location(), db.label() + " in " + section.label() + " is not"
                        + " supported: jzeo keeps storages in PostgreSQL only (<postgresql>)");
            }
        }
        ConfigSection database = r.section("postgresql").orElseThrow(() -> new ConfigException(
                section.location(), section.label() + " needs a <postgresql> section with the database's dsn,"
                + " e.g. <postgresql> dsn host=db1 dbname=zodb user=zodb </postgresql>"));
        r.finish();
        SectionReader db = new SectionReader(database, warnings);
        PostgresDsn dsn = db.required("dsn", PostgresDsn::parse);
        db.ignore("driver", "jzeo always uses PostgreSQL's JDBC driver");
        db.finish();
        return new PostgresStorageConfig(name, dsn, readOnly, createSchema, packGc, (int) poolSize, lockWait,
                pollInterval);
    }
}
