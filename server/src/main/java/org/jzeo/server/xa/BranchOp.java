package org.jzeo.server.xa;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.StorageTransaction;

/**
 * One buffered operation of an XA branch, as the prepared log keeps it: what is replayed into a new storage
 * transaction when the server restarts with the branch still prepared. Undo and restore are not allowed in a
 * branch, so only these three exist.
 */
public sealed interface BranchOp {

    Oid oid();

    Tid serial();

    /** Adds this operation to {@code txn}. */
    void replay(StorageTransaction txn);

    /** {@code storea(oid, serial, data)}. */
    record Store(Oid oid, Tid serial, byte[] data) implements BranchOp {
        @Override
        public void replay(StorageTransaction txn) {
            txn.store(oid, serial, data);
        }
    }

    /** {@code checkCurrentSerialInTransaction(oid, serial)}. */
    record CheckCurrent(Oid oid, Tid serial) implements BranchOp {
        @Override
        public void replay(StorageTransaction txn) {
            txn.checkCurrentSerial(oid, serial);
        }
    }

    /** {@code deleteObject(oid, serial)}. */
    record Delete(Oid oid, Tid serial) implements BranchOp {
        @Override
        public void replay(StorageTransaction txn) {
            txn.delete(oid, serial);
        }
    }
}
