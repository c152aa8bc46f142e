package org.jzeo.objects.codec;

import java.io.IOException;
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
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;
import org.msgpack.core.MessagePacker;

/** Writes one state: every value bare when msgpack has a natural form for it, else as {@code [tag, ...]}. */
final class StateWriter {
    private static final int MAX_DEPTH = 256;

    private final ObjectCodec codec;
    private final MessagePacker out;
    private final ReferenceWriter references;
    private final Object owner;

    StateWriter(ObjectCodec codec, MessagePacker out, ReferenceWriter references, Object owner) {
        this.codec = codec;
        this.out = out;
        this.references = references;
        this.owner = owner;
    }

    /**
     * Names already written inside this state (class names, and field names of nested values), by their packed
     * bytes: a name's later occurrences are written as its index, so five records of one class in a list carry the
     * class's name and its field names once. The top level's own class and field names are written in full.
     */
    private IdentityHashMap<byte[], Integer> names;

    private void name(byte[] packed) throws IOException {
        if (names == null) {
            names = new IdentityHashMap<>();
        }
        Integer index = names.get(packed);
        if (index != null) {
            out.packInt(index);
        } else {
            names.put(packed, names.size());
            out.writePayload(packed);
        }
    }

    void writeFields(ClassModel model, Object instance, int depth) throws IOException {
        List<FieldModel> fields = model.fields();
        out.packMapHeader(fields.size());
        for (FieldModel f : fields) {
            if (depth == 0) {
                out.writePayload(f.packedName());
            } else {
                name(f.packedName());
            }
            Object value = f.get(instance);
            Class<?> declared = f.declaredType();
            if (value instanceof Number n && (declared.isPrimitive() || declared == value.getClass())
                    && (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte)) {
                out.packLong(n.longValue()); // the field's type says which number it is
            } else {
                write(value, depth + 1);
            }
        }
    }

    void write(Object value, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ObjectFormatException("cannot store " + owner.getClass().getName() + ": its plain values nest"
                    + " deeper than " + MAX_DEPTH + " levels (a cycle?); make shared or cyclic objects persistent");
        }
        if (value == null) {
            out.packNil();
        } else if (value instanceof String s) {
            out.packString(s);
        } else if (value instanceof Long l) {
            out.packLong(l);
        } else if (value instanceof Boolean b) {
            out.packBoolean(b);
        } else if (value instanceof Double d) {
            out.packDouble(d);
        } else if (value instanceof Float f) {
            out.packFloat(f);
        } else if (value instanceof byte[] bytes) {
            out.packBinaryHeader(bytes.length);
            out.writePayload(bytes);
        } else if (references.isLazy(value)) {
            tagged(Tags.LAZY_REFERENCE, 2);
            out.packLong(references.lazyOid(value));
            name(codec.packedName(references.lazyTargetClass(value)));
        } else if (references.isPersistent(value)) {
            tagged(Tags.REFERENCE, 2);
            out.packLong(references.oidOf(value));
            name(codec.packedName(value.getClass()));
        } else if (value instanceof Integer i) {
            number(Tags.INTEGER, i);
        } else if (value instanceof Short s) {
            number(Tags.SHORT, s);
        } else if (value instanceof Byte b) {
            number(Tags.BYTE, b);
        } else if (value instanceof Character c) {
            number(Tags.CHARACTER, c);
        } else if (value instanceof BigInteger i) {
            tagged(Tags.BIG_INTEGER, 1);
            bytes(i.toByteArray());
        } else if (value instanceof BigDecimal d) {
            tagged(Tags.BIG_DECIMAL, 2);
            bytes(d.unscaledValue().toByteArray());
            out.packInt(d.scale());
        } else if (value instanceof Enum<?> e) {
            tagged(Tags.ENUM, 2);
            name(codec.packedName(e.getDeclaringClass()));
            out.packString(e.name());
        } else if (value instanceof Collection<?> c) {
            collection(c, depth);
        } else if (value instanceof Map<?, ?> m) {
            map(m, depth);
        } else if (value.getClass().isArray()) {
            array(value, depth);
        } else if (!timeOrId(value)) {
            structure(value, depth);
        }
    }

    private void number(int tag, long value) throws IOException {
        tagged(tag, 1);
        out.packLong(value);
    }

    private void tagged(int tag, int elements) throws IOException {
        out.packArrayHeader(elements + 1);
        out.packInt(tag);
    }

    private void bytes(byte[] bytes) throws IOException {
        out.packBinaryHeader(bytes.length);
        out.writePayload(bytes);
    }

    private void collection(Collection<?> c, int depth) throws IOException {
        int tag;
        if (c instanceof SortedSet<?> s) {
            requireNaturalOrder(s.comparator());
            tag = Tags.SORTED_SET;
        } else if (c instanceof Set<?>) {
            tag = Tags.SET;
        } else if (c instanceof List<?> || c instanceof java.util.Queue<?>) {
            tag = Tags.LIST;
        } else {
            throw new ObjectFormatException("cannot store a " + c.getClass().getName() + " in "
                    + owner.getClass().getName() + ": use a List, Set or Map");
        }
        int size = c.size();
        tagged(tag, size);
        int written = 0;
        for (Object element : c) {
            write(element, depth + 1);
            written++;
        }
        if (written != size) {
            throw new ObjectFormatException("a collection in " + owner.getClass().getName()
                    + " changed while it was written");
        }
    }

    private void map(Map<?, ?> m, int depth) throws IOException {
        int tag = Tags.MAP;
        if (m instanceof SortedMap<?, ?> s) {
            requireNaturalOrder(s.comparator());
            tag = Tags.SORTED_MAP;
        }
        int size = m.size();
        tagged(tag, size * 2);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (references.isPersistent(e.getKey()) || references.isLazy(e.getKey())) {
                throw new ObjectFormatException("cannot store a map in " + owner.getClass().getName()
                        + " whose key is a persistent object (" + e.getKey().getClass().getName()
                        + "): keys must be values; key by the object's id or name instead");
            }
            write(e.getKey(), depth + 1);
            write(e.getValue(), depth + 1);
        }
    }

    private void requireNaturalOrder(Object comparator) {
        if (comparator != null) {
            throw new ObjectFormatException("cannot store a sorted collection with a comparator in "
                    + owner.getClass().getName() + ": a comparator is code, not data; use natural order");
        }
    }

    private void array(Object array, int depth) throws IOException {
        if (array instanceof int[] a) {
            tagged(Tags.INT_ARRAY, a.length);
            for (int v : a) {
                out.packInt(v);
            }
        } else if (array instanceof long[] a) {
            tagged(Tags.LONG_ARRAY, a.length);
            for (long v : a) {
                out.packLong(v);
            }
        } else if (array instanceof double[] a) {
            tagged(Tags.DOUBLE_ARRAY, a.length);
            for (double v : a) {
                out.packDouble(v);
            }
        } else if (array instanceof boolean[] a) {
            tagged(Tags.BOOLEAN_ARRAY, a.length);
            for (boolean v : a) {
                out.packBoolean(v);
            }
        } else if (array instanceof Object[] a) {
            tagged(Tags.OBJECT_ARRAY, a.length + 1);
            name(codec.packedName(a.getClass().getComponentType()));
            for (Object v : a) {
                write(v, depth + 1);
            }
        } else {
            throw new ObjectFormatException("cannot store a " + array.getClass().getSimpleName() + " in "
                    + owner.getClass().getName() + ": arrays of byte, int, long, double, boolean or objects only");
        }
    }

    private boolean timeOrId(Object value) throws IOException {
        if (value instanceof Instant t) {
            tagged(Tags.INSTANT, 2);
            out.packLong(t.getEpochSecond());
            out.packInt(t.getNano());
        } else if (value instanceof LocalDate d) {
            number(Tags.LOCAL_DATE, d.toEpochDay());
        } else if (value instanceof LocalDateTime t) {
            tagged(Tags.LOCAL_DATE_TIME, 2);
            out.packLong(t.toLocalDate().toEpochDay());
            out.packLong(t.toLocalTime().toNanoOfDay());
        } else if (value instanceof LocalTime t) {
            number(Tags.LOCAL_TIME, t.toNanoOfDay());
        } else if (value instanceof ZonedDateTime t) {
            tagged(Tags.ZONED_DATE_TIME, 3);
            out.packLong(t.toEpochSecond());
            out.packInt(t.getNano());
            out.packString(t.getZone().getId());
        } else if (value instanceof OffsetDateTime t) {
            tagged(Tags.OFFSET_DATE_TIME, 3);
            out.packLong(t.toEpochSecond());
            out.packInt(t.getNano());
            out.packInt(t.getOffset().getTotalSeconds());
        } else if (value instanceof Duration d) {
            tagged(Tags.DURATION, 2);
            out.packLong(d.getSeconds());
            out.packInt(d.getNano());
        } else if (value instanceof Period p) {
            tagged(Tags.PERIOD, 3);
            out.packInt(p.getYears());
            out.packInt(p.getMonths());
            out.packInt(p.getDays());
        } else if (value instanceof YearMonth ym) {
            tagged(Tags.YEAR_MONTH, 2);
            out.packInt(ym.getYear());
            out.packInt(ym.getMonthValue());
        } else if (value instanceof UUID u) {
            tagged(Tags.UUID, 2);
            out.packLong(u.getMostSignificantBits());
            out.packLong(u.getLeastSignificantBits());
        } else if (value instanceof Date d) {
            number(Tags.DATE, d.getTime());
        } else {
            return false;
        }
        return true;
    }

    private void structure(Object value, int depth) throws IOException {
        Class<?> type = value.getClass();
        ClassModel model = codec.model(type);
        byte[] packed = codec.packedName(type);
        tagged(type.isRecord() ? Tags.RECORD : Tags.VALUE_OBJECT, 2);
        name(packed);
        writeFields(model, value, depth);
    }
}
