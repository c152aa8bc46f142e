package org.jzeo.server.storage.file;

import org.jzeo.api.StorageException;

/**
 * Data.fs is damaged or not a Data.fs: the message names the file, the byte offset and what is wrong, so an
 * operator can find the spot with a hex dump. Raised instead of ever returning data that cannot be trusted.
 */
public class StorageFormatException extends StorageException {
    private final long offset;

    public StorageFormatException(String file, long offset, String what) {
        super(file + ": corrupt at offset " + offset + ": " + what);
        this.offset = offset;
    }

    public long offset() {
        return offset;
    }
}
