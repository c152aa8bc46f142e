package org.jzeo.auth;

/**
 * jzeo's authentication extension of the ZEO protocol, version 1: SCRAM-SHA-256 after the handshake, before
 * {@code register}. Calls (all synchronous, accepted before {@code register}):
 *
 * <table>
 *   <caption>methods</caption>
 *   <tr><th>method</th><th>args</th><th>result</th></tr>
 *   <tr><td>{@code getAuthProtocol}</td><td>–</td><td>{@link #PROTOCOL} when the server requires authentication,
 *       nil when it does not (ZEO 4's method name and meaning)</td></tr>
 *   <tr><td>{@code auth_scram_start}</td><td>client-first-message (str)</td><td>{@code [server-first-message,
 *       realm]} (str, str)</td></tr>
 *   <tr><td>{@code auth_scram_finish}</td><td>client-final-message (str)</td><td>server-final-message (str,
 *       {@code v=...}); the connection is then authenticated</td></tr>
 * </table>
 *
 * <p>Any failure is the error reply {@link #ERROR_CLASS} {@code ["authentication failed"]} — the same words whether
 * the user is unknown or the password wrong — after a delay that grows with recent failures, and the server closes
 * the connection. A call other than these three before authenticating, on a server that requires it, gets the same
 * class with a message saying so, and the connection is closed. Servers that require authentication also list
 * {@link #EXTENSION} in {@code get_info}'s {@code jzeo_extensions}.
 */
public final class AuthWire {
    /** The protocol name, as {@code authentication-protocol} spells it. */
    public static final String PROTOCOL = "scram-sha-256";
    /** The name of this extension in {@code get_info}'s {@code jzeo_extensions}. */
    public static final String EXTENSION = "auth-scram-sha-256";
    /** ZEO's own class, which Python clients can import: what every authentication error is sent as. */
    public static final String ERROR_CLASS = "ZEO.Exceptions.AuthError";

    public static final String GET_PROTOCOL = "getAuthProtocol";
    public static final String START = "auth_scram_start";
    public static final String FINISH = "auth_scram_finish";

    /** What a client is told of any failed exchange. */
    public static final String FAILED = "authentication failed";

    private AuthWire() {
    }
}
