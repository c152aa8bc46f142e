package org.jzeo.bench.objects;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CompatibleFieldSerializer;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jzeo.bench.BenchSupport;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.codec.ObjectCodec;
import org.jzeo.objects.codec.ReferenceReader;
import org.jzeo.objects.codec.ReferenceWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Encode and decode cost (ns/op, one thread) and encoded size of two objects with jzeo's {@link ObjectCodec},
 * Kryo 5 and Jackson Smile, in configurations as close as they get to what the object layer needs from a record
 * format: self-describing (the class is found from the bytes), fields matched by name (a class may gain, lose or
 * rename fields and still read old records), no registration of classes in advance.
 * <ul>
 *   <li><b>jzeo</b>: {@code ObjectCodec.encode} (class name + fields by name, msgpack); decode is {@code classOf},
 *       {@code newInstance} and {@code decodeInto}, as the object layer reads a record.</li>
 *   <li><b>kryo</b>: {@code writeClassAndObject} with {@link CompatibleFieldSerializer} as the default serializer,
 *       registration not required (class names written), references off (Kryo 5's default); one {@code Kryo} and
 *       one reused {@code Output} buffer per thread, {@code toBytes()} copying the result out.</li>
 *   <li><b>smile</b>: Jackson Smile, fields (not getters) by name, the root read as its declared class: no class
 *       name in the bytes, the best case for Jackson.</li>
 *   <li><b>smile+type</b>: the same with default typing {@code NON_FINAL} as a property, read as {@code Object}:
 *       the class is named in the bytes (as jzeo and Kryo do), and so is every non-final value's.</li>
 * </ul>
 * Each case is checked to round-trip to an equal object before it is timed. Timing: a warm-up of
 * {@code --warmup-ms}, then {@code --batches} batches of {@code --batch-ms}; the median batch is reported.
 */
@Command(name = "SerializerShootout", mixinStandardHelpOptions = true, sortOptions = false,
        description = "jzeo's ObjectCodec against Kryo 5 and Jackson Smile: ns/op and bytes.")
public final class SerializerShootout implements Callable<Integer> {

    // ------------------------------------------------------------------ the objects

    /** The zodbshootout object: one 128-character string. */
    public static final class ShootoutObject extends Persistent {
        String data;

        public ShootoutObject() {
        }

        ShootoutObject(String data) {
            this.data = data;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShootoutObject s && Objects.equals(data, s.data);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(data);
        }
    }

    public enum Tier { STANDARD, GOLD, PLATINUM }

    public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {
    }

    /** A plain (non-persistent) value object, stored inside its holder's record. */
    public static final class Address {
        String street;
        String city;
        String postcode;
        String country;

        public Address() {
        }

        Address(String street, String city, String postcode, String country) {
            this.street = street;
            this.city = city;
            this.postcode = postcode;
            this.country = country;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && Objects.equals(street, a.street) && Objects.equals(city, a.city)
                    && Objects.equals(postcode, a.postcode) && Objects.equals(country, a.country);
        }

        @Override
        public int hashCode() {
            return Objects.hash(street, city, postcode, country);
        }
    }

    /** A typical business object. */
    public static final class Customer extends Persistent {
        String name;
        BigDecimal balance;
        Tier tier;
        LocalDate since;
        List<OrderLine> lines;
        Address address;

        public Customer() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Customer c && Objects.equals(name, c.name) && Objects.equals(balance, c.balance)
                    && tier == c.tier && Objects.equals(since, c.since) && Objects.equals(lines, c.lines)
                    && Objects.equals(address, c.address);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, balance, tier, since, lines, address);
        }
    }

    static ShootoutObject shootoutObject() {
        StringBuilder b = new StringBuilder(128);
        for (int i = 0; i < 128; i++) {
            b.append((char) ('a' + (i * 7) % 26));
        }
        return new ShootoutObject(b.toString());
    }

    static Customer customer() {
        Customer c = new Customer();
        c.name = "Ann Example-Whitfield";
        c.balance = new BigDecimal("12345.67");
        c.tier = Tier.GOLD;
        c.since = LocalDate.of(2019, 4, 23);
        c.lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            c.lines.add(new OrderLine("SKU-" + (1000 + i), i + 1, new BigDecimal("19.9" + i)));
        }
        c.address = new Address("12 Harbour Street", "Portsmouth", "PO1 3AX", "GB");
        return c;
    }

    // ------------------------------------------------------------------ the codecs

    interface Codec {
        String name();

        byte[] encode(Object value);

        Object decode(byte[] bytes, Class<?> type);
    }

    static final class JzeoCodec implements Codec, ReferenceWriter, ReferenceReader {
        private final ObjectCodec codec = new ObjectCodec(ObjectTypes.of(ShootoutObject.class, Customer.class,
                Tier.class, OrderLine.class, Address.class).resolver());

        @Override
        public String name() {
            return "jzeo ObjectCodec";
        }

        @Override
        public byte[] encode(Object value) {
            return codec.encode(value, this);
        }

        @Override
        public Object decode(byte[] bytes, Class<?> ignored) {
            Class<?> type = codec.classOf(bytes, "bench");
            Object target = codec.model(type).newInstance();
            codec.decodeInto(target, bytes, this, "bench");
            return target;
        }

        @Override public boolean isPersistent(Object value) { return false; }
        @Override public long oidOf(Object persistent) { throw new UnsupportedOperationException(); }
        @Override public boolean isLazy(Object value) { return false; }
        @Override public long lazyOid(Object lazy) { throw new UnsupportedOperationException(); }
        @Override public Class<?> lazyTargetClass(Object lazy) { throw new UnsupportedOperationException(); }
        @Override public Object reference(long oid, Class<?> type) { throw new UnsupportedOperationException(); }
        @Override public Object lazyReference(long oid, Class<?> type) { throw new UnsupportedOperationException(); }
    }

    static final class KryoCodec implements Codec {
        private final Kryo kryo = new Kryo();
        private final Output output = new Output(1024, -1);
        private final Input input = new Input();

        KryoCodec() {
            kryo.setRegistrationRequired(false);
            kryo.setDefaultSerializer(CompatibleFieldSerializer.class);
        }

        @Override
        public String name() {
            return "Kryo 5 CompatibleFieldSerializer";
        }

        @Override
        public byte[] encode(Object value) {
            output.reset();
            kryo.writeClassAndObject(output, value);
            return output.toBytes();
        }

        @Override
        public Object decode(byte[] bytes, Class<?> type) {
            input.setBuffer(bytes);
            return kryo.readClassAndObject(input);
        }
    }

    static final class SmileCodec implements Codec {
        private final boolean typed;
        private final ObjectWriter writer;
        private final ObjectMapper mapper;
        private ObjectReader shootoutReader;
        private ObjectReader customerReader;
        private ObjectReader objectReader;

        SmileCodec(boolean typed) {
            this.typed = typed;
            SmileMapper m = new SmileMapper();
            m.registerModule(new JavaTimeModule()); // LocalDate
            m.setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE);
            m.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
            m.setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY);
            m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false); // evolvable: ignore removed fields
            if (typed) {
                m.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL,
                        JsonTypeInfo.As.PROPERTY);
            }
            mapper = m;
            writer = typed ? m.writerFor(Object.class) : m.writer();
            shootoutReader = m.readerFor(ShootoutObject.class);
            customerReader = m.readerFor(Customer.class);
            objectReader = m.readerFor(Object.class);
        }

        @Override
        public String name() {
            return typed ? "Jackson Smile, default typing" : "Jackson Smile, typed root";
        }

        @Override
        public byte[] encode(Object value) {
            try {
                return writer.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Object decode(byte[] bytes, Class<?> type) {
            try {
                ObjectReader r = typed ? objectReader : type == Customer.class ? customerReader : shootoutReader;
                return r.readValue(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ------------------------------------------------------------------ measuring

    @Option(names = "--warmup-ms", description = "Warm-up per case (default: ${DEFAULT-VALUE}).")
    long warmupMs = 1500;

    @Option(names = "--batch-ms", description = "Length of a measured batch (default: ${DEFAULT-VALUE}).")
    long batchMs = 300;

    @Option(names = "--batches", description = "Measured batches per case (default: ${DEFAULT-VALUE}).")
    int batches = 15;

    /** Consumed results, so the JIT cannot drop the work. */
    private static volatile int sink;
    private static volatile Object sinkObject;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SerializerShootout()).execute(args));
    }

    @Override
    public Integer call() {
        System.out.println("# jzeo SerializerShootout, java " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + BenchSupport.loadAverage()
                + "; one thread; median of " + batches + " batches of " + batchMs + " ms after " + warmupMs
                + " ms warm-up");
        List<Codec> codecs = List.of(new JzeoCodec(), new KryoCodec(), new SmileCodec(false), new SmileCodec(true));
        Object[] objects = {shootoutObject(), customer()};
        String[] names = {"shootout object (one 128-char string)", "Customer (name, BigDecimal, enum, LocalDate,"
                + " 5 records, value object)"};
        List<String> rows = new ArrayList<>();
        for (int o = 0; o < objects.length; o++) {
            Object value = objects[o];
            for (Codec codec : codecs) {
                byte[] bytes = codec.encode(value);
                Object back = codec.decode(bytes, value.getClass());
                if (!value.equals(back)) {
                    throw new IllegalStateException(codec.name() + " does not round-trip " + names[o] + ": got "
                            + back);
                }
                double[] encode = measure(() -> sink += codec.encode(value).length);
                double[] decode = measure(() -> sinkObject = codec.decode(bytes, value.getClass()));
                String row = String.format(Locale.ROOT, "| %s | %s | %d | %.0f (%.0f) | %.0f (%.0f) | %.0f (%.0f) |",
                        names[o], codec.name(), bytes.length, encode[0], encode[1], decode[0], decode[1],
                        encode[0] + decode[0], encode[1] + decode[1]);
                System.out.println(row);
                System.out.printf(Locale.ROOT, "RESULT object=%s codec=\"%s\" bytes=%d encode=%.0fns decode=%.0fns"
                        + " (best batch %.0f / %.0f)%n", o == 0 ? "shootout" : "customer", codec.name(), bytes.length,
                        encode[0], decode[0], encode[1], decode[1]);
                rows.add(row);
            }
        }
        System.out.println();
        System.out.println("| object | codec | bytes | encode ns/op, median (best) | decode ns/op, median (best)"
                + " | encode + decode |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        return 0;
    }

    /** ns per call: warm-up, then the median and the best of the measured batches. */
    private double[] measure(Runnable op) {
        long warmEnd = System.nanoTime() + warmupMs * 1_000_000;
        long calls = 0;
        while (System.nanoTime() < warmEnd) {
            for (int i = 0; i < 100; i++) {
                op.run();
            }
            calls += 100;
        }
        double perCall = warmupMs * 1e6 / Math.max(1, calls);
        int perBatch = (int) Math.max(100, Math.min(Integer.MAX_VALUE, batchMs * 1e6 / perCall));
        double[] ns = new double[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                op.run();
            }
            ns[b] = (System.nanoTime() - t0) / (double) perBatch;
        }
        Arrays.sort(ns);
        return new double[] {BenchSupport.median(ns), ns[0]};
    }
}
