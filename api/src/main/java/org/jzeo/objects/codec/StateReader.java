package org.jzeo.objects.codec;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Modifier;
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
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/** Reads what {@link StateWriter} wrote; every class named is checked by the resolver before it is used. */
final class StateReader {
    private final ObjectCodec codec;
    private final MessageUnpacker in;
    private final ReferenceReader references;
    private final Object where;

    StateReader(ObjectCodec codec, MessageUnpacker in, ReferenceReader references, Object where) {
        this.codec = codec;
        this.in = in;
        this.references = references;
        this.where = where;
    }

    /** Names read so far inside nested values, by index (see StateWriter#name); states written before names were
     * abbreviated hold full names only, which are simply added. */
    private List<String> names;

    private String readName() throws IOException {
        if (names == null) {
            names = new ArrayList<>();
        }
        if (in.getNextFormat().getValueType() == ValueType.STRING) {
            String name = in.unpackString();
            names.add(name);
            return name;
        }
        int index = in.unpackInt();
        if (index < 0 || index >= names.size()) {
            throw damaged("name index " + index + " but only " + names.size() + " names so far");
        }
        return names.get(index);
    }

    /** Reads the top level's field map into {@code target}; stored fields the class no longer has are skipped. */
    void readFields(ClassModel model, Object target) throws IOException {
        readFields(model, target, true);
    }

    private void readFields(ClassModel model, Object target, boolean topLevel) throws IOException {
        int n = in.unpackMapHeader();
        for (int i = 0; i < n; i++) {
            FieldModel field = model.field(topLevel ? in.unpackString() : readName());
            if (field == null) {
                in.skipValue();
            } else {
                field.set(target, read(field.declaredType()));
            }
        }
    }

    /** Reads one value; {@code declared} (the field's or collection's type, or Object) picks concrete classes. */
    Object read(Class<?> declared) throws IOException {
        MessageFormat format = in.getNextFormat();
        ValueType type = format.getValueType();
        switch (type) {
            case NIL:
                in.unpackNil();
                return null;
            case BOOLEAN:
                return in.unpackBoolean();
            case INTEGER:
                return in.unpackLong();
            case FLOAT:
                return format == MessageFormat.FLOAT32 ? (Object) in.unpackFloat() : (Object) in.unpackDouble();
            case STRING:
                return in.unpackString();
            case BINARY:
                return in.readPayload(in.unpackBinaryHeader());
            case ARRAY:
                return tagged(in.unpackArrayHeader() - 1, declared);
            default:
                throw damaged("unexpected " + type + " value");
        }
    }

    private Object tagged(int n, Class<?> declared) throws IOException {
        int tag = in.unpackInt();
        switch (tag) {
            case Tags.INTEGER:
                return Math.toIntExact(in.unpackLong());
            case Tags.SHORT:
                return (short) in.unpackLong();
            case Tags.BYTE:
                return (byte) in.unpackLong();
            case Tags.CHARACTER:
                return (char) in.unpackLong();
            case Tags.BIG_INTEGER:
                return new BigInteger(in.readPayload(in.unpackBinaryHeader()));
            case Tags.BIG_DECIMAL:
                return new BigDecimal(new BigInteger(in.readPayload(in.unpackBinaryHeader())), in.unpackInt());
            case Tags.LIST:
                return fill(newCollection(declared, ArrayList::new, n), n);
            case Tags.SET:
                return fill(newCollection(declared, LinkedHashSet::new, n), n);
            case Tags.SORTED_SET:
                return fill(newCollection(declared, size -> new TreeSet<>(), n), n);
            case Tags.MAP:
                return fill(newMap(declared, false, n / 2), n / 2);
            case Tags.SORTED_MAP:
                return fill(newMap(declared, true, n / 2), n / 2);
            case Tags.OBJECT_ARRAY:
                return objectArray(n - 1);
            case Tags.INT_ARRAY: {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.unpackInt();
                }
                return a;
            }
            case Tags.LONG_ARRAY: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.unpackLong();
                }
                return a;
            }
            case Tags.DOUBLE_ARRAY: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.unpackDouble();
                }
                return a;
            }
            case Tags.BOOLEAN_ARRAY: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.unpackBoolean();
                }
                return a;
            }
            case Tags.ENUM:
                return enumConstant(readName(), in.unpackString());
            case Tags.VALUE_OBJECT:
                return valueObject(readName());
            case Tags.RECORD:
                return record(readName());
            case Tags.REFERENCE: {
                long oid = in.unpackLong();
                return references.reference(oid, codec.resolver().resolve(readName()));
            }
            case Tags.LAZY_REFERENCE: {
                long oid = in.unpackLong();
                return references.lazyReference(oid, codec.resolver().resolve(readName()));
            }
            case Tags.INSTANT:
                return Instant.ofEpochSecond(in.unpackLong(), in.unpackInt());
            case Tags.LOCAL_DATE:
                return LocalDate.ofEpochDay(in.unpackLong());
            case Tags.LOCAL_DATE_TIME:
                return LocalDateTime.of(LocalDate.ofEpochDay(in.unpackLong()), LocalTime.ofNanoOfDay(in.unpackLong()));
            case Tags.LOCAL_TIME:
                return LocalTime.ofNanoOfDay(in.unpackLong());
            case Tags.ZONED_DATE_TIME: {
                Instant instant = Instant.ofEpochSecond(in.unpackLong(), in.unpackInt());
                return ZonedDateTime.ofInstant(instant, ZoneId.of(in.unpackString()));
            }
            case Tags.OFFSET_DATE_TIME: {
                Instant instant = Instant.ofEpochSecond(in.unpackLong(), in.unpackInt());
                return OffsetDateTime.ofInstant(instant, ZoneOffset.ofTotalSeconds(in.unpackInt()));
            }
            case Tags.DURATION:
                return Duration.ofSeconds(in.unpackLong(), in.unpackInt());
            case Tags.PERIOD:
                return Period.of(in.unpackInt(), in.unpackInt(), in.unpackInt());
            case Tags.YEAR_MONTH:
                return YearMonth.of(in.unpackInt(), in.unpackInt());
            case Tags.UUID:
                return new UUID(in.unpackLong(), in.unpackLong());
            case Tags.DATE:
                return new Date(in.unpackLong());
            default:
                throw damaged("unknown value tag " + tag);
        }
    }

    private <C extends Collection<Object>> C fill(C collection, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            collection.add(read(Object.class));
        }
        return collection;
    }

    private Map<Object, Object> fill(Map<Object, Object> map, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            Object key = read(Object.class);
            map.put(key, read(Object.class));
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private Collection<Object> newCollection(Class<?> declared, java.util.function.IntFunction<Collection<Object>>
            fallback, int n) {
        if (isConcreteJdk(declared) && Collection.class.isAssignableFrom(declared)) {
            return (Collection<Object>) newJdk(declared);
        }
        return fallback.apply(n);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> newMap(Class<?> declared, boolean sorted, int n) {
        if (isConcreteJdk(declared) && Map.class.isAssignableFrom(declared)) {
            return (Map<Object, Object>) newJdk(declared);
        }
        return sorted ? new TreeMap<>() : new LinkedHashMap<>(Math.max(16, n * 4 / 3 + 1));
    }

    /** A field declared as a concrete java.util class (LinkedList, TreeMap, ...) gets that class back. */
    private static boolean isConcreteJdk(Class<?> declared) {
        return declared.getName().startsWith("java.util.") && !declared.isInterface()
                && !Modifier.isAbstract(declared.getModifiers());
    }

    private Object newJdk(Class<?> declared) {
        try {
            return declared.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw damaged("cannot make a " + declared.getName() + ": " + e);
        }
    }

    private Object objectArray(int n) throws IOException {
        Class<?> component = codec.resolver().resolve(readName());
        Object array = Array.newInstance(component, n);
        for (int i = 0; i < n; i++) {
            Array.set(array, i, Numbers.coerce(read(component), component, null));
        }
        return array;
    }

    private Object enumConstant(String className, String constant) {
        Class<?> type = codec.resolver().resolve(className);
        if (!type.isEnum()) {
            throw damaged(className + " is not an enum");
        }
        for (Object c : type.getEnumConstants()) {
            if (((Enum<?>) c).name().equals(constant)) {
                return c;
            }
        }
        throw new ObjectFormatException(where + ": enum " + type.getName() + " has no constant " + constant
                + " any more");
    }

    private Object valueObject(String className) throws IOException {
        Class<?> type = codec.resolver().resolve(className);
        ClassModel model = codec.model(type);
        Object instance = model.newInstance();
        readFields(model, instance, false);
        return instance;
    }

    private Object record(String className) throws IOException {
        Class<?> type = codec.resolver().resolve(className);
        if (!type.isRecord()) {
            throw damaged(className + " is not a record");
        }
        ClassModel model = codec.model(type);
        List<FieldModel> fields = model.fields();
        Object[] components = new Object[fields.size()];
        int n = in.unpackMapHeader();
        for (int i = 0; i < n; i++) {
            FieldModel f = model.field(readName());
            if (f == null) {
                in.skipValue();
            } else {
                components[model.position(f)] = Numbers.coerce(read(f.declaredType()), f.declaredType(), f.field());
            }
        }
        for (int i = 0; i < components.length; i++) {
            if (components[i] == null && fields.get(i).declaredType().isPrimitive()) {
                components[i] = Numbers.defaultOf(fields.get(i).declaredType());
            }
        }
        return model.newRecord(components);
    }

    private ObjectFormatException damaged(String what) {
        return new ObjectFormatException(where + " cannot be read: " + what);
    }
}
