package org.jzeo.server.storage.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.StorageException;

/**
 * Creates, checks and upgrades jzeo's tables. The schema is versioned: {@code jzeo_schema} holds the version a
 * database has, and {@link #MIGRATIONS} the SQL that brings a database from each version to the next (version 1
 * creates everything from an empty database). Opening never touches a database it does not understand: a newer
 * version, or a non-empty database without jzeo's tables, is refused.
 */
final class PostgresSchema {
    /** One step of the schema's history: the SQL resource that upgrades {@code version - 1} to {@code version}. */
    record Migration(int version, String resource) {
    }

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "schema-1.sql"),
            new Migration(2, "schema-2.sql"), new Migration(3, "schema-3.sql"));
    static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    /** Serializes schema work between servers that start at the same moment ('jzeo' + 1). */
    private static final long SCHEMA_LOCK = 0x6a7a656f_00000001L;

    private PostgresSchema() {
    }

    /** Makes sure the database has the latest schema, creating or upgrading it when {@code createSchema}. */
    static void ensure(Database db, boolean createSchema) {
        db.inTransaction("checking jzeo's schema", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
            }
            int version = currentVersion(c);
            if (version > LATEST) {
                throw new StorageException("PostgreSQL database " + db.url() + " has jzeo schema version " + version
                        + ", newer than this jzeo knows (up to version " + LATEST + "): upgrade jzeo");
            }
            if (version == LATEST) {
                return null;
            }
            if (version == 0) {
                List<String> tables = tables(c);
                if (!tables.isEmpty()) {
                    throw new StorageException("PostgreSQL database " + db.url() + " is not empty but has no jzeo"
                            + " schema (found tables " + tables + "); use an empty database");
                }
            }
            if (!createSchema) {
                throw new StorageException("PostgreSQL database " + db.url() + (version == 0
                        ? " has no jzeo schema" : " has jzeo schema version " + version + ", not " + LATEST)
                        + " and create-schema is off: turn it on to " + (version == 0 ? "create" : "upgrade")
                        + " the schema (version " + LATEST + ")");
            }
            for (Migration m : MIGRATIONS) {
                if (m.version() > version) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql(m.resource()));
                        s.executeUpdate("UPDATE jzeo_schema SET version = " + m.version());
                    }
                }
            }
            return null;
        });
    }

    /** The version recorded in the database; 0 when it has no jzeo schema. */
    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT to_regclass('jzeo_schema') IS NOT NULL")) {
            r.next();
            if (!r.getBoolean(1)) {
                return 0;
            }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT max(version) FROM jzeo_schema")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** The tables and sequences in the schema jzeo would use (the connection's current schema). */
    private static List<String> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'v', 'S')"
                     + " AND relnamespace = current_schema()::regnamespace ORDER BY relname LIMIT 5")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        }
        return names;
    }

    private static String sql(String resource) {
        try (InputStream in = PostgresSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
