package org.jzeo.server.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.jzeo.server.storage.DirectorySync;

/**
 * Replaces a password file so that a crash or power loss leaves the old file or the new one, never a mix, and so that
 * no other user can read a verifier at any moment (a verifier allows an offline guessing attack on the password).
 *
 * <p>The text goes to a temporary file in the same folder (a rename is atomic only within one file system), created
 * with owner-only permissions and set to them again before the first byte is written (the umask could have removed
 * the owner's own bits); the file is forced, renamed over the old one, and the folder is synced, so the rename is
 * durable once {@link #write} returns. The old file's permissions are not carried over (a 0644 password file becomes
 * 0600), its owner is. A file reached through a symbolic link is replaced where the link points, so the link stays.
 */
public final class PasswordFileWriter {
    /** rw-------. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PasswordFileWriter() {
    }

    /** Writes {@code database}'s text to {@code file}, atomically and durably; see the class comment. */
    public static void write(Path file, PasswordDatabase database) throws IOException {
        write(file, database.render());
    }

    static void write(Path file, String text) throws IOException {
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        Path folder = target.getParent();
        UserPrincipal owner = Files.exists(target) ? Files.getOwner(target) : null;
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        boolean renamed = false;
        try {
            Files.setPosixFilePermissions(temp, OWNER_ONLY);
            keepOwner(temp, owner, target);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                // Before the rename: otherwise a power loss could leave the new name with missing content.
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            renamed = true;
            // Otherwise a power loss after write() returned could bring the old file back.
            DirectorySync.sync(folder);
        } catch (IOException | RuntimeException e) {
            if (!renamed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Gives the new file the old one's owner: with owner-only permissions the owner is the only one who can read it,
     * and an administrator running {@code sudo jzeo passwd} must not leave a file the server's user cannot read.
     * Only root may give a file away; anyone else changing another user's file is refused before anything changes.
     */
    private static void keepOwner(Path temp, UserPrincipal owner, Path target) throws IOException {
        if (owner == null || owner.equals(Files.getOwner(temp))) {
            return;
        }
        try {
            Files.setOwner(temp, owner);
        } catch (IOException e) {
            throw new IOException(target + " belongs to " + owner.getName() + ", and only root can give its new"
                    + " version to them (with owner-only permissions nobody else could read it); run this as "
                    + owner.getName() + " or as root", e);
        }
    }
}
