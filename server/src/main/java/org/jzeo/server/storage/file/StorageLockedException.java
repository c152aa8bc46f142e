package org.jzeo.server.storage.file;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.jzeo.api.StorageException;

/**
 * A FileStorage could not be opened because another process (a jzeo server, a Python ZODB/ZEO process, or
 * this process through another {@link DataFileLock}) holds its {@code Data.fs.lock}. Not retryable as such:
 * the holder has to stop first. The message names the lock file and the holder recorded in it, so an operator
 * can find the process.
 */
public class StorageLockedException extends StorageException {
    // Kept as a string: Path is not serializable, exceptions are.
    private final String lockFile;
    private final String holder;

    /**
     * @param lockFile the lock file that is held
     * @param holder what the holder wrote into the lock file, trimmed (zc.lockfile writes its pid, optionally
     *        with a hostname); null or empty when unknown
     */
    public StorageLockedException(Path lockFile, String holder) {
        super(describe(lockFile, holder));
        this.lockFile = lockFile.toString();
        this.holder = holder == null || holder.isEmpty() ? null : holder;
    }

    public Path lockFile() {
        return Path.of(lockFile);
    }

    /** The lock file's content as written by the holder, e.g. {@code "1234"}; empty when it was blank. */
    public Optional<String> holder() {
        return Optional.ofNullable(holder);
    }

    /** The holder's pid when the lock file holds just a pid, as jzeo and zc.lockfile write it by default. */
    public OptionalLong holderPid() {
        return parsePid(holder);
    }

    private static OptionalLong parsePid(String holder) {
        boolean digits = holder != null && !holder.isEmpty() && holder.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || holder.length() > 18) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(holder));
    }

    private static String describe(Path lockFile, String holder) {
        String name = lockFile.getFileName() == null ? lockFile.toString() : lockFile.getFileName().toString();
        String storage = name.endsWith(".lock") && name.length() > ".lock".length()
                ? name.substring(0, name.length() - ".lock".length())
                : name;
        OptionalLong pid = parsePid(holder);
        boolean self = pid.isPresent() && pid.getAsLong() == ProcessHandle.current().pid();
        String who;
        if (pid.isPresent()) {
            who = "held by pid " + pid.getAsLong() + (self ? " (this process)" : "");
        } else if (holder == null || holder.isEmpty()) {
            who = "holder unknown";
        } else {
            who = "held by '" + holder + "'";
        }
        return storage + (self ? " is already locked by this process" : " is locked by another process")
                + " (lock file " + lockFile + ", " + who + ")";
    }
}
