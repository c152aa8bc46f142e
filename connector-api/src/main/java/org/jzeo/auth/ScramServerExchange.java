package org.jzeo.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * The server side of one SCRAM-SHA-256 exchange: {@link #start(String)} answers the client's first message,
 * {@link #finish(String)} checks its proof and answers with the server's signature. Single use; every failure is an
 * {@link AuthenticationFailure} whose message is for the log, not for the client.
 *
 * <p>An unknown user is answered with a made-up verifier (salt derived from the name, so the same each time), and
 * fails only at the proof, like a wrong password: the answers do not tell whether a user exists.
 */
public final class ScramServerExchange {
    /** Longer names are refused before any lookup. */
    public static final int MAX_USERNAME_CHARS = 256;

    private final Function<String, ScramVerifier> verifiers;
    private final Function<String, ScramVerifier> decoys;
    private final String serverNonce;
    private String user;
    private boolean known;
    private ScramVerifier verifier;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private boolean done;

    /**
     * @param verifiers the verifier of a user, null when there is none
     * @param decoys    a stable made-up verifier for a user who does not exist
     */
    public ScramServerExchange(Function<String, ScramVerifier> verifiers, Function<String, ScramVerifier> decoys) {
        this(verifiers, decoys, Scram.nonce());
    }

    ScramServerExchange(Function<String, ScramVerifier> verifiers, Function<String, ScramVerifier> decoys,
                        String serverNonce) {
        this.verifiers = verifiers;
        this.decoys = decoys;
        this.serverNonce = serverNonce;
    }

    /** The server-first-message for the client's first message. */
    public String start(String clientFirst) {
        if (serverFirst != null) {
            throw new AuthenticationFailure("the exchange was already started");
        }
        if (clientFirst == null || clientFirst.length() > ScramAttributes.MAX_MESSAGE_CHARS) {
            throw new AuthenticationFailure("client-first-message missing or too long");
        }
        // gs2-header: a channel-binding flag, then an optional authorization identity.
        int first = clientFirst.indexOf(',');
        int second = first < 0 ? -1 : clientFirst.indexOf(',', first + 1);
        if (second < 0) {
            throw new AuthenticationFailure("malformed gs2 header");
        }
        String binding = clientFirst.substring(0, first);
        if (binding.startsWith("p=")) {
            throw new AuthenticationFailure("channel binding was asked for; this server offers " + Scram.MECHANISM
                    + " without it");
        }
        if (!binding.equals("n") && !binding.equals("y")) {
            throw new AuthenticationFailure("malformed channel-binding flag");
        }
        String authzid = clientFirst.substring(first + 1, second);
        gs2Header = clientFirst.substring(0, second + 1);
        clientFirstBare = clientFirst.substring(second + 1);
        ScramAttributes bare = ScramAttributes.parse(clientFirstBare, "client-first-message");
        if (!bare.names().startsWith("nr")) {
            throw new AuthenticationFailure("client-first-message must start with n= and r=");
        }
        String name = Scram.decodeName(bare.require('n'));
        if (name.length() > MAX_USERNAME_CHARS) {
            throw new AuthenticationFailure("username longer than " + MAX_USERNAME_CHARS + " characters");
        }
        if (!authzid.isEmpty() && !authzid.equals("a=" + Scram.encodeName(name))) {
            throw new AuthenticationFailure("an authorization identity other than the user is not supported");
        }
        String clientNonce = bare.require('r');
        if (!printable(clientNonce)) {
            throw new AuthenticationFailure("malformed client nonce");
        }
        user = name;
        verifier = verifiers.apply(name);
        known = verifier != null;
        if (!known) {
            verifier = decoys.apply(name);
        }
        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + Scram.base64(verifier.salt()) + ",i=" + verifier.iterations();
        return serverFirst;
    }

    /** Checks the client's proof; returns the server-final-message, or throws AuthenticationFailure. */
    public String finish(String clientFinal) {
        if (serverFirst == null || done) {
            throw new AuthenticationFailure("client-final-message out of order");
        }
        done = true;
        ScramAttributes attributes = ScramAttributes.parse(clientFinal, "client-final-message");
        if (!attributes.names().startsWith("cr") || !attributes.names().endsWith("p")) {
            throw new AuthenticationFailure("client-final-message must be c=, r=, ..., p=");
        }
        String binding = new String(Scram.unbase64(attributes.require('c'), "channel binding"),
                StandardCharsets.US_ASCII);
        if (!binding.equals(gs2Header)) {
            throw new AuthenticationFailure("channel-binding data does not match the gs2 header");
        }
        if (!attributes.require('r').equals(nonce)) {
            throw new AuthenticationFailure("nonce mismatch (a replayed or forged exchange)");
        }
        byte[] proof = Scram.unbase64(attributes.require('p'), "proof");
        if (proof.length != 32) {
            throw new AuthenticationFailure("proof of " + proof.length + " bytes");
        }
        String withoutProof = clientFinal.substring(0, clientFinal.lastIndexOf(",p="));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = Scram.hmac(verifier.storedKey(), authMessage);
        byte[] clientKey = Scram.xor(proof, clientSignature);
        boolean matches = MessageDigest.isEqual(Scram.sha256(clientKey), verifier.storedKey());
        if (!known || !matches) {
            throw new AuthenticationFailure(known ? "wrong password" : "unknown user");
        }
        return "v=" + Scram.base64(Scram.hmac(verifier.serverKey(), authMessage));
    }

    /** The user named in the client's first message (null before {@link #start}); authenticated only after finish. */
    public String user() {
        return user;
    }

    private static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }
}
