package org.jzeo.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.jzeo.auth.Scram;
import org.jzeo.auth.ScramVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password database of a running server: the file's current content, reread when the file changes, so a user
 * added or removed with {@code jzeo passwd} counts at the next sign-on without a restart. {@link #current()} compares
 * the file's modification time, size and file key (inode) with those of the last read: {@code jzeo passwd} replaces
 * the file by a rename, which changes the inode even when time and size happen to match. A reread that fails (file
 * missing, unreadable, malformed) keeps the previous database, so a half-edited file never locks everyone out; it
 * is logged once per change of the file, not at every sign-on. Thread-safe.
 */
public final class ReloadingPasswordDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingPasswordDatabase.class);
    private static final int DECOY_KEY_BYTES = 32;

    /** What a stat saw; {@code null} fields when the file could not be stat'ed. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(null, -1, null);
    }

    /** The database in use and the stamp of the file last looked at (successfully read or not). */
    private record State(PasswordDatabase database, Stamp seen) {
    }

    private final Path file;
    /** Chosen per object: the decoys of one server cannot be computed by anyone else, and differ between servers. */
    private final byte[] decoyKey = new byte[DECOY_KEY_BYTES];
    private volatile State state;

    /**
     * Reads {@code file}; an IOException or {@link MalformedPasswordFileException} when it cannot be read: a server
     * must not start without its users.
     */
    public ReloadingPasswordDatabase(Path file) throws IOException {
        this.file = file;
        new SecureRandom().nextBytes(decoyKey);
        Stamp stamp = stat(file);
        PasswordDatabase database = PasswordDatabase.read(file);
        state = new State(database, stamp);
        logRead(database);
    }

    public Path file() {
        return file;
    }

    /** The database as the file now holds it (or the last good one, when the file is now broken). */
    public PasswordDatabase current() {
        State s = state;
        if (statQuietly().equals(s.seen())) {
            return s.database();
        }
        return reread(false);
    }

    /**
     * The user's verifier in the current database, null when unknown: with {@link #decoy} what a
     * {@code ScramServerExchange} needs ({@code new ScramServerExchange(db::verifier, db::decoy)}).
     */
    public ScramVerifier verifier(String user) {
        return current().verifier(user);
    }

    /** Rereads the file whatever its stamp (SIGHUP); returns the database now in use. */
    public PasswordDatabase reload() {
        return reread(true);
    }

    /**
     * One reread at a time: sign-ons that notice the same change together read the file once. Unforced, it rereads
     * only when the stamp still differs from the last one seen (another thread may have just read it).
     */
    private synchronized PasswordDatabase reread(boolean forced) {
        State s = state;
        // Stat before reading: should the file change during the read, the next current() reads it again.
        Stamp stamp = statQuietly();
        if (!forced && stamp.equals(s.seen())) {
            return s.database();
        }
        try {
            if (stamp == Stamp.MISSING) {
                throw new NoSuchFileException(file.toString());
            }
            PasswordDatabase database = PasswordDatabase.read(file);
            state = new State(database, stamp);
            logRead(database);
            return database;
        } catch (IOException | RuntimeException e) {
            // Remember the stamp anyway: one ERROR line per change of the file, not one per sign-on.
            state = new State(s.database(), stamp);
            LOG.error("cannot reread the password database {}; still using the previous one ({} users, realm {})",
                    problem(e), s.database().users().size(), s.database().realm());
            return s.database();
        }
    }

    private void logRead(PasswordDatabase database) {
        LOG.info("read {} users from {} (realm {})", database.users().size(), file, database.realm());
    }

    /** The failure in one line that names the file (a malformed file's message already does, with the line). */
    private String problem(Exception e) {
        if (e instanceof MalformedPasswordFileException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return file + ": the file does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return file + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return file + ": " + f.getReason();
        }
        return file + ": " + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }

    private Stamp statQuietly() {
        try {
            return stat(file);
        } catch (IOException e) {
            return Stamp.MISSING;
        }
    }

    private static Stamp stat(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    }

    /**
     * A made-up verifier for a user who does not exist, the same for the same name for this object's life: an
     * attacker asking twice sees the same salt, as for a real user, and cannot tell the two apart. Only the salt and
     * iteration count are ever sent; the keys just need to be stable bytes no password matches by design.
     */
    public ScramVerifier decoy(String user) {
        byte[] salt = Arrays.copyOf(Scram.hmac(decoyKey, user), Scram.SALT_BYTES);
        byte[] storedKey = Scram.hmac(decoyKey, ("stored-key\0" + user).getBytes(StandardCharsets.UTF_8));
        byte[] serverKey = Scram.hmac(decoyKey, ("server-key\0" + user).getBytes(StandardCharsets.UTF_8));
        return new ScramVerifier(Scram.DEFAULT_ITERATIONS, salt, storedKey, serverKey);
    }
}
