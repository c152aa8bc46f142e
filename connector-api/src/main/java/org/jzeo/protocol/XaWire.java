package org.jzeo.protocol;

import java.util.List;
import javax.transaction.xa.Xid;

/**
 * jzeo's XA extension of the ZEO protocol (xa-mapping spec), version 1: method names, argument and result shapes,
 * and the error reply. Python ZEO clients never call these; a jzeo client uses them only when {@code get_info}
 * lists {@link #EXTENSION} under {@link #INFO_KEY}.
 *
 * <table>
 *   <caption>methods (all synchronous)</caption>
 *   <tr><th>method</th><th>args</th><th>result</th></tr>
 *   <tr><td>{@code xa_vote}</td><td>{@code txn}, xid, {@code timeout} (int seconds, 0 = none)</td>
 *       <td>as {@code vote}: the oids the server changed (undo). Sent instead of {@code vote} after
 *       {@code tpc_begin} and the buffered calls. On success the branch is prepared, fsynced to the prepared log
 *       and detached from the connection: the connection has no transaction any more, a disconnect does not
 *       abort the branch, and ZEO's {@code transaction-timeout} does not apply to it. Errors as {@code vote}
 *       (ConflictError, ReadConflictError, ...; the branch is dropped), plus {@link #ERROR_CLASS} with
 *       {@code XA_RBDEADLOCK} when an object lock was not granted in time, {@code XAER_DUPID} when the xid
 *       is already prepared or remembered.</td></tr>
 *   <tr><td>{@code xa_commit}</td><td>xid</td><td>{@code [tid, [oid, ...]]}: the commit's tid and the oids
 *       it wrote. Works from any connection. Repeated after a lost reply, it answers the same from the
 *       remembered outcome. Errors: {@code XAER_NOTA} (never prepared here, no outcome remembered),
 *       {@code XA_HEURRB} (rolled back heuristically).</td></tr>
 *   <tr><td>{@code xa_rollback}</td><td>xid</td><td>nil. Errors: {@code XAER_NOTA}; rolling back a branch
 *       remembered as committed is {@code XA_HEURCOM}.</td></tr>
 *   <tr><td>{@code xa_recover}</td><td>–</td><td>array of xids: prepared branches and heuristically completed
 *       ones not yet forgotten.</td></tr>
 *   <tr><td>{@code xa_forget}</td><td>xid</td><td>nil; {@code XAER_NOTA} if no heuristic outcome is
 *       remembered.</td></tr>
 * </table>
 *
 * <p>An xid travels as {@code [formatId (int), gtrid (bin), bqual (bin)]}. An XA error reply is
 * {@code [msgid, 2, ".reply", ["jzeo.XAError", {"errorCode": int, "message": str}]]} with
 * {@link javax.transaction.xa.XAException}'s codes. One-phase commits need no extension: {@code vote} then
 * {@code tpc_finish}.
 */
public final class XaWire {
    /** The {@code get_info} key listing jzeo's protocol extensions (an array of str). */
    public static final String INFO_KEY = "jzeo_extensions";
    /** The name of this extension in that list. */
    public static final String EXTENSION = "xa1";
    /** The exception class of XA error replies. */
    public static final String ERROR_CLASS = "jzeo.XAError";

    public static final String VOTE = "xa_vote";
    public static final String COMMIT = "xa_commit";
    public static final String ROLLBACK = "xa_rollback";
    public static final String RECOVER = "xa_recover";
    public static final String FORGET = "xa_forget";

    private XaWire() {
    }

    /** An xid as the wire carries it. */
    public static List<Object> encode(Xid xid) {
        return List.of((long) xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    /** The xid of a wire value; IllegalArgumentException when it is not {@code [int, bin, bin]}. */
    public static WireXid decode(Object value) {
        if (!(value instanceof List<?> parts) || parts.size() != 3 || !(parts.get(0) instanceof Number format)
                || !(parts.get(1) instanceof byte[] gtrid) || !(parts.get(2) instanceof byte[] bqual)) {
            throw new IllegalArgumentException("an xid must be [formatId, gtrid, bqual], got "
                    + MsgpackValues.wireType(value));
        }
        return new WireXid(format.intValue(), gtrid, bqual);
    }
}
