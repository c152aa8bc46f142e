package org.jzeo.objects.python;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jzeo.api.Oid;

/**
 * A Python object read from a pickle without creating it: its class (by module and name), the
 * arguments its class would have been called with, and its state, all as plain Java values. It is
 * either the object a ZODB record holds ({@link #oid()} set) or an object nested in such a record's
 * state (a datetime, a Decimal, an instance of a non-persistent class, a BTree bucket's state...).
 *
 * <p>Values are mapped as follows: {@code None} → {@code null}; {@code bool} → {@link Boolean};
 * {@code int} → {@link Long}, or {@link BigInteger} when it does not fit; {@code float} →
 * {@link Double}; {@code str} → {@link String}; {@code bytes} → {@link PythonBytes}; {@code tuple}
 * → {@link PythonTuple}; {@code list} → unmodifiable {@link List}; {@code dict} → unmodifiable
 * {@link Map} in pickle order; {@code set} and {@code frozenset} → unmodifiable {@link Set} in
 * pickle order; a class used as a value → {@link PythonClass}; a reference to another persistent
 * object → {@link PythonReference}; any other object → a nested {@code PythonObject}.
 *
 * <p>Instances are immutable once {@link PickleRecordReader} returns them (it alone fills them in
 * while reading, which is how a state can refer back to the object that holds it). Equality is by
 * value (class, args, kwargs, state, items, oid); the hash code covers only the class, the oid and
 * the scalar args, so it stays cheap and finite even when the state refers back to the object.
 * Comparing or printing values whose state really is cyclic (which Python pickles allow) does not
 * terminate; ZODB states rarely are.
 */
public final class PythonObject {
    private final Oid oid;
    private final String module;
    private final String name;
    private final List<Object> args;
    private final Map<Object, Object> kwargs;
    private Object state;
    private boolean stateSet;
    private ArrayList<Object> listItems;
    private LinkedHashMap<Object, Object> dictItems;

    PythonObject(Oid oid, String module, String name, List<Object> args, Map<Object, Object> kwargs) {
        this.oid = oid;
        this.module = Objects.requireNonNull(module, "module");
        this.name = Objects.requireNonNull(name, "name");
        this.args = Objects.requireNonNull(args, "args");
        this.kwargs = Objects.requireNonNull(kwargs, "kwargs");
    }

    /** The record's oid for the object a record holds; null for an object nested in a state. */
    public Oid oid() {
        return oid;
    }

    /** The class's module as the pickle names it, e.g. {@code "persistent.mapping"}. */
    public String module() {
        return module;
    }

    /** The class's name as the pickle names it, e.g. {@code "PersistentMapping"}. */
    public String name() {
        return name;
    }

    /** {@code module.name}. */
    public String className() {
        return module + "." + name;
    }

    /** The class as a value. */
    public PythonClass pythonClass() {
        return new PythonClass(module, name);
    }

    /**
     * The positional arguments: for a record's object the {@code __getnewargs__} result ZODB stored
     * with the class (usually none), for a nested object what REDUCE or NEWOBJ passed (for example a
     * datetime's packed bytes or a Decimal's string).
     */
    public List<Object> args() {
        return args;
    }

    /** The keyword arguments of a NEWOBJ_EX (protocol 4+); empty otherwise. */
    public Map<Object, Object> kwargs() {
        return kwargs;
    }

    /**
     * The state: for a record's object, what {@code __getstate__} returned (a dict of attributes
     * for most classes, a tuple for BTrees); for a nested object what BUILD gave, or null when
     * there was no BUILD.
     */
    public Object state() {
        return state;
    }

    /** Whether a state was given (a record's state may itself be {@code None}). */
    public boolean hasState() {
        return stateSet;
    }

    /** The state as a dict, or an exception saying what it is instead. */
    @SuppressWarnings("unchecked")
    public Map<Object, Object> stateAsMap() {
        if (state instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new IllegalStateException(className() + " has a " + typeName(state) + " state, not a dict");
    }

    /**
     * The items appended to the object after it was made (APPEND/APPENDS on an instance of a
     * {@code list} subclass); empty for most objects.
     */
    public List<Object> listItems() {
        return listItems == null ? List.of() : Collections.unmodifiableList(listItems);
    }

    /**
     * The items set on the object after it was made (SETITEM/SETITEMS on an instance of a
     * {@code dict} subclass, e.g. an {@code OrderedDict}); empty for most objects.
     */
    public Map<Object, Object> dictItems() {
        return dictItems == null ? Map.of() : Collections.unmodifiableMap(dictItems);
    }

    // --- filled in by the reader only ---

    /** BUILD. Returns false when the object already has a state. */
    boolean setState(Object newState) {
        if (stateSet) {
            return false;
        }
        state = newState;
        stateSet = true;
        return true;
    }

    void appendItem(Object item) {
        if (listItems == null) {
            listItems = new ArrayList<>();
        }
        listItems.add(item);
    }

    void putItem(Object key, Object value) {
        if (dictItems == null) {
            dictItems = new LinkedHashMap<>();
        }
        dictItems.put(key, value);
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        return o instanceof PythonObject other
                && module.equals(other.module)
                && name.equals(other.name)
                && Objects.equals(oid, other.oid)
                && args.equals(other.args)
                && kwargs.equals(other.kwargs)
                && stateSet == other.stateSet
                && Objects.equals(state, other.state)
                && listItems().equals(other.listItems())
                && dictItems().equals(other.dictItems());
    }

    /**
     * Covers the class, the oid and the arguments that are plain scalars (a datetime's bytes, a
     * Decimal's string), never containers or the state: it is always finite, even for an object
     * whose arguments come to refer back to it.
     */
    @Override
    public int hashCode() {
        int h = Objects.hash(module, name, oid, args.size());
        for (Object arg : args) {
            boolean scalar = arg instanceof String || arg instanceof Number || arg instanceof Boolean
                    || arg instanceof PythonBytes || arg instanceof PythonClass || arg instanceof PythonReference;
            h = 31 * h + (scalar ? arg.hashCode() : 0);
        }
        return h;
    }

    /**
     * A Python-like rendering, e.g. {@code decimal.Decimal('12.50')}, or
     * {@code jzeo_testdata.Plain(){'x': 1}} for an object with a state. The state of a record's
     * object is included, nested objects' too; references print as {@link PythonReference} does.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(className()).append('(');
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(repr(args.get(i)));
        }
        kwargs.forEach((k, v) -> out.append(out.charAt(out.length() - 1) == '(' ? "" : ", ")
                .append(k).append('=').append(repr(v)));
        out.append(')');
        if (stateSet) {
            out.append(state == this ? "<self>" : repr(state));
        }
        return out.toString();
    }

    /** Python-style text for a decoded value (strings quoted). */
    static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        return String.valueOf(value);
    }

    /** The Python type name of a decoded value, for messages. */
    static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double) {
            return "float";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof PythonBytes) {
            return "bytes";
        }
        if (value instanceof PythonTuple) {
            return "tuple";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof Set) {
            return "set";
        }
        if (value instanceof PythonClass c) {
            return "class " + c.dottedName();
        }
        if (value instanceof PythonReference) {
            return "persistent reference";
        }
        if (value instanceof PythonObject o) {
            return o.className() + " object";
        }
        return value.getClass().getSimpleName();
    }
}
