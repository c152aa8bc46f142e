package org.jzeo.objects.codec;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The state of one persistent object as bytes: a format byte, the class's stored name, then its fields by name
 * (msgpack; values described on {@link Tags}). Fields are matched by name on reading, so adding, removing and
 * renaming fields (with their former names) keep old states readable; classes are found only through the
 * {@link ClassResolver} (the allow-list), never by loading a name from the data. No {@code java.io} serialization.
 *
 * <p>Thread-safe: class models are computed once per class and shared.
 */
public final class ObjectCodec {
    /** The first byte of every state this codec writes: not a pickle opcode, so Python records are told apart. */
    public static final byte FORMAT = 0x01;

    /**
     * msgpack's defaults are sized for streams: every new unpacker allocates an 8 Ki-char buffer for decoding
     * strings, and every buffer packer an 8 KiB buffer. A state is a small byte array read and written whole (strings
     * decode straight from the array; the char buffer serves only strings split across input buffers, which a byte
     * array never has), so those allocations were most of the cost of reading or writing a small object.
     */
    private static final MessagePack.UnpackerConfig UNPACKER = new MessagePack.UnpackerConfig()
            .withStringDecoderBufferSize(256);
    private static final MessagePack.PackerConfig PACKER = new MessagePack.PackerConfig().withBufferSize(1024);

    private final ClassResolver resolver;
    private final ConcurrentHashMap<Class<?>, ClassModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, byte[]> packedNames = new ConcurrentHashMap<>();

    public ObjectCodec(ClassResolver resolver) {
        this.resolver = resolver;
    }

    ClassResolver resolver() {
        return resolver;
    }

    /** The stored name of {@code type} as packed msgpack bytes (checked against the allow-list once). */
    byte[] packedName(Class<?> type) {
        byte[] packed = packedNames.get(type);
        if (packed == null) {
            packed = Packed.string(resolver.nameOf(type));
            packedNames.put(type, packed);
        }
        return packed;
    }

    /** How {@code type} is stored. */
    public ClassModel model(Class<?> type) {
        ClassModel model = models.get(type);
        if (model == null) {
            model = models.computeIfAbsent(type, t -> ClassModel.of(t, resolver));
        }
        return model;
    }

    /** The state of {@code instance}: its class's stored name and every stored field. */
    public byte[] encode(Object instance, ReferenceWriter references) {
        return newEncoder().encode(instance, references);
    }

    /** An encoder that reuses its buffer: for one thread (a connection encodes many states per commit). */
    public Encoder newEncoder() {
        return new Encoder();
    }

    /** Encodes states into a buffer it keeps between calls. Not thread-safe. */
    public final class Encoder {
        private static final byte[] FORMAT_BYTE = {FORMAT};
        private final MessageBufferPacker out = PACKER.newBufferPacker();

        private Encoder() {
        }

        /** As {@link ObjectCodec#encode}. The top-level class and field names are never abbreviated. */
        public byte[] encode(Object instance, ReferenceWriter references) {
            out.clear();
            try {
                ClassModel model = model(instance.getClass());
                out.writePayload(FORMAT_BYTE);
                out.writePayload(packedName(instance.getClass()));
                new StateWriter(ObjectCodec.this, out, references, instance).writeFields(model, instance, 0);
                return out.toByteArray();
            } catch (IOException e) {
                throw new ObjectFormatException("cannot write " + instance.getClass().getName() + ": " + e, e);
            }
        }
    }

    /** True if {@code payload} is a state this codec wrote (rather than, say, a Python pickle). */
    public static boolean isObjectState(byte[] payload) {
        return payload.length > 0 && payload[0] == FORMAT;
    }

    /**
     * The class a state is an instance of, checked against the allow-list.
     *
     * @param where names the record in messages (its oid); its {@code toString()} is called only for an error
     */
    public Class<?> classOf(byte[] payload, Object where) {
        requireFormat(payload, where);
        try (MessageUnpacker in = UNPACKER.newUnpacker(payload, 1, payload.length - 1)) {
            return resolver.resolve(in.unpackString());
        } catch (IOException | RuntimeException e) {
            throw rethrow(e, where);
        }
    }

    /**
     * Sets {@code target}'s fields from the state (fields it does not store keep their values).
     *
     * @param where names the record in messages; its {@code toString()} is called only for an error
     */
    public void decodeInto(Object target, byte[] payload, ReferenceReader references, Object where) {
        requireFormat(payload, where);
        try (MessageUnpacker in = UNPACKER.newUnpacker(payload, 1, payload.length - 1)) {
            in.skipValue(); // the class name: the caller made target from it
            new StateReader(this, in, references, where).readFields(model(target.getClass()), target);
        } catch (IOException | RuntimeException e) {
            throw rethrow(e, where);
        }
    }

    private static void requireFormat(byte[] payload, Object where) {
        if (!isObjectState(payload)) {
            throw new ObjectFormatException(where + " is not an object state written by jzeo's object layer"
                    + (payload.length == 0 ? " (empty)" : String.format(" (first byte 0x%02x)", payload[0] & 0xFF)));
        }
    }

    private static RuntimeException rethrow(Exception e, Object where) {
        if (e instanceof ObjectFormatException || e instanceof ForbiddenClassException) {
            return (RuntimeException) e;
        }
        if (e instanceof org.jzeo.api.StorageException se) {
            return se;
        }
        return new ObjectFormatException(where + " cannot be read: " + e, e);
    }
}
