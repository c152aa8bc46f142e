package org.jzeo.storage;

import java.util.Iterator;

/** Iterates committed transactions in commit order; close it to release what it holds. */
public interface StorageIterator extends Iterator<TransactionRecord>, AutoCloseable {
    @Override
    void close();
}
