package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

import static org.jzeo.objects.python.PickleOpcodes.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.storage.record.JzeoRecord;

/**
 * Reads the class name of a data record for messages (e.g. {@code ConflictError.class_name}), like
 * ZODB's {@code get_pickle_metadata} (spec filestorage-format.md §10, last paragraph). It only looks
 * at the start of pickle 1 and never throws: a record it cannot read has no name.
 */
public final class PickleMetadata {
    /** The name reported for a {@link JzeoRecord}, whose payload carries no class. */
    public static final String JZEO_RECORD_CLASS = "jzeo.record";

    /** Enough for every known form; a longer preamble is not a class pickle. */
    private static final int MAX_OPCODES = 16;

    private PickleMetadata() {}

    /**
     * {@code module.name} of the record's class, or {@code null} if it cannot be determined.
     * Recognised forms of pickle 1, each after an optional PROTO and FRAME, with memo puts anywhere:
     * a GLOBAL line pair ({@code c module\nname\n}), possibly inside {@code MARK … TUPLE} or followed
     * by arguments; two strings and STACK_GLOBAL (protocol 4); a tuple of two strings
     * {@code (module, name)}, possibly nested as {@code ((module, name), args)}.
     */
    public static String className(byte[] record) {
        if (record == null || record.length == 0) {
            return null;
        }
        if (JzeoRecord.isJzeoRecord(record)) {
            return JZEO_RECORD_CLASS;
        }
        try {
            return scan(new PickleInput(record, 0));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String scan(PickleInput in) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < MAX_OPCODES; i++) {
            int op = in.nextOpcode();
            switch (op) {
                case PROTO -> in.u8();
                case FRAME -> in.u64();
                case MARK, MEMOIZE -> { }
                case BINPUT -> in.u8();
                case LONG_BINPUT -> in.u32();
                case PUT -> in.line();
                case GLOBAL -> {
                    String module = utf8(in.line());
                    String name = utf8(in.line());
                    return module + "." + name;
                }
                case SHORT_BINUNICODE, SHORT_BINSTRING -> strings.add(utf8(in.bytes(in.u8())));
                case BINUNICODE, BINSTRING -> strings.add(utf8(in.bytes(in.u32())));
                case STACK_GLOBAL, TUPLE, TUPLE2 -> {
                    return strings.size() == 2 ? strings.get(0) + "." + strings.get(1) : null;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
