package org.jzeo.objects.codec;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Fits a stored number into the type of the field it is read into: a field changed from {@code int} to
 * {@code long} (or back, when the value fits) keeps reading old records. A value that does not fit is an error
 * naming the field, never a silent truncation.
 */
final class Numbers {
    private Numbers() {
    }

    static Object coerce(Object value, Class<?> type, Field field) {
        if (value == null) {
            if (type.isPrimitive()) {
                return defaultOf(type);
            }
            return null;
        }
        if (!(value instanceof Number number) || type.isInstance(value)) {
            return value;
        }
        if (type == long.class || type == Long.class) {
            return exactLong(number, field);
        }
        if (type == int.class || type == Integer.class) {
            return Math.toIntExact(checked(exactLong(number, field), Integer.MIN_VALUE, Integer.MAX_VALUE, field));
        }
        if (type == short.class || type == Short.class) {
            return (short) checked(exactLong(number, field), Short.MIN_VALUE, Short.MAX_VALUE, field);
        }
        if (type == byte.class || type == Byte.class) {
            return (byte) checked(exactLong(number, field), Byte.MIN_VALUE, Byte.MAX_VALUE, field);
        }
        if (type == double.class || type == Double.class) {
            return number.doubleValue();
        }
        if (type == float.class || type == Float.class) {
            return number.floatValue();
        }
        if (type == BigInteger.class) {
            return number instanceof BigDecimal d ? d.toBigIntegerExact() : BigInteger.valueOf(number.longValue());
        }
        if (type == BigDecimal.class) {
            return number instanceof BigInteger i ? new BigDecimal(i) : new BigDecimal(number.toString());
        }
        return value;
    }

    private static long exactLong(Number number, Field field) {
        if (number instanceof Double || number instanceof Float || number instanceof BigDecimal
                || number instanceof BigInteger) {
            BigDecimal exact = number instanceof BigInteger i ? new BigDecimal(i) : new BigDecimal(number.toString());
            try {
                return exact.longValueExact();
            } catch (ArithmeticException e) {
                throw new ObjectFormatException("stored value " + number + " does not fit field " + field);
            }
        }
        return number.longValue();
    }

    private static long checked(long value, long min, long max, Field field) {
        if (value < min || value > max) {
            throw new ObjectFormatException("stored value " + value + " does not fit field " + field);
        }
        return value;
    }

    static Object defaultOf(Class<?> primitive) {
        if (primitive == boolean.class) {
            return false;
        }
        if (primitive == char.class) {
            return '\0';
        }
        if (primitive == long.class) {
            return 0L;
        }
        if (primitive == double.class) {
            return 0d;
        }
        if (primitive == float.class) {
            return 0f;
        }
        if (primitive == short.class) {
            return (short) 0;
        }
        if (primitive == byte.class) {
            return (byte) 0;
        }
        return 0;
    }
}
