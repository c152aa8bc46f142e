package org.jzeo.server.storage.file;

import java.nio.file.Path;
import org.jzeo.api.StorageException;

/**
 * A writable FileStorage was asked for in a folder that does not exist, and creating folders was not allowed
 * ({@link FileStorageOptions#createMissingFolders()}). A mistyped path must not look like an empty database.
 */
public class MissingFolderException extends StorageException {
    // Kept as strings: Path is not serializable, exceptions are.
    private final String folder;
    private final String dataFile;

    public MissingFolderException(Path folder, Path dataFile) {
        super(dataFile + ": the folder " + folder + " does not exist");
        this.folder = folder.toString();
        this.dataFile = dataFile.toString();
    }

    /** The folder that is missing (the data file's parent). */
    public Path folder() {
        return Path.of(folder);
    }

    public Path dataFile() {
        return Path.of(dataFile);
    }
}
