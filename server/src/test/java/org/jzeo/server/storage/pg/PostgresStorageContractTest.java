package org.jzeo.server.storage.pg;

import java.nio.file.Path;
import java.util.Properties;
import org.jzeo.server.storage.StorageContractTest;
import org.jzeo.storage.Storage;

/**
 * PostgresStorage against the whole storage contract, each test on a fresh database of the shared test cluster.
 * Every {@code reopen()} closes the storage and opens it again on the same database, so it also proves that what
 * was committed is in the database and that opening an existing schema finds it.
 */
class PostgresStorageContractTest extends StorageContractTest {
    private String database;

    /** A new database for each test (JUnit makes a new instance of this class for each). */
    @Override
    protected Storage createStorage(Path dir) {
        database = PostgresTestServer.shared().createDatabase();
        return open();
    }

    @Override
    protected Storage reopen(Storage old, Path dir) {
        old.close();
        return open();
    }

    private Storage open() {
        return PostgresStorage.open(options(database), referenceFinder());
    }

    PostgresOptions options(String db) {
        Properties props = new Properties();
        props.setProperty("user", PostgresTestServer.USER);
        return PostgresOptions.of(PostgresTestServer.shared().jdbcUrl(db), props).withLockWait(lockWait())
                .withPoolSize(4);
    }
}
