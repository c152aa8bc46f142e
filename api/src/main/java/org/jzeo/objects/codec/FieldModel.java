package org.jzeo.objects.codec;

import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.util.List;

/**
 * One stored field of a class: its stored name, the names it had before (read, never written), the reflective
 * handle and the declared type (which lets a bare msgpack int come back as the field's own number type).
 */
record FieldModel(String name, List<String> formerNames, Field field, Class<?> declaredType, Type genericType,
                  boolean immutableValue, byte[] packedName) {

    FieldModel(String name, List<String> formerNames, Field field, Class<?> declaredType, Type genericType,
               boolean immutableValue) {
        this(name, formerNames, field, declaredType, genericType, immutableValue, Packed.string(name));
    }

    Object get(Object target) {
        try {
            return field.get(target);
        } catch (IllegalAccessException e) {
            throw new ObjectFormatException("cannot read field " + field + ": " + e.getMessage(), e);
        }
    }

    void set(Object target, Object value) {
        try {
            field.set(target, Numbers.coerce(value, declaredType, field));
        } catch (IllegalAccessException e) {
            throw new ObjectFormatException("cannot set field " + field + ": " + e.getMessage(), e);
        }
    }
}
