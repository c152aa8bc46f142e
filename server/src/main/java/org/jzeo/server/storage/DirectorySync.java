package org.jzeo.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a directory's entries durable. A created, renamed or linked file is only as durable as its directory
 * entry: after a power loss, a file forced to disk but whose name was never synced may be gone or have its old
 * content back.
 */
public final class DirectorySync {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySync.class);

    private DirectorySync() {
    }

    /**
     * Creates {@code dir} and any missing folders above it, then syncs the folder holding each new one, so none of
     * them can vanish after a power loss together with the files later made inside.
     */
    public static void createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        if (missing.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        // Outermost first: each sync makes the entry of the next folder down durable.
        for (Path created : missing) {
            sync(created.getParent());
        }
        LOG.info("created the folder {}", dir.toAbsolutePath());
    }

    /** Syncs {@code dir}; a failure means the new entries may not survive a power loss, so it is thrown. */
    public static void sync(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
