package org.jzeo.server.copy;

/** Told by {@link StorageCopier} after every transaction, on the copying thread; should return quickly. */
@FunctionalInterface
public interface CopyListener {
    void transactionCopied(CopyProgress progress);

    static CopyListener none() {
        return progress -> { };
    }
}
