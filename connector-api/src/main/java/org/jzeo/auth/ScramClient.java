package org.jzeo.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The client side of one SCRAM-SHA-256 exchange (RFC 5802 §3, without channel binding): {@link #clientFirst()},
 * then {@link #clientFinal(String)} with the server's first message, then {@link #verifyServerFinal(String)}, which
 * proves the server knows the user's verifier. Single use.
 */
public final class ScramClient {
    /** "n,,": no channel binding, no authorization identity. */
    static final String GS2_HEADER = "n,,";

    private final String user;
    private final char[] password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramClient(String user, char[] password) {
        this(user, password, Scram.nonce());
    }

    /** With a given nonce: for RFC 7677's test vector only. */
    ScramClient(String user, char[] password, String clientNonce) {
        this.user = user;
        this.password = password.clone();
        this.clientNonce = clientNonce;
    }

    public String clientFirst() {
        clientFirstBare = "n=" + Scram.encodeName(user) + ",r=" + clientNonce;
        return GS2_HEADER + clientFirstBare;
    }

    /** The client's final message, with its proof; AuthenticationFailure if the server's first message is unusable. */
    public String clientFinal(String serverFirst) {
        if (clientFirstBare == null) {
            throw new IllegalStateException("clientFirst() first");
        }
        ScramAttributes attributes = ScramAttributes.parse(serverFirst, "server-first-message");
        String nonce = attributes.require('r');
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new AuthenticationFailure("the server's nonce does not extend the client's");
        }
        byte[] salt = Scram.unbase64(attributes.require('s'), "salt");
        int iterations;
        try {
            iterations = Integer.parseInt(attributes.require('i'));
        } catch (NumberFormatException e) {
            throw new AuthenticationFailure("malformed iteration count");
        }
        if (iterations < Scram.MIN_ITERATIONS || iterations > Scram.MAX_ITERATIONS) {
            throw new AuthenticationFailure("the server asks for " + iterations + " iterations; accepted are "
                    + Scram.MIN_ITERATIONS + " to " + Scram.MAX_ITERATIONS);
        }
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        Arrays.fill(password, '\0');
        String withoutProof = "c=" + Scram.base64(GS2_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = Scram.clientKey(salted);
        byte[] clientSignature = Scram.hmac(Scram.sha256(clientKey), authMessage);
        expectedServerSignature = Scram.hmac(Scram.serverKey(salted), authMessage);
        Arrays.fill(salted, (byte) 0);
        return withoutProof + ",p=" + Scram.base64(Scram.xor(clientKey, clientSignature));
    }

    /** Checks the server's signature; AuthenticationFailure when the server reported an error or cannot prove itself. */
    public void verifyServerFinal(String serverFinal) {
        if (expectedServerSignature == null) {
            throw new IllegalStateException("clientFinal(...) first");
        }
        ScramAttributes attributes = ScramAttributes.parse(serverFinal, "server-final-message");
        String error = attributes.get('e');
        if (error != null) {
            throw new AuthenticationFailure("the server refused: " + error);
        }
        byte[] signature = Scram.unbase64(attributes.require('v'), "server signature");
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new AuthenticationFailure("the server could not prove it knows the password's verifier");
        }
    }
}
