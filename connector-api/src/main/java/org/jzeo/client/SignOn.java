package org.jzeo.client;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jzeo.api.AuthenticationException;
import org.jzeo.auth.AuthWire;
import org.jzeo.auth.AuthenticationFailure;
import org.jzeo.auth.ScramClient;

/**
 * Signs a fresh connection on with SCRAM-SHA-256 ({@link AuthWire}), before {@code register}: asks the server's
 * protocol, runs the exchange, checks the realm and the server's proof. Used by the client storage and the admin
 * commands, over whatever carries their calls.
 */
public final class SignOn {
    /** One synchronous call on the connection: its result, or the server's error as an exception. */
    @FunctionalInterface
    public interface Caller {
        Object call(String method, Object... args) throws Exception;
    }

    private SignOn() {
    }

    /**
     * Signs on as {@code credentials} through {@code caller}; {@code server} names the server in messages.
     * AuthenticationException when the server refuses, cannot prove itself, is of another realm, or does not ask
     * clients to sign on (then it could be anyone: the credentials were meant for a server that checks them).
     */
    public static void run(Caller caller, Credentials credentials, String server) throws Exception {
        Object protocol = caller.call(AuthWire.GET_PROTOCOL);
        if (protocol == null) {
            throw new AuthenticationException("server " + server + " does not ask clients to sign on, so it cannot"
                    + " prove it knows user '" + credentials.username() + "'; not using it (remove the username to"
                    + " connect anyway)");
        }
        if (!AuthWire.PROTOCOL.equals(text(protocol))) {
            throw new AuthenticationException("server " + server + " asks for authentication protocol '"
                    + text(protocol) + "'; this client speaks " + AuthWire.PROTOCOL);
        }
        ScramClient scram = new ScramClient(credentials.username(), credentials.password().toCharArray());
        try {
            Object started = caller.call(AuthWire.START, scram.clientFirst());
            if (!(started instanceof List<?> parts) || parts.size() != 2) {
                throw new AuthenticationFailure("unexpected answer to " + AuthWire.START);
            }
            String realm = text(parts.get(1));
            if (credentials.realm() != null && !credentials.realm().equals(realm)) {
                throw new AuthenticationException("server " + server + " is in realm '" + realm + "', not '"
                        + credentials.realm() + "'");
            }
            Object finished = caller.call(AuthWire.FINISH, scram.clientFinal(text(parts.get(0))));
            scram.verifyServerFinal(text(finished));
        } catch (AuthenticationFailure e) {
            throw new AuthenticationException("signing on to " + server + " as '" + credentials.username()
                    + "' failed: " + e.getMessage());
        } catch (AuthenticationException e) {
            throw new AuthenticationException("signing on to " + server + " as '" + credentials.username()
                    + "' failed: " + e.getMessage(), e);
        }
    }

    private static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        throw new AuthenticationFailure("a sign-on answer must be a string, got "
                + (value == null ? "nil" : value.getClass().getSimpleName()));
    }
}
