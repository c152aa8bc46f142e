package org.jzeo.server.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jzeo.server.cli.Cli;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pg.PostgresOptions;
import org.jzeo.server.storage.pg.PostgresStorage;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.jzeo.storage.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zodbconvert's main use: a Data.fs into PostgreSQL and back, every transaction, record and revision intact. */
class PostgresCopyTest {
    @TempDir
    Path tmp;

    private final PostgresTestServer pg = PostgresTestServer.shared();
    private final List<Storage> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(Storage::close);
    }

    private FileStorage file(String name) {
        FileStorage s = FileStorage.open(tmp.resolve(name + ".fs"),
                FileStorageOptions.defaults().withFsync(false).withName(name), ReferenceFinder.unavailable());
        opened.add(s);
        return s;
    }

    private PostgresStorage postgres(String database) {
        Properties props = new Properties();
        props.setProperty("user", PostgresTestServer.USER);
        PostgresStorage s = PostgresStorage.open(PostgresOptions.of(pg.jdbcUrl(database), props)
                .withLockWait(Duration.ofSeconds(5)), ReferenceFinder.unavailable());
        opened.add(s);
        return s;
    }

    @Test
    void aDataFsCopiedIntoPostgresqlAndBackKeepsItsWholeHistory() {
        FileStorage source = file("source");
        new SampleHistory(source).write();
        PostgresStorage database = postgres(pg.createDatabase());
        FileStorage back = file("back");

        new StorageCopier(source, CopyListener.none()).copy(null, database);
        new StorageCopier(database, CopyListener.none()).copy(null, back);

        StorageAssertions.assertSameHistory(source, database);
        StorageAssertions.assertSameHistory(source, back);
        assertThat(database.newOids(1).get(0)).isGreaterThan(StorageAssertions.highestOid(source));
    }

    @Test
    void aDataFsWrittenByPythonCopiedIntoPostgresqlReadsTheSame() throws Exception {
        Path vector = Path.of(getClass().getResource("/vectors/filestorage/Data.fs").toURI());
        Files.copy(vector, tmp.resolve("python.fs"));
        FileStorage source = file("python");
        PostgresStorage database = postgres(pg.createDatabase());

        CopyProgress done = new StorageCopier(source, CopyListener.none()).copy(null, database);

        assertThat(done.transactions()).isPositive();
        StorageAssertions.assertSameHistory(source, database);
    }

    @Test
    void jzeoCopyReadsARelStorageDestinationAndReportsItsThroughput() throws Exception {
        FileStorage source = file("cli-source");
        new SampleHistory(source).write();
        source.close();
        opened.remove(source);
        String database = pg.createDatabase();
        Path conf = tmp.resolve("copy.conf");
        Files.writeString(conf, String.join("\n",
                "%import relstorage",
                "<filestorage source>", "  path " + tmp.resolve("cli-source.fs"), "</filestorage>",
                "<relstorage destination>", "  <postgresql>", "    dsn " + pg.dsn(database), "  </postgresql>",
                "</relstorage>", ""));

        Cli.Result r = Cli.run("copy", conf.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).matches("(?s)jzeo copy: copied \\d+ transactions, \\d+ records, .* MB in .* s \\(.* MB/s\\)\\R?");
        FileStorage reopened = file("cli-source");
        StorageAssertions.assertSameHistory(reopened, postgres(database));

        Cli.Result again = Cli.run("copy", conf.toString());
        assertThat(again.exitCode()).as("a non-empty destination is refused").isEqualTo(1);
        Cli.Result incremental = Cli.run("copy", "--incremental", conf.toString());
        assertThat(incremental.exitCode()).as(incremental.err()).isZero();
        assertThat(incremental.out()).contains("copied 0 transactions");
    }
}
