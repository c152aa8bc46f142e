package org.jzeo.server.testclient;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Args;

/**
 * One server → client callback {@code [0, true, name, args]} (spec §3.3, §6) as the client received it.
 * {@code arrivalSequence} is its index in {@link ZeoTestClient#history()}, so it orders the callback against every
 * other message of the connection, replies included. {@code args} are in {@link org.jzeo.protocol.MessageCodec}'s
 * decoded types (oids and tids as {@code byte[]}); the accessors below convert the common ones.
 */
public record Callback(String name, List<Object> args, int arrivalSequence) {
    public static final String INVALIDATE_TRANSACTION = "invalidateTransaction";
    public static final String INFO = "info";

    /** The tid of an {@code invalidateTransaction(tid, [oid, ...])} callback. */
    public Tid invalidatedTid() {
        requireName(INVALIDATE_TRANSACTION);
        return Args.tid(args, 0);
    }

    /** The oids of an {@code invalidateTransaction(tid, [oid, ...])} callback, in the order sent. */
    public List<Oid> invalidatedOids() {
        requireName(INVALIDATE_TRANSACTION);
        List<Oid> oids = new ArrayList<>();
        List<Object> sent = Args.list(args, 1);
        for (int i = 0; i < sent.size(); i++) {
            oids.add(Args.oid(sent, i));
        }
        return oids;
    }

    private void requireName(String expected) {
        if (!expected.equals(name)) {
            throw new IllegalStateException("this is a " + name + " callback, not " + expected);
        }
    }
}
