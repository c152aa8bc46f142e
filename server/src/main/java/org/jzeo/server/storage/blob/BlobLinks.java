package org.jzeo.server.storage.blob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed blob files one transaction's finish creates: {@code <oid folder>/<tid>.blob} for each blob
 * revision, made once the tid is known and before the transaction is made durable in Data.fs.
 *
 * <p>Each file is a hard link to the given file (the caller's upload, or for undo the restored revision's
 * committed file), so no byte moves and the caller keeps its file: XA recovery can replay a prepared branch with
 * the same uploads after a crash. Where linking is not possible (another file system, no hard links) the content
 * is copied under a temporary name, forced, and renamed into place, so a file is never visible half-written
 * under its final name.
 *
 * <p>Nothing here is durable by itself: {@link #foldersToSync()} names the folders whose entries changed, and the
 * storage syncs them before the Data.fs transaction becomes durable. A power loss in between leaves an orphan
 * {@code .blob} file for a tid that never committed: harmless, since no record refers to it, and replaced if a
 * later commit gets the same tid. {@link #removeAll()} undoes the links of a finish that failed before its
 * transaction was written.
 */
public final class BlobLinks {
    private static final Logger LOG = LoggerFactory.getLogger(BlobLinks.class);
    private static final int COPY_BUFFER = 64 * 1024;

    private final BlobDirectory directory;
    private final List<Path> created = new ArrayList<>();
    private final Set<Path> foldersToSync = new LinkedHashSet<>();

    BlobLinks(BlobDirectory directory) {
        this.directory = directory;
    }

    /** Makes {@code content} the committed file of revision {@code tid} of {@code oid}. */
    public void add(Oid oid, Tid tid, Path content) throws IOException {
        Path folder = directory.oidFolder(oid);
        createFolders(folder);
        Path target = folder.resolve(BlobLayout.fileName(tid));
        // Tids only grow, so a file already there belongs to no committed revision: it is the orphan of a finish
        // that a crash stopped before its Data.fs transaction was durable.
        Files.deleteIfExists(target);
        try {
            Files.createLink(target, content);
        } catch (UnsupportedOperationException | java.nio.file.ProviderMismatchException | IOException linkFailed) {
            if (linkFailed instanceof FileAlreadyExistsException) {
                throw (FileAlreadyExistsException) linkFailed;
            }
            LOG.debug("cannot link {} to {} ({}); copying it", content, target, linkFailed.toString());
            copy(content, target, linkFailed);
        }
        created.add(target);
        foldersToSync.add(folder);
    }

    /** Creates the missing folders down to {@code folder}; the folder holding each new one must be synced. */
    private void createFolders(Path folder) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = folder; !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException raced) {
                // A ZEO client sharing the blob directory made it meanwhile.
            }
            foldersToSync.add(p.getParent());
        }
    }

    private void copy(Path content, Path target, Exception linkFailed) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            try (FileChannel in = FileChannel.open(content, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE,
                         StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
                long position = 0;
                while (in.read(buffer.clear(), position) > 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        position += out.write(buffer, position);
                    }
                }
                if (directory.fsync()) {
                    out.force(true);
                }
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            e.addSuppressed(linkFailed);
            deleteQuietly(partial);
            throw e;
        }
    }

    /** The folders whose entries this finish changed, to sync before the transaction becomes durable. */
    public Set<Path> foldersToSync() {
        return foldersToSync;
    }

    /** The committed files made so far. */
    public List<Path> created() {
        return List.copyOf(created);
    }

    /** Removes every file made (best effort): the finish failed before its transaction was written. */
    public void removeAll() {
        for (Path p : created) {
            deleteQuietly(p);
        }
        created.clear();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove {} after a failed commit; it is an orphan no record refers to", p, e);
        }
    }
}
