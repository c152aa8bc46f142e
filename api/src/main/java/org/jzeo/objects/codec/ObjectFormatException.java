package org.jzeo.objects.codec;

import org.jzeo.api.StorageException;

/** A stored state cannot be read (damaged, or written by something else), or a value cannot be written. */
public class ObjectFormatException extends StorageException {
    public ObjectFormatException(String message) {
        super(message);
    }

    public ObjectFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
