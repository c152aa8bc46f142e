package org.jzeo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RelStorage's {@code <relstorage>} section, as a ZODB operator writes it for PostgreSQL. */
class RelStorageSectionTest {
    private static final Path FILE = Path.of("zeo.conf");

    private final List<ConfigWarning> warnings = new ArrayList<>();

    private ServerConfig load(String... lines) {
        ConfigSection top = new ZConfigParser(name -> null).parse(String.join("\n", lines) + "\n", FILE);
        return ServerConfigLoader.bind(top, warnings::add);
    }

    @Test
    void aRelStorageConfigurationAsRelStorageDocumentsItBindsToAPostgresStorage() {
        ServerConfig config = load("%import relstorage",
                "<zeo>", "address 127.0.0.1:8100", "</zeo>",
                "<relstorage 1>",
                "  create-schema false",
                "  poll-interval 5",
                "  commit-lock-timeout 20",
                "  pack-gc false",
                "  pool-size 4",
                "  <postgresql>",
                "    dsn host=db1 port=6543 dbname=zodb user=zope password='s3 cr\\'et'",
                "  </postgresql>",
                "</relstorage>");

        PostgresStorageConfig pg = (PostgresStorageConfig) config.storages().get(0);
        assertThat(pg.name()).isEqualTo("1");
        assertThat(pg.dsn().jdbcUrl()).isEqualTo("jdbc:postgresql://db1:6543/zodb");
        assertThat(pg.dsn().properties()).containsEntry("user", "zope").containsEntry("password", "s3 cr'et");
        assertThat(pg.createSchema()).isFalse();
        assertThat(pg.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(pg.lockWait()).contains(Duration.ofSeconds(20));
        assertThat(pg.packGc()).isFalse();
        assertThat(pg.poolSize()).isEqualTo(4);
        assertThat(pg.readOnly()).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void theDefaultsAreRelStoragesWhereJzeoHasTheSameOption() {
        PostgresStorageConfig pg = (PostgresStorageConfig) load("<relstorage>",
                "<postgresql>", "dsn dbname=zodb", "</postgresql>", "</relstorage>").storages().get(0);

        assertThat(pg.createSchema()).isTrue();
        assertThat(pg.packGc()).isTrue();
        assertThat(pg.lockWait()).isEqualTo(Optional.empty());
        assertThat(pg.poolSize()).isEqualTo(PostgresStorageConfig.DEFAULT_POOL_SIZE);
        assertThat(pg.pollInterval()).isEqualTo(PostgresStorageConfig.DEFAULT_POLL_INTERVAL);
        assertThat(pg.dsn().jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/zodb");
    }

    @Test
    void relStoragesCacheAndReplicaOptionsAreAcceptedWithAWarningEach() {
        load("<zeo>", "address 127.0.0.1:8100", "</zeo>", "<relstorage>", "cache-local-mb 100", "cache-servers 127.0.0.1:11211",
                "replica-conf /etc/replicas",
                "<postgresql>", "dsn dbname=zodb", "driver psycopg2", "</postgresql>", "</relstorage>");

        assertThat(warnings).hasSize(4);
        assertThat(warnings.stream().map(ConfigWarning::toString))
                .anyMatch(w -> w.contains("'cache-local-mb'") && w.contains("ignored"))
                .anyMatch(w -> w.contains("'driver'") && w.contains("JDBC"));
    }

    @Test
    void whatJzeoCannotHonourIsRefusedNamingTheLine() {
        assertThatThrownBy(() -> load("<relstorage>", "keep-history false", "<postgresql>", "dsn dbname=z",
                "</postgresql>", "</relstorage>"))
                .hasMessageStartingWith("zeo.conf:2: keep-history false in <relstorage> is not supported");
        assertThatThrownBy(() -> load("<relstorage>", "blob-dir /var/blobs", "<postgresql>", "dsn dbname=z",
                "</postgresql>", "</relstorage>"))
                .hasMessageStartingWith("zeo.conf:2: blob-dir in <relstorage> is not supported");
        assertThatThrownBy(() -> load("<relstorage>", "<mysql>", "db zodb", "</mysql>", "</relstorage>"))
                .hasMessageStartingWith("zeo.conf:2: <mysql> in <relstorage> is not supported");
        assertThatThrownBy(() -> load("<relstorage>", "</relstorage>"))
                .hasMessageStartingWith("zeo.conf:1: <relstorage> needs a <postgresql> section");
        assertThatThrownBy(() -> load("<relstorage>", "<postgresql>", "dsn dbname=z frobnicate=1",
                "</postgresql>", "</relstorage>"))
                .hasMessageContaining("zeo.conf:3: bad value for 'dsn'")
                .hasMessageContaining("'frobnicate' is not a libpq connection setting");
        assertThatThrownBy(() -> load("<relstorage>", "pool-size 0", "<postgresql>", "dsn dbname=z",
                "</postgresql>", "</relstorage>"))
                .hasMessageStartingWith("zeo.conf:2: pool-size in <relstorage> must be between 1 and 1000");
        assertThatThrownBy(() -> load("<relstorage>", "pol-interval 3", "<postgresql>", "dsn dbname=z",
                "</postgresql>", "</relstorage>"))
                .hasMessageContaining("did you mean 'poll-interval'");
    }

    @Test
    void otherImportsAreStillRefused() {
        assertThatThrownBy(() -> load("%import zc.zlibstorage", "<mappingstorage/>"))
                .hasMessageStartingWith("zeo.conf:1: %import zc.zlibstorage is not supported");
    }
}
