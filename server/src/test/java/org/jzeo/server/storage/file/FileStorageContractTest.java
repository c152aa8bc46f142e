package org.jzeo.server.storage.file;

import java.nio.file.Path;
import org.jzeo.server.storage.StorageContractTest;
import org.jzeo.storage.Storage;

/**
 * FileStorage against the whole storage contract. Every {@code reopen()} in the contract closes the file and
 * opens it again, so each reopen also proves that what was committed is on disk and that the index snapshot or
 * the scan finds it.
 */
class FileStorageContractTest extends StorageContractTest {

    @Override
    protected Storage createStorage(Path dir) {
        return FileStorage.open(dir.resolve("Data.fs"), VectorFiles.testOptions().withLockWait(lockWait()),
                referenceFinder());
    }

    @Override
    protected Storage reopen(Storage old, Path dir) {
        old.close();
        return createStorage(dir);
    }
}
