package org.jzeo.server.testclient;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireMessage;

/**
 * The sync calls of one connection that wait for a reply, by msgid. Guarantees: each registered call's future is
 * completed exactly once, by the reply with the same msgid (compared as encoded msgpack, so {@code 3} and
 * {@code [oid, tid]} both match exactly) or by a {@link ConnectionClosed}; once {@link #closeAll(String)} has run,
 * no call can be registered any more. Futures are completed outside the lock. Thread-safe.
 */
final class PendingCalls {
    private record Pending(String method, CompletableFuture<WireMessage> reply) {
    }

    private final Map<MessageId, Pending> calls = new LinkedHashMap<>();
    private String closedReason;

    /**
     * Registers a call before it is sent, so a fast reply cannot overtake it.
     *
     * @throws ConnectionClosed if the connection is already closed
     * @throws IllegalStateException if a call with the same msgid is still waiting
     */
    synchronized CompletableFuture<WireMessage> register(MessageId msgid, String method) {
        if (closedReason != null) {
            throw new ConnectionClosed("cannot call " + method + ": " + closedReason);
        }
        if (calls.containsKey(msgid)) {
            throw new IllegalStateException("msgid " + msgid + " is already waiting for a reply to "
                    + calls.get(msgid).method() + "; msgids must be unique among outstanding calls");
        }
        CompletableFuture<WireMessage> reply = new CompletableFuture<>();
        calls.put(msgid, new Pending(method, reply));
        return reply;
    }

    /** Completes the call the reply answers; false if no call with its msgid is waiting. */
    boolean complete(WireMessage reply) {
        Pending call;
        synchronized (this) {
            call = calls.remove(reply.msgid());
        }
        if (call == null) {
            return false;
        }
        call.reply().complete(reply);
        return true;
    }

    /** Stops waiting for a reply (the call timed out or could not be sent); a later reply will not match. */
    synchronized void forget(MessageId msgid) {
        calls.remove(msgid);
    }

    /** The reason given to the first {@link #closeAll(String)}, or null while the connection is open. */
    synchronized String closedReason() {
        return closedReason;
    }

    /**
     * Fails every waiting call with a {@link ConnectionClosed} naming the call and the reason, and refuses new
     * ones. Only the first call counts: later reasons are ignored.
     */
    void closeAll(String reason) {
        Map<MessageId, Pending> failed;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            failed = new LinkedHashMap<>(calls);
            calls.clear();
        }
        for (Map.Entry<MessageId, Pending> entry : failed.entrySet()) {
            entry.getValue().reply().completeExceptionally(new ConnectionClosed("no reply to "
                    + entry.getValue().method() + " (msgid " + entry.getKey() + "): " + reason));
        }
    }
}
