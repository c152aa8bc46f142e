package org.jzeo.objects.python;

import java.util.Objects;
import java.util.function.Function;
import org.jzeo.api.Oid;

/**
 * Reads a record written by Python ZODB as a generic, read-only {@link PythonObject}, without
 * importing, instantiating or running anything.
 *
 * <p>A ZODB record is two pickles written back to back by one pickler (so the second may refer to
 * the first's memo): the class description, then the object's state. ZODB 5 writes the class as
 * a bare class (GLOBAL), {@code (class, newargs)}, {@code ((module, name), None)} or
 * {@code ((module, name), newargs)}; all four are read into {@link PythonObject#module()},
 * {@link PythonObject#name()} and {@link PythonObject#args()}. The state is decoded as described on
 * {@link PythonObject}; persistent ids become {@link PythonReference}s whose
 * {@link PythonReference#resolve()} calls the resolver given here.
 *
 * <p>Every opcode of pickle protocols 0–5 is executed except these, which are refused: EXT1, EXT2,
 * EXT4 (codes of the {@code copyreg} extension registry, which this side does not have) and
 * NEXT_BUFFER, READONLY_BUFFER (protocol-5 out-of-band buffers, which a stored record cannot carry).
 * A few well-known constructors that Python's own pickler uses for built-in values are read as
 * those values rather than as objects: {@code set(list)} and {@code frozenset(list)} (how
 * protocols below 4, including ZODB's protocol 3, write sets), {@code _codecs.encode(str, 'latin1')}
 * and {@code bytes()} (how protocols below 3 write {@code bytes}) and
 * {@code copyreg._reconstructor(cls, object, None)} (how protocols 0 and 1 write instances).
 * Anything made by REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ otherwise becomes a nested
 * {@link PythonObject} holding the class, the arguments and the state BUILD gave it.
 *
 * <p>Python 2 byte strings (STRING, BINSTRING, SHORT_BINSTRING) become a {@link String} when all
 * their bytes are ASCII, otherwise {@link PythonBytes} (Python 3 ZODB would refuse those).
 * Class and module names are reported as the pickle writes them (no Python 2 → 3 renaming).
 *
 * <p>Anything malformed (truncation, an unknown opcode, a stack underflow, a missing memo entry, a
 * persistent id or class description of a shape ZODB does not write, a list, dict or set used as a
 * dict key or set element, bytes after the state pickle)
 * is a {@link PickleFormatException} whose one-line message names the oid, the opcode and its offset.
 * Instances hold no state and may be shared between threads.
 */
public final class PickleRecordReader {

    /**
     * Reads both pickles of a record.
     *
     * @param oid the record's oid, kept in the result and named in errors
     * @param record the record's data as the storage returns it (class pickle, then state pickle)
     * @param resolver loads the object a {@link PythonReference} points to when
     *     {@link PythonReference#resolve()} is called; may be null (then {@code resolve()} gives null)
     * @return the object, with {@link PythonObject#oid()} set to {@code oid}
     * @throws PickleFormatException if the record cannot be read
     */
    public PythonObject read(Oid oid, byte[] record, Function<Oid, Object> resolver) {
        Objects.requireNonNull(oid, "oid");
        Objects.requireNonNull(record, "record");
        Unpickler unpickler = new Unpickler(oid, record, resolver);
        if (record.length == 0) {
            throw new PickleFormatException(oid, "empty record (an undone object creation has no data)", 0, -1);
        }
        Object classDescription = unpickler.load();
        int stateStart = unpickler.position();
        if (unpickler.atEnd()) {
            throw new PickleFormatException(oid, "truncated record: no state pickle after the class pickle",
                    stateStart, -1);
        }
        Object state = unpickler.load();
        if (!unpickler.atEnd()) {
            throw new PickleFormatException(oid, (record.length - unpickler.position())
                    + " bytes after the state pickle's STOP", unpickler.position(), -1);
        }
        return unpickler.recordObject(classDescription, state);
    }
}
