package org.jzeo.server.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.api.AuthenticationException;
import org.jzeo.auth.AuthWire;
import org.jzeo.auth.AuthenticationFailure;
import org.jzeo.auth.ScramServerExchange;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireError;
import org.jzeo.protocol.WireErrors;
import org.jzeo.server.auth.Authenticator;
import org.jzeo.server.auth.Principal;
import org.jzeo.server.auth.Right;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing on ({@link AuthWire}): getAuthProtocol, auth_scram_start, auth_scram_finish, all before register; and
 * jzeo_status, the ruok figures for a signed-on admin. A failed exchange is answered "authentication failed" after the
 * throttle's delay, whatever went wrong, and the connection is then closed.
 */
final class AuthMethods {
    private static final Logger LOG = LoggerFactory.getLogger(AuthMethods.class);

    /** The ruok figures over an authenticated connection: {storage: server_status} of the storages one administers. */
    static final String STATUS = "jzeo_status";

    private AuthMethods() {
    }

    static void addTo(MethodTable table) {
        table.addBeforeRegister(AuthWire.GET_PROTOCOL, MethodTable.Phase.SIGN_ON,
                (s, a) -> s.server().authenticator() == null ? null : AuthWire.PROTOCOL);
        table.addBeforeRegister(AuthWire.START, MethodTable.Phase.SIGN_ON, AuthMethods::start);
        table.addBeforeRegister(AuthWire.FINISH, MethodTable.Phase.SIGN_ON, AuthMethods::finish);
        table.addBeforeRegister(STATUS, MethodTable.Phase.UNREGISTERED, (s, a) -> status(s));
    }

    private static Object start(ZeoSession session, List<Object> args) {
        Authenticator auth = requireAuthentication(session);
        Args.requireCount(args, 1, 1);
        // A connection signed on by its certificate may still sign on with a password (a jzeo client given both);
        // the password's user then counts. Any other second sign-on is refused.
        if (session.signOnExchange() != null
                || (session.isSignedOn() && session.principal().how() != Principal.How.CERTIFICATE)) {
            return refuse(session, null, "a second sign-on on one connection");
        }
        ScramServerExchange exchange = auth.newExchange();
        session.setSignOnExchange(exchange);
        try {
            return List.of(exchange.start(text(args.get(0))), auth.realm());
        } catch (AuthenticationFailure e) {
            return refuse(session, exchange.user(), e.getMessage());
        }
    }

    private static Object finish(ZeoSession session, List<Object> args) {
        Authenticator auth = requireAuthentication(session);
        Args.requireCount(args, 1, 1);
        ScramServerExchange exchange = session.signOnExchange();
        if (exchange == null) {
            return refuse(session, exchange == null ? null : exchange.user(), AuthWire.FINISH + " out of order");
        }
        String serverFinal;
        try {
            serverFinal = exchange.finish(text(args.get(0)));
        } catch (AuthenticationFailure e) {
            return refuse(session, exchange.user(), e.getMessage());
        }
        auth.succeeded(exchange.user());
        session.signedOn(new Principal(exchange.user(), Principal.How.PASSWORD));
        return serverFinal;
    }

    private static Authenticator requireAuthentication(ZeoSession session) {
        Authenticator auth = session.server().authenticator();
        if (auth == null) {
            throw new AuthenticationException("this server does not use authentication");
        }
        return auth;
    }

    /**
     * Fails the sign-on: logs why, then after the throttle's delay answers the call "authentication failed" and closes.
     * Everything the client sends meanwhile is ignored.
     */
    private static Object refuse(ZeoSession session, String user, String reason) {
        Duration delay = session.server().authenticator().failed(session.peer().remoteHost(), user);
        LOG.warn("{}: sign-on failed{}: {}; answering in {} ms and closing", session.describe(),
                user == null ? "" : " for user '" + user + "'", reason, delay.toMillis());
        session.refuseFurtherCalls();
        MessageId msgid = session.currentCall();
        WireError error = new WireError(WireErrors.AUTH_ERROR, List.of(AuthWire.FAILED));
        Runnable answer = () -> {
            if (msgid != null) {
                session.peer().error(msgid, error);
            }
            session.closeConnection("sign-on failed");
        };
        try {
            session.server().scheduler().schedule(answer, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            answer.run();
        }
        return ZeoSession.REPLIED;
    }

    /** A sign-on message: str, or bin holding UTF-8 (a client may send either). */
    private static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        throw new AuthenticationFailure("a sign-on message must be a string");
    }

    private static Map<String, Object> status(ZeoSession session) {
        Map<String, Object> all = new LinkedHashMap<>();
        for (ServedStorage s : session.server().storages()) {
            if (session.rightOn(s.name()) == Right.ADMIN) {
                all.put(s.name(), s.status(session.server().timeoutsRunning()));
            }
        }
        if (all.isEmpty()) {
            throw new AccessDeniedException(session.principal().describe() + " is admin of no storage");
        }
        return all;
    }
}
