package org.jzeo.e2e.xa;

import java.io.Serializable;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A second resource manager for tests that has nothing to commit: every call succeeds and does nothing. Tests
 * override {@link #prepare} (or others) to make it vote no, wait, or act at a chosen moment.
 */
abstract class NoOpXAResource implements XAResource, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public abstract int prepare(Xid xid) throws XAException;

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public void rollback(Xid xid) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }
}
