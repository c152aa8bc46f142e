package org.jzeo.server.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key forms OpenSSL writes and ZEO's server loads: PKCS#1 RSA (ZEO's own test keys, {@code openssl genrsa}),
 * SEC1 EC ({@code openssl ecparam -genkey}) and PKCS#8. The PKCS#1 and SEC1 structures are built here from the
 * key's numbers, independently of the code under test.
 */
class PemKeysTest {
    /** prime256v1 / secp256r1, 1.2.840.10045.3.1.7. */
    private static final byte[] P256_OID = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};

    @TempDir
    Path dir;

    @Test
    void readsAPkcs1RsaKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
        byte[] pkcs1 = sequence(integer(BigInteger.ZERO), integer(key.getModulus()), integer(key.getPublicExponent()),
                integer(key.getPrivateExponent()), integer(key.getPrimeP()), integer(key.getPrimeQ()),
                integer(key.getPrimeExponentP()), integer(key.getPrimeExponentQ()), integer(key.getCrtCoefficient()));
        Path file = pem("rsa.pem", "RSA PRIVATE KEY", pkcs1);

        PrivateKey read = PemKeys.read(file);

        assertThat(read).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(read.getEncoded()).isEqualTo(key.getEncoded());
    }

    @Test
    void readsASec1EcKeyWithItsCurve() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ECPrivateKey key = (ECPrivateKey) generator.generateKeyPair().getPrivate();
        byte[] scalar = fixedLength(key.getS(), 32);
        byte[] sec1 = sequence(integer(BigInteger.ONE), tlv(0x04, scalar), tlv(0xa0, P256_OID));
        Path file = pem("ec.pem", "EC PRIVATE KEY", sec1);

        PrivateKey read = PemKeys.read(file);

        assertThat(read).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) read).getS()).isEqualTo(key.getS());
    }

    @Test
    void readsAPkcs8KeyAfterACertificateInTheSameFile() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        String certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        Path file = dir.resolve("both.pem");
        Files.writeString(file, certificate + pemText("PRIVATE KEY", pair.getPrivate().getEncoded()));

        assertThat(PemKeys.read(file).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDo() throws Exception {
        Path file = pem("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0x00});

        assertThatThrownBy(() -> PemKeys.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("encrypted")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void aFileWithoutAKeyNamesTheFile() throws Exception {
        Path file = dir.resolve("cert-only.pem");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> PemKeys.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no private key in " + file);
    }

    private Path pem(String name, String type, byte[] der) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, pemText(type, der), StandardCharsets.US_ASCII);
        return file;
    }

    private static String pemText(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] fixedLength(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
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
        if (content.length < 0x80) {
            out.write(content.length);
        } else if (content.length < 0x100) {
            out.write(0x81);
            out.write(content.length);
        } else {
            out.write(0x82);
            out.write(content.length >>> 8);
            out.write(content.length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
