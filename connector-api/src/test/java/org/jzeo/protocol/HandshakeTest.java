package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theServerAnnouncesM5() {
        assertThat(Handshake.serverAnnouncement()).containsExactly(0x4d, 0x35);
        assertThat(Handshake.clientReply()).containsExactly(0x4d, 0x35);
        assertThat(Handshake.statusProbe()).isEqualTo(ascii("ruok"));
    }

    @Test
    void theServerAcceptsM5AndTheStatusProbe() {
        assertThat(Handshake.classifyClientReply(ascii("M5")).kind()).isEqualTo(Handshake.Kind.MSGPACK_5);
        assertThat(Handshake.classifyClientReply(ascii("M5")).reason()).isNull();
        assertThat(Handshake.classifyClientReply(ascii("ruok")).kind()).isEqualTo(Handshake.Kind.STATUS_PROBE);
    }

    @Test
    void theServerRefusesEverythingElseWithAReason() {
        assertThat(Handshake.classifyClientReply(ascii("Z5")).reason()).contains("pickle").contains("\"Z5\"");
        assertThat(Handshake.classifyClientReply(ascii("M4")).reason()).contains("version").contains("\"M4\"");
        assertThat(Handshake.classifyClientReply(ascii("M50")).isBad()).isTrue();
        assertThat(Handshake.classifyClientReply(ascii("RUOK")).isBad()).isTrue();
        assertThat(Handshake.classifyClientReply(new byte[0]).reason()).contains("empty");
        assertThat(Handshake.classifyClientReply(new byte[] {(byte) 0x94, 0x01}).reason()).contains("0x9401");
        byte[] junk = new byte[100];
        assertThat(Handshake.classifyClientReply(junk).reason()).contains("(100 bytes)");
    }

    @Test
    void theClientAcceptsM5AndNewerAsPythonDoes() {
        assertThat(Handshake.classifyServerAnnouncement(ascii("M5")).kind()).isEqualTo(Handshake.Kind.MSGPACK_5);
        // min(b"6", b"5") == b"5" and min(b"50", b"5") == b"5" in the Python client.
        assertThat(Handshake.classifyServerAnnouncement(ascii("M6")).kind()).isEqualTo(Handshake.Kind.MSGPACK_5);
        assertThat(Handshake.classifyServerAnnouncement(ascii("M50")).kind()).isEqualTo(Handshake.Kind.MSGPACK_5);
        assertThat(Handshake.classifyServerAnnouncement(ascii("M4")).reason()).contains("older");
        assertThat(Handshake.classifyServerAnnouncement(ascii("M3101")).isBad()).isTrue();
        assertThat(Handshake.classifyServerAnnouncement(ascii("M")).isBad()).isTrue();
        assertThat(Handshake.classifyServerAnnouncement(ascii("Z5")).reason()).contains("msgpack true");
        assertThat(Handshake.classifyServerAnnouncement(new byte[0]).isBad()).isTrue();
        assertThat(Handshake.classifyServerAnnouncement(ascii("ruok")).isBad()).isTrue();
    }
}
