package org.jzeo.server.storage;

/** A storage that counts how often taking an object lock had to wait for another transaction. */
public interface LockWaitSource {

    /** Object-lock acquisitions that had to wait since the storage was opened. Cheap, callable from any thread. */
    long lockWaits();
}
