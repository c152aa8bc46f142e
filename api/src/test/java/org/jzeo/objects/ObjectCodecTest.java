package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.jzeo.api.Oid;
import org.jzeo.objects.Samples.Address;
import org.jzeo.objects.Samples.Customer;
import org.jzeo.objects.Samples.Everything;
import org.jzeo.objects.Samples.Money;
import org.jzeo.objects.Samples.Order;
import org.jzeo.objects.Samples.Tier;
import org.jzeo.objects.codec.ForbiddenClassException;
import org.jzeo.objects.codec.ObjectCodec;
import org.jzeo.objects.codec.ObjectFormatException;
import org.jzeo.objects.codec.ReferenceReader;
import org.jzeo.objects.codec.ReferenceWriter;
import org.junit.jupiter.api.Test;

class ObjectCodecTest {
    private final ObjectTypes types = ObjectTypes.of(Everything.class, Customer.class, Order.class, Address.class,
            Money.class, Tier.class);
    private final ObjectCodec codec = new ObjectCodec(types.resolver());
    private final Oids oids = new Oids();

    /** Gives persistent objects oids in memory, as a session does, and turns them back into the same instances. */
    static final class Oids implements ReferenceWriter, ReferenceReader {
        final Map<Long, Persistent> byOid = new HashMap<>();
        final List<Long> written = new ArrayList<>();
        long next = 1;

        @Override
        public boolean isPersistent(Object value) {
            return value instanceof Persistent;
        }

        @Override
        public long oidOf(Object value) {
            Persistent p = (Persistent) value;
            if (p.jzeoOid == null) {
                p.jzeoOid = Oid.of(next++);
                byOid.put(p.jzeoOid.value(), p);
            }
            written.add(p.jzeoOid.value());
            return p.jzeoOid.value();
        }

        @Override
        public boolean isLazy(Object value) {
            return value instanceof Lazy<?>;
        }

        @Override
        public long lazyOid(Object value) {
            Lazy<?> lazy = (Lazy<?>) value;
            Persistent target = lazy.unsavedTarget();
            return target != null ? oidOf(target) : lazy.oid().value();
        }

        @Override
        public Class<?> lazyTargetClass(Object value) {
            return ((Lazy<?>) value).targetClass();
        }

        @Override
        public Object reference(long oid, Class<?> type) {
            return byOid.get(oid);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object lazyReference(long oid, Class<?> type) {
            return Lazy.stored(Oid.of(oid), null, (Class<? extends Persistent>) type);
        }
    }

    private <T extends Persistent> T roundTrip(T original, T empty) {
        byte[] state = codec.encode(original, oids);
        assertThat(codec.classOf(state, "test")).isEqualTo(original.getClass());
        codec.decodeInto(empty, state, oids, "test");
        return empty;
    }

    @Test
    void everyValueTypeComesBackEqualAndOfTheSameClass() {
        Everything e = new Everything();
        e.flag = true;
        e.boxedInt = 42;
        e.integerAsObject = 7;
        e.longAsObject = 7L;
        e.shortAsObject = (short) 7;
        e.byteAsObject = (byte) 7;
        e.charAsObject = 'x';
        e.floatAsObject = 1.5f;
        e.aDouble = Math.PI;
        e.big = BigInteger.TWO.pow(100).negate();
        e.decimal = new BigDecimal("-1234.5600");
        e.text = "grüße, 世界";
        e.bytes = new byte[] {0, -1, 2};
        e.ints = new int[] {1, -2, Integer.MAX_VALUE};
        e.longs = new long[] {Long.MIN_VALUE, 0};
        e.doubles = new double[] {0.1, -Double.MAX_VALUE};
        e.booleans = new boolean[] {true, false};
        e.strings = new String[] {"a", null, "c"};
        e.tier = Tier.GOLD;
        e.money = new Money(new BigDecimal("10.50"), "EUR");
        e.instant = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
        e.localDate = LocalDate.of(2026, 12, 6);
        e.localDateTime = LocalDateTime.of(2026, 12, 6, 3, 4, 5, 6);
        e.localTime = LocalTime.of(23, 59, 58, 1);
        e.zoned = ZonedDateTime.of(e.localDateTime, ZoneId.of("Europe/Paris"));
        e.offset = OffsetDateTime.of(e.localDateTime, ZoneOffset.ofHours(-5));
        e.duration = Duration.ofSeconds(90, 5);
        e.period = Period.of(1, 2, 3);
        e.yearMonth = YearMonth.of(2026, 12);
        e.uuid = UUID.randomUUID();
        e.date = new Date(1_700_000_000_123L);
        e.list = new ArrayList<>(List.of(1, 2L, "three", List.of(4)));
        e.set = new LinkedHashSet<>(List.of("b", "a"));
        e.map = new LinkedHashMap<>(Map.of("k", new Money(BigDecimal.ONE, "USD")));
        e.sorted = new TreeMap<>(Map.of("z", 1, "a", 2));
        e.sortedSet = new TreeSet<>(Set.of("q", "p"));
        e.linked = new LinkedList<>(List.of("x"));
        e.address = new Address("Main St 1", "Springfield");
        e.addresses = List.of(new Address("A", "B"));

        Everything back = roundTrip(e, new Everything());

        assertThat(back).usingRecursiveComparison().isEqualTo(e);
        assertThat(back.integerAsObject).isInstanceOf(Integer.class);
        assertThat(back.longAsObject).isInstanceOf(Long.class);
        assertThat(back.shortAsObject).isInstanceOf(Short.class);
        assertThat(back.byteAsObject).isInstanceOf(Byte.class);
        assertThat(back.charAsObject).isInstanceOf(Character.class);
        assertThat(back.floatAsObject).isInstanceOf(Float.class);
        assertThat(back.list.get(0)).isInstanceOf(Integer.class);
        assertThat(back.list.get(1)).isInstanceOf(Long.class);
        assertThat(back.sorted).isInstanceOf(TreeMap.class);
        assertThat(back.sortedSet).isInstanceOf(TreeSet.class);
        assertThat(back.linked).isInstanceOf(LinkedList.class);
        assertThat(back.decimal.scale()).isEqualTo(4);
        assertThat(back.zoned.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void longAndMultiByteStringsAndStatesLargerThanTheCodecsBuffersComeBackEqual() {
        Everything e = new Everything();
        e.text = "grüße, 世界 ".repeat(5_000); // far over the 256-char string decoder buffer
        e.bytes = new byte[100_000]; // far over the 1 KiB packer buffer
        java.util.Arrays.fill(e.bytes, (byte) 7);
        e.strings = new String[] {"x".repeat(300), "é".repeat(1_000), ""};

        Everything back = roundTrip(e, new Everything());

        assertThat(back.text).isEqualTo(e.text);
        assertThat(back.bytes).isEqualTo(e.bytes);
        assertThat(back.strings).containsExactly(e.strings);
    }

    @Test
    void persistentObjectsAreWrittenAsReferencesNotInlined() {
        Customer ann = new Customer("Ann");
        Order order = new Order("book", 1250, LocalDate.of(2026, 1, 2));
        ann.orders.add(order);
        Customer bob = new Customer("Bob");
        ann.referrer = Lazy.of(bob);
        ann.cachedGreeting = "hello";

        byte[] state = codec.encode(ann, oids);

        assertThat(oids.written).containsExactly(order.jzeoOid.value(), bob.jzeoOid.value());
        assertThat(new String(state, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("book", "Bob", "hello");
        Customer back = new Customer();
        codec.decodeInto(back, state, oids, "test");
        assertThat(back.orders).containsExactly(order);
        assertThat(back.referrer.oid()).isEqualTo(bob.jzeoOid);
        assertThat(back.cachedGreeting).isNull();
    }

    @Test
    void aClassOrFieldNameRepeatedInsideAStateIsWrittenOnceAndReadBack() {
        Everything e = new Everything();
        e.list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            e.list.add(new Money(BigDecimal.valueOf(i), "EUR"));
            e.list.add(Tier.GOLD);
        }
        e.addresses = List.of(new Address("A", "B"), new Address("C", "D"));

        byte[] state = codec.encode(e, oids);
        String text = new String(state, java.nio.charset.StandardCharsets.ISO_8859_1);

        for (String name : List.of(Money.class.getName(), Tier.class.getName(), Address.class.getName(), "currency",
                "street")) {
            assertThat(text.split(java.util.regex.Pattern.quote(name), -1)).as(name).hasSize(2);
        }
        Everything back = new Everything();
        codec.decodeInto(back, state, oids, "test");
        assertThat(back.list).isEqualTo(e.list);
        assertThat(back.addresses).usingRecursiveFieldByFieldElementComparator().isEqualTo(e.addresses);
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedWhenWritten() {
        class Secret {
            String password = "x";
        }
        Everything e = new Everything();
        e.nothing = new Secret();

        assertThatThrownBy(() -> codec.encode(e, oids)).isInstanceOf(ForbiddenClassException.class)
                .hasMessageContaining(Secret.class.getName()).hasMessageContaining("not allowed");
    }

    @Test
    void aStateNamingAClassOutsideTheAllowListIsRefusedBeforeAnythingIsMade() {
        Customer ann = new Customer("Ann");
        ann.address = new Address("Main St", "Springfield");
        byte[] state = codec.encode(ann, oids);
        ObjectCodec strict = new ObjectCodec(ObjectTypes.of(Customer.class, Tier.class, Money.class).resolver());

        assertThatThrownBy(() -> strict.decodeInto(new Customer(), state, oids, "the record of object 0x2a"))
                .isInstanceOf(ForbiddenClassException.class)
                .hasMessageContaining(Address.class.getName());
        assertThatThrownBy(() -> new ObjectCodec(ObjectTypes.of().resolver()).classOf(state, "the record of 0x2a"))
                .isInstanceOf(ForbiddenClassException.class)
                .hasMessageContaining(Customer.class.getName());
    }

    @Test
    void aCycleAmongPlainValuesIsAClearErrorNotAStackOverflow() {
        Everything e = new Everything();
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        e.list = loop;

        assertThatThrownBy(() -> codec.encode(e, oids)).isInstanceOf(ObjectFormatException.class)
                .hasMessageContaining("cycle");
    }

    @Test
    void aDamagedStateNamesTheRecord() {
        byte[] state = codec.encode(new Customer("Ann"), oids);
        byte[] cut = java.util.Arrays.copyOf(state, state.length - 3);

        assertThatThrownBy(() -> codec.decodeInto(new Customer(), cut, oids, "the record of object 0x07"))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("object 0x07");
        assertThatThrownBy(() -> codec.classOf(new byte[] {(byte) 0x80, 3}, "the record of object 0x08"))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("object 0x08")
                .hasMessageContaining("0x80");
    }

    @Test
    void mapsKeyedByPersistentObjectsAreRefused() {
        Everything e = new Everything();
        e.map = new HashMap<>(Map.of(new Customer("Ann"), 1));

        assertThatThrownBy(() -> codec.encode(e, oids)).isInstanceOf(ObjectFormatException.class)
                .hasMessageContaining("keys must be values");
    }
}
