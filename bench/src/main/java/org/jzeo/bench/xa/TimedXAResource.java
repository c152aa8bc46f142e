package org.jzeo.bench.xa;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An XAResource that adds the time of each call the transaction manager makes to a section of a
 * {@link XaThroughputTool.Stats}: {@code first} + 0 start, 1 end, 2 prepare, 3 commit (either phase), 4 rollback.
 * {@link #isSameRM} compares the wrapped resources, so wrapping changes nothing for the transaction manager.
 */
final class TimedXAResource implements XAResource {
    static final int START = 0;
    static final int END = 1;
    static final int PREPARE = 2;
    static final int COMMIT = 3;
    static final int ROLLBACK = 4;
    static final int SECTIONS = 5;

    private final XAResource delegate;
    private final XaThroughputTool.Stats stats;
    private final int first;

    TimedXAResource(XAResource delegate, XaThroughputTool.Stats stats, int first) {
        this.delegate = delegate;
        this.stats = stats;
        this.first = first;
    }

    private void add(int section, long since) {
        stats.add(first + section, System.nanoTime() - since);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        long t = System.nanoTime();
        try {
            delegate.start(xid, flags);
        } finally {
            add(START, t);
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        long t = System.nanoTime();
        try {
            delegate.end(xid, flags);
        } finally {
            add(END, t);
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        long t = System.nanoTime();
        try {
            return delegate.prepare(xid);
        } finally {
            add(PREPARE, t);
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        long t = System.nanoTime();
        try {
            delegate.commit(xid, onePhase);
        } finally {
            add(COMMIT, t);
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        long t = System.nanoTime();
        try {
            delegate.rollback(xid);
        } finally {
            add(ROLLBACK, t);
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        delegate.forget(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return delegate.recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return delegate.isSameRM(other instanceof TimedXAResource t ? t.delegate : other);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    @Override
    public String toString() {
        return "Timed(" + delegate + ")";
    }
}
