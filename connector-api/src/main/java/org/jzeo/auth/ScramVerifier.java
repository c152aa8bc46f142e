package org.jzeo.auth;

import java.util.Arrays;

/**
 * What a server keeps of a password (RFC 5802 §3): salt, iteration count, StoredKey and ServerKey. Enough to check a
 * client's proof and to prove the server knows it, not enough to log in as the user. Written as PostgreSQL writes
 * its SCRAM verifiers: {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (base64).
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    private static final String PREFIX = Scram.MECHANISM + "$";

    public ScramVerifier {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive, got " + iterations);
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** A verifier for {@code password} with a fresh salt. */
    public static ScramVerifier of(char[] password) {
        return of(password, Scram.randomSalt(), Scram.DEFAULT_ITERATIONS);
    }

    public static ScramVerifier of(char[] password, byte[] salt, int iterations) {
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        ScramVerifier verifier = new ScramVerifier(iterations, salt, Scram.sha256(Scram.clientKey(salted)),
                Scram.serverKey(salted));
        Arrays.fill(salted, (byte) 0);
        return verifier;
    }

    /** The verifier's text form; see the class comment. */
    public String format() {
        return PREFIX + iterations + ":" + Scram.base64(salt) + "$" + Scram.base64(storedKey) + ":"
                + Scram.base64(serverKey);
    }

    /** Parses {@link #format()}'s text; IllegalArgumentException saying what is wrong. */
    public static ScramVerifier parse(String text) {
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a " + Scram.MECHANISM + " verifier (it must start with "
                    + PREFIX + ")");
        }
        String[] halves = text.substring(PREFIX.length()).split("\\$", -1);
        if (halves.length != 2) {
            throw new IllegalArgumentException("a verifier is " + PREFIX + "ITERATIONS:SALT$STOREDKEY:SERVERKEY");
        }
        String[] first = halves[0].split(":", -1);
        String[] second = halves[1].split(":", -1);
        if (first.length != 2 || second.length != 2) {
            throw new IllegalArgumentException("a verifier is " + PREFIX + "ITERATIONS:SALT$STOREDKEY:SERVERKEY");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(first[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad iteration count '" + first[0] + "'");
        }
        try {
            java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
            byte[] storedKey = b64.decode(second[0]);
            byte[] serverKey = b64.decode(second[1]);
            if (storedKey.length != 32 || serverKey.length != 32) {
                throw new IllegalArgumentException("StoredKey and ServerKey must be 32 bytes each");
            }
            return new ScramVerifier(iterations, b64.decode(first[1]), storedKey, serverKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in the verifier: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramVerifier v && v.iterations == iterations && Arrays.equals(v.salt, salt)
                && Arrays.equals(v.storedKey, storedKey) && Arrays.equals(v.serverKey, serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storedKey);
    }

    @Override
    public String toString() {
        return "ScramVerifier[" + iterations + " iterations]";
    }
}
