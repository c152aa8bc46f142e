package org.jzeo.server.xa;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAException;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.XaWire;

/**
 * XA error replies: {@code ["jzeo.XAError", {"errorCode": int, "message": str}]} with {@link XAException}'s codes.
 */
public final class XaErrors {
    private XaErrors() {
    }

    /** The exception a handler throws to send that reply. */
    public static ServerException error(int errorCode, String message) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("errorCode", (long) errorCode);
        args.put("message", message);
        return new ServerException(XaWire.ERROR_CLASS, args);
    }

    /** Whether {@code e} is such a reply. */
    public static boolean isXaError(Throwable e) {
        return e instanceof ServerException s && XaWire.ERROR_CLASS.equals(s.className());
    }

    /** The error code of an XA error reply (as the client decodes it), or null if it is not one. */
    public static Integer errorCode(Throwable e) {
        if (isXaError(e) && ((ServerException) e).excArgs() instanceof Map<?, ?> m
                && m.get("errorCode") instanceof Number n) {
            return n.intValue();
        }
        return null;
    }

    /** {@code XA_RBDEADLOCK} etc. for messages. */
    public static String name(int code) {
        return switch (code) {
            case XAException.XA_RBROLLBACK -> "XA_RBROLLBACK";
            case XAException.XA_RBDEADLOCK -> "XA_RBDEADLOCK";
            case XAException.XA_RBPROTO -> "XA_RBPROTO";
            case XAException.XA_RBTIMEOUT -> "XA_RBTIMEOUT";
            case XAException.XA_HEURRB -> "XA_HEURRB";
            case XAException.XA_HEURCOM -> "XA_HEURCOM";
            case XAException.XA_HEURHAZ -> "XA_HEURHAZ";
            case XAException.XA_HEURMIX -> "XA_HEURMIX";
            case XAException.XAER_NOTA -> "XAER_NOTA";
            case XAException.XAER_DUPID -> "XAER_DUPID";
            case XAException.XAER_RMERR -> "XAER_RMERR";
            case XAException.XAER_RMFAIL -> "XAER_RMFAIL";
            case XAException.XAER_PROTO -> "XAER_PROTO";
            case XAException.XAER_INVAL -> "XAER_INVAL";
            default -> String.valueOf(code);
        };
    }
}
