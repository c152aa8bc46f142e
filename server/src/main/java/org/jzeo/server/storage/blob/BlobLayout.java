package org.jzeo.server.storage.blob;

import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.blob.BushyLayout;
import org.jzeo.client.blob.LawnLayout;

/**
 * ZODB's two blob-directory layouts (ZODB.blob's BushyLayout and LawnLayout), which decide where the file of one
 * revision of a blob lives, so that Python's FileStorage and jzeo find each other's files.
 *
 * <p>Bushy: eight folders, one per oid byte, big-endian, each {@code 0x} and two lowercase hex digits
 * ({@code 0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01}). Lawn: one folder per oid named by ZODB's {@code oid_repr}
 * ({@code 0x01}). In both, the file of revision {@code tid} is {@code tid_repr(tid) + ".blob"}.
 */
public enum BlobLayout {
    BUSHY(new BushyLayout()),
    LAWN(new LawnLayout());

    /** What every committed blob file's name ends with. */
    public static final String SUFFIX = org.jzeo.client.blob.BlobDirectory.BLOB_SUFFIX;

    /** The naming itself, shared with the client's shared-blob-dir mode (one definition of ZODB's names). */
    private final org.jzeo.client.blob.BlobLayout names;

    BlobLayout(org.jzeo.client.blob.BlobLayout names) {
        this.names = names;
    }

    /** The folder holding every revision of {@code oid}'s blob under the blob directory {@code root}. */
    public Path oidFolder(Path root, Oid oid) {
        return root.resolve(names.folderOf(oid));
    }

    /** The name written in the blob directory's {@code .layout} marker. */
    public String markerName() {
        return names.name();
    }

    /** The layout a {@code .layout} marker names; an IllegalArgumentException for anything else. */
    public static BlobLayout named(String marker) {
        String name = marker.strip();
        for (BlobLayout layout : values()) {
            if (layout.markerName().equals(name)) {
                return layout;
            }
        }
        throw new IllegalArgumentException("unknown blob directory layout '" + name + "' (ZODB knows 'bushy' and"
                + " 'lawn')");
    }

    /** The file name of revision {@code tid}: ZODB's {@code tid_repr(tid) + ".blob"}. */
    public static String fileName(Tid tid) {
        return BushyLayout.tidRepr(tid) + SUFFIX;
    }

    /**
     * ZODB's {@code oid_repr}/{@code tid_repr} of 8 bytes: {@code 0x} and the hex digits without leading zeros,
     * padded to an even number of digits, {@code 0x00} for zero.
     */
    public static String repr(long value) {
        return BushyLayout.repr(value);
    }
}
