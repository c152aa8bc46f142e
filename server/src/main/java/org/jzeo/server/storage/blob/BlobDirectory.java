package org.jzeo.server.storage.blob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.DirectorySync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FileStorage's blob directory, laid out as ZODB's FileStorage lays it out: the {@code .layout} marker, the
 * {@code tmp} folder for uploads, one folder per oid ({@link BlobLayout}) holding one {@code <tid>.blob} file per
 * revision. It answers where files are, opens or creates the directory, and makes an upload durable at vote;
 * committing files is {@link BlobLinks}'s job, pack's removal {@link PackedBlobRemoval}'s.
 *
 * <p>The layout is chosen as ZODB's {@code auto_layout_select} chooses it, so a directory written by either
 * side reads the same on the other: the marker's layout when there is a marker; otherwise bushy for a missing
 * or empty directory (hidden names do not count) and lawn for a used one.
 */
public final class BlobDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(BlobDirectory.class);

    /** The file naming the layout, as ZODB names it. */
    public static final String MARKER = org.jzeo.client.blob.BlobDirectory.LAYOUT_MARKER;
    /** The folder for files not committed yet, as ZODB names it. */
    public static final String TEMPORARY = org.jzeo.client.blob.BlobDirectory.TEMPORARY;

    private final Path root;
    private final BlobLayout layout;
    private final boolean fsync;

    private BlobDirectory(Path root, BlobLayout layout, boolean fsync) {
        this.root = root;
        this.layout = layout;
        this.fsync = fsync;
    }

    /**
     * Opens the blob directory at {@code root}; unless {@code readOnly}, creates it, its marker and its {@code tmp}
     * folder when missing. {@code fsync} false skips every force (tests only, like FileStorage's own option).
     *
     * @throws StorageException read-only and missing, or its marker names no layout
     */
    public static BlobDirectory open(Path root, boolean readOnly, boolean fsync) throws IOException {
        Path dir = root.toAbsolutePath();
        boolean existed = Files.isDirectory(dir);
        if (readOnly && !existed) {
            throw new StorageException("blob directory " + dir + " does not exist (and a read-only storage cannot"
                    + " create it)");
        }
        BlobLayout layout = chooseLayout(dir);
        if (!readOnly) {
            DirectorySync.createDirectories(dir);
            Path marker = dir.resolve(MARKER);
            if (!Files.exists(marker)) {
                writeMarker(marker, layout, fsync);
            }
            // After the marker: a power loss that keeps tmp keeps the marker entry too (the creation of tmp syncs
            // the directory), so a new directory can never come back as a used one without a marker, i.e. lawn.
            DirectorySync.createDirectories(dir.resolve(TEMPORARY));
        }
        LOG.info("blob directory {} {} ({} layout{})", dir, existed ? "opened" : "created", layout.markerName(),
                readOnly ? ", read-only" : "");
        return new BlobDirectory(dir, layout, fsync);
    }

    private static BlobLayout chooseLayout(Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            String text = Files.readString(marker, StandardCharsets.US_ASCII);
            try {
                return BlobLayout.named(text);
            } catch (IllegalArgumentException e) {
                throw new StorageException(marker + ": " + e.getMessage());
            }
        }
        if (!Files.isDirectory(dir)) {
            return BlobLayout.BUSHY;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            boolean used = entries.anyMatch(p -> !p.getFileName().toString().startsWith("."));
            return used ? BlobLayout.LAWN : BlobLayout.BUSHY;
        }
    }

    /**
     * Writes the marker under a hidden temporary name, forces it, then renames it into place: a power loss can
     * leave no marker (the layout is chosen again, the same way) but never an empty one, which names no layout.
     */
    private static void writeMarker(Path marker, BlobLayout layout, boolean fsync) throws IOException {
        Path partial = marker.resolveSibling(MARKER + ".partial");
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer text = ByteBuffer.wrap(layout.markerName().getBytes(StandardCharsets.US_ASCII));
            while (text.hasRemaining()) {
                out.write(text);
            }
            if (fsync) {
                out.force(true);
            }
        }
        Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE);
    }

    public Path root() {
        return root;
    }

    public BlobLayout layout() {
        return layout;
    }

    /** Whether forces are done (false only in tests). */
    boolean fsync() {
        return fsync;
    }

    /** Where uploads are created: inside the blob directory, so that committing them links rather than copies. */
    public Path temporaryDirectory() {
        return root.resolve(TEMPORARY);
    }

    /** The folder of every revision of {@code oid}. */
    public Path oidFolder(Oid oid) {
        return layout.oidFolder(root, oid);
    }

    /** Where the file of revision {@code tid} of {@code oid} is, whether or not it exists. */
    public Path file(Oid oid, Tid tid) {
        return oidFolder(oid).resolve(BlobLayout.fileName(tid));
    }

    /**
     * Makes an uploaded file's content and its name durable, as vote must before it answers: an XA prepare that
     * follows is then durable with its blobs, and the committed link made at finish shares these bytes.
     */
    public void makeDurable(Path upload) throws IOException {
        if (!fsync) {
            return;
        }
        try (FileChannel in = FileChannel.open(upload, StandardOpenOption.READ)) {
            in.force(true);
        }
        DirectorySync.sync(upload.toAbsolutePath().getParent());
    }

    /** Deletes the blob directory at {@code root} and everything in it, if it exists (for {@code create true}). */
    public static void removeAll(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        java.util.List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
        LOG.info("removed the blob directory {} and everything in it", root.toAbsolutePath());
    }

    /** A new, empty set of files for one transaction's finish. */
    public BlobLinks newLinks() {
        return new BlobLinks(this);
    }

    @Override
    public String toString() {
        return root + " (" + layout.markerName() + ")";
    }
}
