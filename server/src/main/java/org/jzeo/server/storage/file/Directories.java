package org.jzeo.server.storage.file;

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
 * Folder operations whose effect must survive a power loss: a new directory entry is durable only once the
 * directory holding it has been fsynced, not when the call that made it returns.
 */
final class Directories {
    private static final Logger LOG = LoggerFactory.getLogger(Directories.class);

    private Directories() {
    }

    /**
     * Creates {@code dir} and any missing folders above it, then fsyncs the folder holding each new one, so none
     * of them can vanish after a crash together with the files later made inside.
     */
    static void createDurably(Path dir) throws IOException {
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
            force(created.getParent());
        }
        LOG.info("created the folder {}", dir.toAbsolutePath());
    }

    /** Fsyncs a directory, making its entries durable; a platform that cannot (Windows) is logged at debug. */
    static void force(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("fsync of directory {} not supported: {}", dir, e.toString());
        }
    }
}
