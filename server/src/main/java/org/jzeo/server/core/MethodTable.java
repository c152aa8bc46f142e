package org.jzeo.server.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.storage.Storage;

/**
 * The server methods a client may call, by wire name, each with where it runs: on the connection's event loop
 * (cheap, no storage I/O), where one-record reads run best (see {@link Mode#LOAD}), on the read pool in read order
 * (longer storage reads), on the connection's serial executor
 * (transactional and stateful calls, in arrival order), or on the connection's branch executor (XA calls on
 * prepared branches, in arrival order among themselves).
 */
final class MethodTable {

    enum Mode {
        INLINE,
        /**
         * A read of one record (or none): on the event loop while the storage's reads are fast, else on the read
         * pool ({@link ReadPlacement}); in read order either way.
         */
        LOAD,
        READ, SERIAL,
        /**
         * A transactional call that only records something in the connection's transaction (tpc_begin, stores):
         * in the serial order like {@link #SERIAL}, but on the event loop itself when no serial call is pending.
         */
        BUFFER,
        /**
         * Calls on prepared XA branches (commit, rollback, recover, forget), which belong to the storage rather than
         * to the connection's transaction. Not behind the serial executor: one client connection carries the branches
         * of many transactions, and a vote there waiting for object locks must not hold up the commit of an already
         * prepared branch, which may be the one holding them.
         */
        BRANCH
    }

    /** When a call is accepted on a connection. */
    enum Phase {
        /** Before register, signed on or not: the sign-on calls. */
        SIGN_ON,
        /** Signed on (or no authentication), not yet registered: register itself. */
        UNREGISTERED,
        /** Registered with a storage: everything else (Python refuses these before register). */
        REGISTERED
    }

    @FunctionalInterface
    interface Handler {
        Object call(ZeoSession session, List<Object> args) throws Exception;
    }

    /** Whether a LOAD call with these arguments is answered without reading a file (a hint, see Storage). */
    @FunctionalInterface
    interface MemoryHint {
        boolean fromMemory(Storage storage, List<Object> args);

        MemoryHint NEVER = (storage, args) -> false;
    }

    record Method(String name, Mode mode, Handler handler, MemoryHint memoryHint, Phase phase) {
    }

    private final Map<String, Method> methods = new HashMap<>();

    void add(String name, Mode mode, Handler handler) {
        add(new Method(name, mode, handler, MemoryHint.NEVER, Phase.REGISTERED));
    }

    /** A method accepted only before {@code register}, in {@code phase}. */
    void addBeforeRegister(String name, Phase phase, Handler handler) {
        add(new Method(name, Mode.INLINE, handler, MemoryHint.NEVER, phase));
    }

    /** A {@link Mode#LOAD} method, with what tells whether a call of it reads a file. */
    void addLoad(String name, MemoryHint hint, Handler handler) {
        add(new Method(name, Mode.LOAD, handler, hint, Phase.REGISTERED));
    }

    private void add(Method method) {
        if (methods.put(method.name(), method) != null) {
            throw new IllegalStateException("method " + method.name() + " defined twice");
        }
    }

    Method get(String name) {
        return methods.get(name);
    }

    /** The table of every method jzeo serves. */
    static MethodTable standard() {
        MethodTable table = new MethodTable();
        AuthMethods.addTo(table);
        SessionMethods.addTo(table);
        ReadMethods.addTo(table);
        CommitMethods.addTo(table);
        BlobMethods.addTo(table);
        MaintenanceMethods.addTo(table);
        XaMethods.addTo(table);
        return table;
    }
}
