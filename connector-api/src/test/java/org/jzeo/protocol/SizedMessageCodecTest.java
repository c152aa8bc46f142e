package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SizedMessageCodecTest {

    private static ByteBuf bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return Unpooled.wrappedBuffer(b);
    }

    private static List<byte[]> drain(EmbeddedChannel channel) {
        List<byte[]> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add((byte[]) o);
        }
        return out;
    }

    @Test
    void aTwoGigabyteAnnouncementIsRefusedAsSoonAsThePrefixArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder(1024));
        // Only the 4 prefix bytes: the decoder cannot have waited for (or allocated) the payload.
        assertThatThrownBy(() -> channel.writeInbound(bytes(0x80, 0x00, 0x00, 0x00)))
                .isInstanceOf(FrameTooLargeException.class)
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("2147483648")
                .satisfies(e -> {
                    assertThat(((FrameTooLargeException) e).announcedLength()).isEqualTo(2147483648L);
                    assertThat(((FrameTooLargeException) e).maximumLength()).isEqualTo(1024);
                });
        // Whatever follows is discarded: the stream cannot be resynchronised.
        channel.writeInbound(bytes(0, 0, 0, 1, 0x42));
        assertThat(drain(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void theLengthIsUnsigned() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder());
        assertThatThrownBy(() -> channel.writeInbound(bytes(0xff, 0xff, 0xff, 0xff, 1, 2, 3)))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.announcedLength()).isEqualTo(4294967295L));
        channel.finishAndReleaseAll();
    }

    @Test
    void theMaximumItselfIsAccepted() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder(3));
        channel.writeInbound(bytes(0, 0, 0, 3, 7, 8, 9));
        assertThat(drain(channel)).containsExactly(new byte[] {7, 8, 9});
        assertThatThrownBy(() -> channel.writeInbound(bytes(0, 0, 0, 4)))
                .isInstanceOf(FrameTooLargeException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void zeroLengthMessagesAreLegal() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder());
        channel.writeInbound(bytes(0, 0, 0, 0, 0, 0, 0, 2, 'M', '5', 0, 0, 0, 0));
        List<byte[]> frames = drain(channel);
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0)).isEmpty();
        assertThat(frames.get(1)).containsExactly('M', '5');
        assertThat(frames.get(2)).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bytesArrivingOneAtATimeGiveTheSameFramesAsTheCapture() {
        // A whole captured client stream, handshake included, fed byte by byte.
        WireVectors.Connection connection = WireVectors.connections().stream()
                .filter(c -> c.scenario().equals("smoke-M5") && c.number() == 1).findFirst().orElseThrow();
        byte[] stream = connection.c2sBytes();
        List<WireVectors.Frame> expected = WireVectors.frames(stream);

        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder());
        List<byte[]> received = new ArrayList<>();
        for (byte b : stream) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            received.addAll(drain(channel));
        }
        assertThat(received).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(received.get(i)).as("frame %d", i).isEqualTo(expected.get(i).payload());
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aWholeCapturedStreamInOneReadGivesEveryFrame() {
        WireVectors.Connection connection = WireVectors.connections().stream()
                .filter(c -> c.scenario().equals("reads-M5") && c.number() == 2).findFirst().orElseThrow();
        byte[] stream = connection.s2cBytes();
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(stream));
        List<byte[]> received = drain(channel);
        List<WireVectors.Frame> expected = WireVectors.frames(stream);
        assertThat(received).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(received.get(i)).isEqualTo(expected.get(i).payload());
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void aPartialFrameWaitsForTheRest() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageDecoder());
        channel.writeInbound(bytes(0, 0));
        channel.writeInbound(bytes(0, 3, 1));
        assertThat(drain(channel)).isEmpty();
        channel.writeInbound(bytes(2, 3, 0, 0));
        assertThat(drain(channel)).containsExactly(new byte[] {1, 2, 3});
        channel.writeInbound(bytes(0, 0));
        assertThat(drain(channel)).containsExactly(new byte[0]);
        channel.finishAndReleaseAll();
    }

    @Test
    void theEncoderWritesTheLengthPrefixAndThePayload() {
        EmbeddedChannel channel = new EmbeddedChannel(new SizedMessageEncoder());
        channel.writeOutbound(new byte[] {'M', '5'}, new byte[0]);
        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        assertThat(WireVectors.hex(toArray(first))).isEqualTo("000000024d35");
        assertThat(WireVectors.hex(toArray(second))).isEqualTo("00000000");
        first.release();
        second.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void encoderAndDecoderRoundTripACapturedStream() {
        WireVectors.Connection connection = WireVectors.connections().stream()
                .filter(c -> c.scenario().equals("undo-M5") && c.number() == 1).findFirst().orElseThrow();
        byte[] stream = connection.s2cBytes();
        EmbeddedChannel encoder = new EmbeddedChannel(new SizedMessageEncoder());
        for (WireVectors.Frame frame : WireVectors.frames(stream)) {
            encoder.writeOutbound(frame.payload());
        }
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        assertThat(toArray(all)).isEqualTo(stream);
    }

    @Test
    void aSillyMaximumIsRefused() {
        assertThatThrownBy(() -> new SizedMessageDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SizedMessageDecoder().maxMessageSize()).isEqualTo(SizedMessageDecoder.DEFAULT_MAX_MESSAGE_SIZE);
    }

    private static byte[] toArray(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
