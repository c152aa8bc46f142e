package org.jzeo.server.storage.blob;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * Removes the blob files of the revisions a pack removed, once the packed Data.fs is swapped in and durable: a
 * crash meanwhile only leaves garbage, never takes a file a kept revision needs. With {@code keepOld} (ZODB's
 * {@code pack-keep-old}) it builds ZODB's {@code <blob-dir>.old} instead: the removed files moved there, every
 * other committed file hard-linked there, so {@code .old} matches {@code Data.fs.old}.
 *
 * <p>Only files of revisions at or before the pack time are touched; every commit during or after the pack has a
 * later tid, so a commit racing the removal never loses its file. Empty folders are removed by {@link
 * #removeEmptyFolders}, which must run while no commit can create a file in them.
 */
public final class PackedBlobRemoval {
    private final BlobDirectory directory;
    private final boolean keepOld;
    private final Path old;
    private int removed;

    public PackedBlobRemoval(BlobDirectory directory, boolean keepOld) {
        this.directory = directory;
        this.keepOld = keepOld;
        Path root = directory.root();
        this.old = root.resolveSibling(root.getFileName() + ".old");
    }

    /** Where {@code keepOld} puts the old files: {@code <blob-dir>.old}. */
    public Path oldDirectory() {
        return old;
    }

    /** Drops the previous pack's {@code .old} (as ZODB does at each pack) and starts a new one when keeping. */
    public void start() throws IOException {
        BlobDirectory.removeAll(old);
        if (keepOld) {
            Files.createDirectories(old);
            Files.copy(directory.root().resolve(BlobDirectory.MARKER), old.resolve(BlobDirectory.MARKER));
        }
    }

    /** Moves or deletes the file of revision {@code tid} of {@code oid}, if it has one. */
    public void removeRevision(Oid oid, Tid tid) throws IOException {
        remove(directory.file(oid, tid));
    }

    /** Moves or deletes every blob file of {@code oid} whose revision is at or before {@code packTime}. */
    public void removeRevisionsUpTo(Oid oid, Tid packTime) throws IOException {
        Path folder = directory.oidFolder(oid);
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(folder)) {
            files = entries.filter(p -> {
                Tid tid = tidOf(p.getFileName().toString());
                return tid != null && !tid.isAfter(packTime);
            }).toList();
        }
        for (Path file : files) {
            remove(file);
        }
    }

    /** The tid a committed file's name gives, or null when the name is not {@code <tid_repr>.blob}. */
    static Tid tidOf(String name) {
        if (!name.startsWith("0x") || !name.endsWith(BlobLayout.SUFFIX)) {
            return null;
        }
        String hex = name.substring(2, name.length() - BlobLayout.SUFFIX.length());
        if (hex.isEmpty() || hex.length() > 16) {
            return null;
        }
        try {
            return Tid.of(Long.parseUnsignedLong(hex, 16));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void remove(Path file) throws IOException {
        try {
            if (keepOld) {
                Path target = old.resolve(directory.root().relativize(file));
                Files.createDirectories(target.getParent());
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.delete(file);
            }
            removed++;
        } catch (NoSuchFileException gone) {
            // Not a blob revision, or removed already.
        }
    }

    /**
     * Removes {@code oid}'s folder if it is empty, and the bushy folders above it left empty. Run it with commits
     * stopped: a commit that found the folder would otherwise fail to link into it.
     */
    public void removeEmptyFolders(Oid oid) throws IOException {
        Path root = directory.root();
        for (Path folder = directory.oidFolder(oid); !folder.equals(root); folder = folder.getParent()) {
            try {
                Files.delete(folder);
            } catch (DirectoryNotEmptyException | NoSuchFileException inUse) {
                return;
            }
        }
    }

    /** With {@code keepOld}, links every committed file still in the blob directory into {@code .old}. */
    public void keepOldCopies() throws IOException {
        if (!keepOld) {
            return;
        }
        Path root = directory.root();
        Path temporary = directory.temporaryDirectory();
        List<Path> files;
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(p -> !p.startsWith(temporary) && p.getFileName().toString().endsWith(BlobLayout.SUFFIX)
                    && Files.isRegularFile(p)).toList();
        }
        for (Path file : files) {
            Path target = old.resolve(root.relativize(file));
            if (Files.exists(target)) {
                continue;
            }
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, file);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(file, target);
            }
        }
    }

    /** How many files were moved or deleted. */
    public int removedCount() {
        return removed;
    }
}
