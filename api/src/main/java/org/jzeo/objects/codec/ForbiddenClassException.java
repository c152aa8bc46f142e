package org.jzeo.objects.codec;

import org.jzeo.api.StorageException;

/** A state names, or an application tries to store, a class the allow-list does not admit. */
public class ForbiddenClassException extends StorageException {
    public ForbiddenClassException(String message) {
        super(message);
    }
}
