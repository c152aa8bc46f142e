package org.jzeo.auth;

/**
 * A SCRAM exchange that cannot go on: a malformed message, a wrong proof, a nonce that does not match, a server
 * signature that does not verify. The message is for logs; what a client is told never says which step failed.
 */
public final class AuthenticationFailure extends RuntimeException {
    public AuthenticationFailure(String message) {
        super(message);
    }
}
