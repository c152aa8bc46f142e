package org.jzeo.server.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted private key from a PEM file in every form OpenSSL (and so ZEO's server) loads: PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa} wrote for
 * years, and what ZEO's own test keys are) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The file may hold
 * certificates too (ZEO's {@code certificate} file with the key in it). The JDK reads only PKCS#8, so the other
 * two are wrapped in a PKCS#8 structure first; their bytes are not otherwise interpreted.
 */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    /** rsaEncryption, 1.2.840.113549.1.1.1, DER-encoded with its tag. */
    private static final byte[] RSA_ALGORITHM = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
        0x0d, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1, DER-encoded with its tag. */
    private static final byte[] EC_ALGORITHM = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};

    private PemKeys() {
    }

    /** The first private key in {@code file}; IllegalArgumentException naming the file if there is none usable. */
    static PrivateKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the key file " + file + ": " + e.getMessage(), e);
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            String body = m.group(2);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            if (type.startsWith("ENCRYPTED") || body.contains("Proc-Type: 4,ENCRYPTED")) {
                throw new IllegalArgumentException("the key in " + file + " is encrypted; jzeo needs an unencrypted"
                        + " key (ZEO's password-function is Python code): decrypt it with"
                        + " 'openssl pkey -in KEY -out KEY.plain'");
            }
            byte[] der = Base64.getMimeDecoder().decode(body);
            try {
                return switch (type) {
                    case "PRIVATE KEY" -> pkcs8(der);
                    case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA")
                            .generatePrivate(new PKCS8EncodedKeySpec(wrap(sequence(RSA_ALGORITHM, DER_NULL), der)));
                    case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC")
                            .generatePrivate(new PKCS8EncodedKeySpec(wrap(sequence(EC_ALGORITHM, curveOf(der)), der)));
                    default -> throw new IllegalArgumentException("unsupported key type '" + type + "'");
                };
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the " + type + " in " + file + ": " + e.getMessage(),
                        e);
            }
        }
        throw new IllegalArgumentException("no private key in " + file
                + " (expected a PEM block 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey (SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }), as
     * the DER-encoded OID; PKCS#8 carries it in the algorithm identifier.
     */
    private static byte[] curveOf(byte[] sec1) {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("an EC key is a DER SEQUENCE");
        }
        int at = outer.contentStart;
        while (at < outer.end) {
            Der field = new Der(sec1, at);
            if (field.tag == 0xa0) {
                Der oid = new Der(sec1, field.contentStart);
                return Arrays.copyOfRange(sec1, oid.start, oid.end);
            }
            at = field.end;
        }
        throw new IllegalArgumentException("the EC key does not name its curve");
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** One DER element's tag and extent in a buffer (definite lengths only, as DER requires). */
    private static final class Der {
        final int start;
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int start) {
            this.start = start;
            this.tag = der[start] & 0xff;
            int lengthByte = der[start + 1] & 0xff;
            int length;
            int at = start + 2;
            if (lengthByte < 0x80) {
                length = lengthByte;
            } else {
                int bytes = lengthByte & 0x7f;
                if (bytes == 0 || bytes > 4) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[at++] & 0xff);
                }
            }
            this.contentStart = at;
            this.end = at + length;
            if (length < 0 || end > der.length) {
                throw new IllegalArgumentException("truncated DER element");
            }
        }
    }
}
