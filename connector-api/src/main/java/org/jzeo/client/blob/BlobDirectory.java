package org.jzeo.client.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * A blob directory as ZODB lays it out: a {@code .layout} file naming the layout, a {@code tmp} folder for files
 * being written, and the revisions' files where the {@link BlobLayout} puts them. Opening creates what is missing
 * and refuses a directory of another layout (a Python client's cache or a server's directory given by mistake).
 */
public final class BlobDirectory {
    /** ZODB's names inside every blob directory, the server's and the client's alike. */
    public static final String BLOB_SUFFIX = ".blob";
    public static final String LAYOUT_MARKER = ".layout";
    public static final String TEMPORARY = "tmp";

    private final Path root;
    private final BlobLayout layout;

    private BlobDirectory(Path root, BlobLayout layout) {
        this.root = root;
        this.layout = layout;
    }

    /** Opens (creating if needed) the blob directory {@code root} with {@code layout}. */
    public static BlobDirectory open(Path root, BlobLayout layout) {
        try {
            Files.createDirectories(root.resolve(TEMPORARY));
            Path marker = root.resolve(LAYOUT_MARKER);
            if (Files.exists(marker)) {
                String found = Files.readString(marker, StandardCharsets.UTF_8).strip();
                if (!found.equals(layout.name())) {
                    throw new IllegalArgumentException("blob directory " + root + " has layout '" + found
                            + "', expected '" + layout.name() + "' (check blob-dir and shared-blob-dir)");
                }
            } else {
                Files.writeString(marker, layout.name(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open blob directory " + root, e);
        }
        return new BlobDirectory(root.toAbsolutePath(), layout);
    }

    /**
     * The layout a server's blob directory says it has in its {@code .layout} file (bushy, or ZODB's older lawn),
     * bushy when it has none yet (what ZODB creates).
     */
    public static BlobLayout serverLayout(Path root) {
        Path marker = root.resolve(LAYOUT_MARKER);
        try {
            if (Files.exists(marker)
                    && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(LawnLayout.NAME)) {
                return new LawnLayout();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the layout of blob directory " + root, e);
        }
        return new BushyLayout();
    }

    public Path root() {
        return root;
    }

    public BlobLayout layout() {
        return layout;
    }

    /** Where files being written go: on the directory's file system, so moving them into place copies nothing. */
    public Path temporaryDirectory() {
        return root.resolve(TEMPORARY);
    }

    public Path folderOf(Oid oid) {
        return root.resolve(layout.folderOf(oid));
    }

    /** The folder of {@code oid}, created if missing. */
    public Path createFolderOf(Oid oid) {
        Path folder = folderOf(oid);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob folder " + folder, e);
        }
        return folder;
    }

    public Path fileOf(Oid oid, Tid tid) {
        return root.resolve(layout.fileOf(oid, tid));
    }
}
