package org.jzeo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the inbound byte stream into ZEO sized messages (spec §1: a 4-byte unsigned big-endian length, then
 * that many payload bytes) and passes each payload on as a {@code byte[]}, so nothing past this handler sees a
 * {@code ByteBuf}. Zero-length messages are legal and come out as empty arrays.
 *
 * <p>The announced length is checked against the maximum as soon as the 4 prefix bytes are in, before any
 * payload byte is buffered or anything of that size allocated; a longer one raises
 * {@link FrameTooLargeException} (with the announced length, for the log) and every later byte is discarded,
 * because the stream cannot be resynchronised: the handler must close the connection.
 *
 * <p>One instance per channel (it keeps the partial frame).
 */
public final class SizedMessageDecoder extends ByteToMessageDecoder {
    /**
     * 64 MiB. Python has no limit, so this must be large enough for the biggest single object pickle a
     * deployment stores with {@code storea} (blobs travel in 59000-byte chunks and do not count).
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

    private static final int PREFIX = 4;

    private final int maxMessageSize;
    private boolean failed;

    public SizedMessageDecoder() {
        this(DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** @param maxMessageSize the largest payload accepted, in bytes (at most {@code Integer.MAX_VALUE - 8}) */
    public SizedMessageDecoder(int maxMessageSize) {
        if (maxMessageSize < 0 || maxMessageSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxMessageSize out of range: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < PREFIX) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > maxMessageSize) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new FrameTooLargeException(length, maxMessageSize);
        }
        if (in.readableBytes() < PREFIX + length) {
            return; // wait for the rest; ByteToMessageDecoder keeps what we did not consume
        }
        in.skipBytes(PREFIX);
        byte[] payload = new byte[(int) length];
        in.readBytes(payload);
        out.add(payload);
    }
}
