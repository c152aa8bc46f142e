package org.jzeo.server.storage.file;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DataFileLockTest}: takes the lock named by the first argument, prints
 * {@code LOCKED <pid>}, and holds the lock until its standard input closes.
 */
public final class DataFileLockHolder {
    private DataFileLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (DataFileLock lock = DataFileLock.acquire(Path.of(args[0]))) {
            System.out.println("LOCKED " + ProcessHandle.current().pid() + " flock=" + lock.usesFlock());
            System.out.flush();
            while (System.in.read() != -1) {
                // Wait for the parent to close our input.
            }
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e);
            System.exit(2);
        }
    }
}
