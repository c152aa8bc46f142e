package org.jzeo.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 functions of RFC 5802 and RFC 7677: Hi (PBKDF2 with HMAC-SHA-256), HMAC, H, XOR, nonces.
 * Stateless; the exchanges are {@link ScramClient} and {@link ScramServerExchange}.
 */
public final class Scram {
    /** The SASL mechanism name. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** Iterations for new verifiers: RFC 7677's minimum, which PostgreSQL also uses. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** A client refuses a server that asks for fewer: a downgrade would make stolen exchanges cheap to attack. */
    public static final int MIN_ITERATIONS = 4096;
    /** Refused above this: a hostile server could otherwise make a client spin for minutes. */
    public static final int MAX_ITERATIONS = 10_000_000;
    public static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 18;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    /**
     * SaltedPassword := Hi(Normalize(password), salt, i), Normalize being NFKC. RFC 5802 asks for SASLprep (RFC 4013),
     * whose mapping is NFKC plus a few character rules; passwords that differ only in what SASLprep alone removes are
     * rare.
     */
    public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        char[] normalized = Normalizer.normalize(new String(password), Normalizer.Form.NFKC).toCharArray();
        try {
            // PBKDF2WithHmacSHA256 encodes the chars as UTF-8, as Hi needs.
            PBEKeySpec spec = new PBEKeySpec(normalized, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            java.util.Arrays.fill(normalized, '\0');
        }
    }

    public static byte[] hmac(byte[] key, String text) {
        return hmac(key, text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** ClientKey := HMAC(SaltedPassword, "Client Key"). */
    public static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    /** ServerKey := HMAC(SaltedPassword, "Server Key"). */
    public static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    /** A fresh nonce: printable, without ',' (base64 of random bytes). */
    public static String nonce() {
        byte[] bytes = new byte[NONCE_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static byte[] randomSalt() {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return salt;
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Base64 decoding that reports a bad value as an {@link AuthenticationFailure} (hostile input is expected). */
    static byte[] unbase64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationFailure("malformed " + what);
        }
    }

    /** A username as SCRAM sends it: ',' → "=2C" and '=' → "=3D". */
    public static String encodeName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /** The inverse of {@link #encodeName}; an '=' not followed by 2C or 3D is malformed. */
    static String decodeName(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c != '=') {
                out.append(c);
            } else if (encoded.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (encoded.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                throw new AuthenticationFailure("malformed username");
            }
        }
        return out.toString();
    }
}
