package org.jzeo.storage;

import org.jzeo.api.Tid;

/**
 * One revision of an object: its data, the tid that wrote it, and the tid of the next revision
 * ({@code end}, null while the revision is current).
 */
public record LoadResult(byte[] data, Tid start, Tid end) {
    public boolean isCurrent() {
        return end == null;
    }
}
