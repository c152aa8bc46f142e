package org.jzeo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes each outbound {@code byte[]} payload as one ZEO sized message: a 4-byte big-endian length, then the
 * payload (spec §1). Stateless, so one instance may serve every channel.
 */
@Sharable
public final class SizedMessageEncoder extends MessageToByteEncoder<byte[]> {
    public SizedMessageEncoder() {
        super(byte[].class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, byte[] msg, boolean preferDirect) {
        // Exactly the frame's size: payloads can be large pickles, no point in growing a default-sized buffer.
        return preferDirect ? ctx.alloc().ioBuffer(4 + msg.length) : ctx.alloc().heapBuffer(4 + msg.length);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, byte[] msg, ByteBuf out) {
        out.writeInt(msg.length);
        out.writeBytes(msg);
    }
}
