package org.jzeo.storage;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * One operation of a transaction between {@code tpc_begin} and vote, as every layer keeps it: the client's buffer,
 * the server's buffer of what a client sent, the storage's staged transaction and the XA prepared log. Each record
 * mirrors the {@link StorageTransaction} method of the same name, which {@link #applyTo} calls.
 */
public sealed interface Operation {

    /** The object the operation is about; null for an undo, which names a transaction instead. */
    default Oid oid() {
        return null;
    }

    /** Calls the {@link StorageTransaction} method this operation records. */
    void applyTo(StorageTransaction txn);

    /** {@link StorageTransaction#store}: {@code serial} is the revision read (null or zero: a new object). */
    record Store(Oid oid, Tid serial, byte[] data) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.store(oid, serial, data);
        }
    }

    /** {@link StorageTransaction#storeBlob}: a store whose blob content is in {@code file}. */
    record StoreBlob(Oid oid, Tid serial, byte[] data, java.nio.file.Path file) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.storeBlob(oid, serial, data, file);
        }
    }

    /** {@link StorageTransaction#checkCurrentSerial}. */
    record CheckCurrent(Oid oid, Tid serial) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.checkCurrentSerial(oid, serial);
        }
    }

    /** {@link StorageTransaction#delete}. */
    record Delete(Oid oid, Tid serial) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.delete(oid, serial);
        }
    }

    /** {@link StorageTransaction#restore}. */
    record Restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.restore(oid, serial, data, prevTxn);
        }
    }

    /** {@link StorageTransaction#restoreBlob}. */
    record RestoreBlob(Oid oid, Tid serial, byte[] data, Tid prevTxn, java.nio.file.Path file) implements Operation {
        @Override
        public void applyTo(StorageTransaction txn) {
            txn.restoreBlob(oid, serial, data, prevTxn, file);
        }
    }

    /** {@link StorageTransaction#undo}, with the undo id as the client gave it. */
    record Undo(byte[] transactionId) implements Operation {
        /** The transaction to undo; an {@link org.jzeo.api.UndoException} if the id does not name one. */
        public Tid tid() {
            return UndoEntry.tidOf(transactionId);
        }

        @Override
        public void applyTo(StorageTransaction txn) {
            txn.undo(transactionId);
        }
    }
}
