package org.jzeo.server.xa;

import java.nio.file.Path;
import org.jzeo.api.StorageException;

/** The prepared log is damaged before its last record: the server must not start and guess what was prepared. */
public final class PreparedLogCorruptException extends StorageException {
    private final Path path;
    private final long offset;

    public PreparedLogCorruptException(Path path, long offset, String problem) {
        super(path + ": XA prepared log damaged at offset " + offset + ": " + problem
                + "; the server cannot know which XA branches are prepared. Restore the file from a backup, or"
                + " move it away if you accept losing the prepared branches it records (their transaction manager"
                + " will then see them as unknown)");
        this.path = path;
        this.offset = offset;
    }

    public Path path() {
        return path;
    }

    public long offset() {
        return offset;
    }
}
