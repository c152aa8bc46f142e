package org.jzeo.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes a directory's entries durable. A created, renamed or linked file is only as durable as its directory
 * entry: after a power loss, a file forced to disk but whose name was never synced may be gone or have its old
 * content back.
 */
public final class DirectorySync {
    private DirectorySync() {
    }

    /** Syncs {@code dir}; a failure means the new entries may not survive a power loss, so it is thrown. */
    public static void sync(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
