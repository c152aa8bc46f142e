package org.jzeo.client.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;

/** File moves for blobs: by link where the file system allows, by copy otherwise; never a partial target. */
public final class BlobFiles {
    private BlobFiles() {
    }

    /**
     * Gives {@code target} the content of {@code source}, which stays: a hard link (no bytes move) or, across file
     * systems or where links are refused, a copy written beside the target first and renamed into place, so the
     * target never exists half-written. An existing target is left as it is (a revision's content never changes).
     */
    public static void linkOrCopy(Path source, Path target) {
        try {
            Files.createLink(target, source);
        } catch (FileAlreadyExistsException e) {
            // Another thread or process put the same revision there first.
        } catch (IOException | UnsupportedOperationException e) {
            copyIntoPlace(source, target);
        }
    }

    private static void copyIntoPlace(Path source, Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        try {
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot put blob file " + source + " at " + target, e);
        }
    }

    /** ZEO's {@code _accessed}: the access time becomes now, which the cache trim goes by (oldest first). */
    static void touch(Path file) {
        try {
            Files.getFileAttributeView(file, BasicFileAttributeView.class).setTimes(null, FileTime.fromMillis(
                    System.currentTimeMillis()), null);
        } catch (IOException e) {
            // As ZEO: the file is still good, only its place in the trim order is older.
        }
    }

    /** Deletes {@code file} if it exists; failures are left for the next trim or restart. */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
