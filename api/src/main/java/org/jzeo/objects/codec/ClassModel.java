package org.jzeo.objects.codec;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * How one class is stored: its fields by stored name (a record's components), how to make an empty instance, and
 * whether every field holds an immutable value (then a change can be found by comparing field values alone).
 * Fields marked {@code transient} or {@code static} are not stored.
 */
public final class ClassModel {
    private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Boolean.class, Character.class,
            Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class,
            BigDecimal.class, UUID.class);

    private final Class<?> type;
    private final List<FieldModel> fields;
    private final Map<String, FieldModel> byStoredName;
    /** Each field's position in {@link #fields} (a record's component index). */
    private final Map<FieldModel, Integer> positions = new java.util.IdentityHashMap<>();
    private final Constructor<?> constructor;
    private final boolean onlyImmutableFields;

    private ClassModel(Class<?> type, List<FieldModel> fields, Constructor<?> constructor) {
        this.type = type;
        this.fields = List.copyOf(fields);
        this.constructor = constructor;
        Map<String, FieldModel> names = new HashMap<>();
        for (FieldModel f : fields) {
            names.put(f.name(), f);
            positions.put(f, positions.size());
        }
        for (FieldModel f : fields) {
            for (String former : f.formerNames()) {
                names.putIfAbsent(former, f);
            }
        }
        this.byStoredName = names;
        this.onlyImmutableFields = fields.stream().allMatch(FieldModel::immutableValue);
    }

    static ClassModel of(Class<?> type, ClassResolver resolver) {
        if (type.isRecord()) {
            return ofRecord(type, resolver);
        }
        List<FieldModel> fields = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            List<FieldModel> declared = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) {
                    continue;
                }
                if (!seen.add(f.getName())) {
                    throw new ObjectFormatException("cannot store " + type.getName() + ": field '" + f.getName()
                            + "' of " + c.getName() + " hides a field of the same name in a subclass; rename one");
                }
                f.setAccessible(true);
                declared.add(new FieldModel(f.getName(), List.of(resolver.formerNames(f)), f, f.getType(),
                        f.getGenericType(), isImmutable(f.getType(), resolver)));
            }
            fields.addAll(0, declared);
        }
        return new ClassModel(type, fields, noArgConstructor(type));
    }

    private static ClassModel ofRecord(Class<?> type, ClassResolver resolver) {
        List<FieldModel> fields = new ArrayList<>();
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent rc = components[i];
            types[i] = rc.getType();
            try {
                Field f = type.getDeclaredField(rc.getName());
                f.setAccessible(true);
                fields.add(new FieldModel(rc.getName(), List.of(resolver.formerNames(f)), f, rc.getType(),
                        rc.getGenericType(), isImmutable(rc.getType(), resolver)));
            } catch (NoSuchFieldException e) {
                throw new ObjectFormatException("record " + type.getName() + " has no field for component "
                        + rc.getName(), e);
            }
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return new ClassModel(type, fields, canonical);
        } catch (NoSuchMethodException e) {
            throw new ObjectFormatException("record " + type.getName() + " has no canonical constructor", e);
        }
    }

    private static Constructor<?> noArgConstructor(Class<?> type) {
        if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
            return null;
        }
        try {
            Constructor<?> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static boolean isImmutable(Class<?> declared, ClassResolver resolver) {
        return declared.isPrimitive() || declared.isEnum() || IMMUTABLE.contains(declared)
                || (Temporal.class.isAssignableFrom(declared) && declared.getName().startsWith("java.time."))
                || resolver.isReferenceType(declared);
    }

    public Class<?> type() {
        return type;
    }

    List<FieldModel> fields() {
        return fields;
    }

    int position(FieldModel field) {
        return positions.get(field);
    }

    FieldModel field(String storedName) {
        return byStoredName.get(storedName);
    }

    /** True when every stored field holds a primitive, an immutable JDK value or a reference. */
    public boolean onlyImmutableFields() {
        return onlyImmutableFields;
    }

    /** The current values of the stored fields, in a fixed order (for comparing against a later snapshot). */
    public Object[] fieldValues(Object instance) {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).get(instance);
        }
        return values;
    }

    /**
     * True if the fields still hold what {@code snapshot} recorded: the same reference, or an equal boxed
     * primitive (boxing makes new objects for equal values).
     */
    public boolean sameFieldValues(Object instance, Object[] snapshot) {
        for (int i = 0; i < snapshot.length; i++) {
            Object now = fields.get(i).get(instance);
            Object then = snapshot[i];
            if (now != then && (now == null || !fields.get(i).declaredType().isPrimitive() || !now.equals(then))) {
                return false;
            }
        }
        return true;
    }

    /** An empty instance made by the class's no-argument constructor (any visibility). */
    public Object newInstance() {
        if (constructor == null || type.isRecord()) {
            throw new ObjectFormatException("cannot make an instance of " + type.getName()
                    + ": a stored class needs a constructor without arguments (it may be private)");
        }
        try {
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ObjectFormatException("cannot make an instance of " + type.getName() + ": " + e, e);
        }
    }

    Object newRecord(Object[] components) {
        try {
            return constructor.newInstance(components);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ObjectFormatException("cannot make record " + type.getName() + ": " + cause, cause);
        }
    }

    @Override
    public String toString() {
        return "ClassModel[" + type.getName() + ", " + Collections.unmodifiableList(fields).size() + " fields]";
    }
}
