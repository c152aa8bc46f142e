package org.jzeo.bench.xa;

import javax.transaction.xa.XAResource;
import org.jzeo.api.Oid;

/**
 * The transaction's second resource, where each transfer is recorded: in the same XA transaction as jzeo (xa-2pc),
 * or in a local transaction of its own after jzeo's commit (xa-1pc, local). The tool checks at the end that it holds
 * exactly one record per transfer each thread recorded.
 */
interface SecondResource extends AutoCloseable {

    /** For the tables: "H2", "jzeo #2". */
    String name();

    /** Before a configuration's workers are made: what its sessions share ({@code storages} clients, say). */
    void open(int threads, int storages) throws Exception;

    /** Worker {@code thread}'s session; {@code xa}: it will be enlisted in Narayana through {@link Session#xaResource}. */
    Session session(int thread, boolean xa) throws Exception;

    /** After a configuration: drops what {@link #open} made. */
    void release();

    /** CPU time of the resource's own process, or -1 when it runs in this JVM. */
    long cpuNanos();

    /** True if it holds {@code recorded} records in all and {@code perThread[t]} of thread t. Prints what it found. */
    boolean verify(long recorded, long[] perThread) throws Exception;

    /** One worker's use of the resource. */
    interface Session {
        XAResource xaResource();

        /** Records transfer {@code id} of {@code thread}, in the session's current (XA or local) transaction. */
        void record(long id, int thread, Oid src, Oid dst) throws Exception;

        /** Commits the local transaction (not used when enlisted in XA). */
        void commitLocal() throws Exception;

        /** Rolls back the local transaction, if any. */
        void rollbackLocal() throws Exception;

        void close();
    }
}
