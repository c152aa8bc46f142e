package org.jzeo.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.api.TransientStorageException;
import org.jzeo.api.UndoException;

/**
 * Maps Java exceptions to ZEO error payloads {@code (class_name, exc_args)} exactly as the Python server sends
 * them (spec §3.2, checked byte for byte against the captured sessions), and error payloads back to jzeo
 * exceptions for the client.
 *
 * <h2>Server side: {@link #toWire(Throwable, String)}</h2>
 * <table>
 *   <caption>Java exception to class name and exc_args</caption>
 *   <tr><th>Java</th><th>class_name</th><th>exc_args</th></tr>
 *   <tr><td>{@link ReadConflictException}</td><td>ZODB.POSException.ReadConflictError</td>
 *       <td>map {@code {message, oid, class_name, serials: [committed, read]}}</td></tr>
 *   <tr><td>{@link ConflictException}</td><td>ZODB.POSException.ConflictError</td><td>the same map</td></tr>
 *   <tr><td>{@link POSKeyException}</td><td>ZODB.POSException.POSKeyError</td><td>{@code [oid]} ({@code [nil]}
 *       without one)</td></tr>
 *   <tr><td>{@link ReadOnlyException}</td><td>ZODB.POSException.ReadOnlyError</td><td>{@code []}</td></tr>
 *   <tr><td>{@link StorageTransactionException}</td><td>ZODB.POSException.StorageTransactionError</td>
 *       <td>{@code [message]}; see {@link #transactionMismatch(Object)} for Python's {@code [nil, txn]}</td></tr>
 *   <tr><td>{@link UndoException} about objects</td><td>ZODB.POSException.MultipleUndoErrors</td>
 *       <td>{@code {_reason: first oid, _oid: [UndoError, {...}], _errs: [[oid, [UndoError, {_reason, _oid}]],
 *       ...]}}: FileStorage always wraps per-object failures, even a single one</td></tr>
 *   <tr><td>{@link UndoException} without an oid</td><td>ZODB.POSException.UndoError</td>
 *       <td>{@code {_reason, _oid: nil}} (e.g. "Invalid transaction id")</td></tr>
 *   <tr><td>{@link ServerException}</td><td>its own class name</td><td>its own exc_args (relayed)</td></tr>
 *   <tr><td>{@link WireTypeException}</td><td>builtins.TypeError</td><td>{@code [message]}</td></tr>
 *   <tr><td>other {@link IllegalArgumentException}</td><td>builtins.ValueError</td><td>{@code [message]}</td></tr>
 *   <tr><td>{@link UnsupportedOperationException}</td><td>builtins.NotImplementedError</td>
 *       <td>{@code [message]}</td></tr>
 *   <tr><td>{@link IOException}, {@link UncheckedIOException}</td><td>builtins.OSError</td>
 *       <td>{@code [message]}</td></tr>
 *   <tr><td>{@link TransientStorageException}</td><td>transaction.interfaces.TransientError</td>
 *       <td>{@code [message]}</td></tr>
 *   <tr><td>any other {@link StorageException}</td><td>ZODB.POSException.StorageError</td>
 *       <td>{@code [message]}</td></tr>
 *   <tr><td>anything else</td><td>builtins.Exception</td><td>{@code ["java.class.Name: message"]}</td></tr>
 * </table>
 * The TypeError/ValueError rule follows Python: a wrong argument count or type is a TypeError (the Python
 * server's own signature check), a well-typed but unacceptable value is a ValueError ("unknown storage").
 * Only the classes the Python client knows (POSKeyError, ConflictError, ReadConflictError, ReadOnlyError,
 * StorageTransactionError, MultipleUndoErrors, TypeError, KeyError) come back there as themselves; every other
 * name, including ValueError and the fallbacks above, becomes a Python {@code ServerException}, so a fallback
 * name only has to be honest, not recognised.
 *
 * <p>The {@code message} of a conflict map is Python's short message ("database conflict error"): the Java
 * message's details from {@code " (oid "} on are dropped because the oid and serials travel as fields.
 *
 * <h2>Client side: {@link #fromWire(String, Object)}</h2>
 * The reverse: ConflictError and BTreesConflictError → {@link ConflictException}; ReadConflictError →
 * {@link ReadConflictException}; POSKeyError → {@link POSKeyException}; ReadOnlyError →
 * {@link ReadOnlyException}; StorageTransactionError → {@link StorageTransactionException}; UndoError and
 * MultipleUndoErrors → {@link UndoException}; every other name, or a known name with an unexpected shape, →
 * {@link ServerException} carrying the class name and arguments.
 */
public final class WireErrors {
    public static final String CONFLICT_ERROR = "ZODB.POSException.ConflictError";
    public static final String READ_CONFLICT_ERROR = "ZODB.POSException.ReadConflictError";
    public static final String BTREES_CONFLICT_ERROR = "ZODB.POSException.BTreesConflictError";
    public static final String POS_KEY_ERROR = "ZODB.POSException.POSKeyError";
    public static final String READ_ONLY_ERROR = "ZODB.POSException.ReadOnlyError";
    public static final String STORAGE_TRANSACTION_ERROR = "ZODB.POSException.StorageTransactionError";
    public static final String STORAGE_ERROR = "ZODB.POSException.StorageError";
    public static final String UNDO_ERROR = "ZODB.POSException.UndoError";
    public static final String MULTIPLE_UNDO_ERRORS = "ZODB.POSException.MultipleUndoErrors";
    public static final String TYPE_ERROR = "builtins.TypeError";
    public static final String KEY_ERROR = "builtins.KeyError";
    public static final String VALUE_ERROR = "builtins.ValueError";
    public static final String NOT_IMPLEMENTED_ERROR = "builtins.NotImplementedError";
    public static final String OS_ERROR = "builtins.OSError";
    public static final String EXCEPTION = "builtins.Exception";
    /** The transaction package's retryable error: what Python's transaction managers retry, as jzeo's clients do. */
    public static final String TRANSIENT_ERROR = "transaction.interfaces.TransientError";
    /** ZEO's authentication error; jzeo also sends refused rights as it ({@link org.jzeo.api.AccessDeniedException}). */
    public static final String AUTH_ERROR = "ZEO.Exceptions.AuthError";

    /** Python's default messages; sent when the Java exception carries no message of its own. */
    static final String CONFLICT_MESSAGE = "database conflict error";
    static final String READ_CONFLICT_MESSAGE = "database read conflict error";

    private WireErrors() {
    }

    // ---------------------------------------------------------------- server: Java → wire

    /** {@link #toWire(Throwable, String)} without a class name for conflicts (class_name is sent as nil). */
    public static WireError toWire(Throwable error) {
        return toWire(error, null);
    }

    /**
     * The error payload for {@code error}. {@code conflictClassName} is the dotted class of the conflicting
     * object ("persistent.mapping.PersistentMapping"), which only a conflict map carries; null sends nil, as
     * Python does for checkCurrentSerialInTransaction and deleteObject conflicts.
     */
    public static WireError toWire(Throwable error, String conflictClassName) {
        if (error instanceof ServerException) {
            ServerException relayed = (ServerException) error;
            return new WireError(relayed.className(), relayed.excArgs());
        }
        if (error instanceof ReadConflictException) {
            return new WireError(READ_CONFLICT_ERROR,
                    conflictMap((ConflictException) error, READ_CONFLICT_MESSAGE, conflictClassName));
        }
        if (error instanceof ConflictException) {
            return new WireError(CONFLICT_ERROR,
                    conflictMap((ConflictException) error, CONFLICT_MESSAGE, conflictClassName));
        }
        if (error instanceof POSKeyException) {
            Oid oid = ((POSKeyException) error).oid();
            // Python's POSKeyError always carries the oid asked for, None included (history(None) on MappingStorage).
            return new WireError(POS_KEY_ERROR, Collections.singletonList(oid == null ? null : oid.toBytes()));
        }
        if (error instanceof ReadOnlyException) {
            return new WireError(READ_ONLY_ERROR, List.of());
        }
        if (error instanceof StorageTransactionException) {
            return new WireError(STORAGE_TRANSACTION_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof UndoException) {
            return undoError((UndoException) error);
        }
        if (error instanceof WireTypeException) {
            return new WireError(TYPE_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof IllegalArgumentException) {
            return new WireError(VALUE_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof UnsupportedOperationException) {
            return new WireError(NOT_IMPLEMENTED_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return new WireError(OS_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof org.jzeo.api.AuthenticationException) {
            return new WireError(AUTH_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof TransientStorageException) {
            return new WireError(TRANSIENT_ERROR, List.of(messageOf(error)));
        }
        if (error instanceof StorageException) {
            return new WireError(STORAGE_ERROR, List.of(messageOf(error)));
        }
        String message = error.getMessage();
        return new WireError(EXCEPTION,
                List.of(error.getClass().getName() + (message == null ? "" : ": " + message)));
    }

    /**
     * Python's reply to a transactional call naming the wrong (or no) transaction, e.g. {@code vote(1111)}
     * before {@code tpc_begin}: {@code StorageTransactionError [nil, txn]} (observed in errors-M5).
     */
    public static WireError transactionMismatch(Object txn) {
        return new WireError(STORAGE_TRANSACTION_ERROR, Arrays.asList(null, txn));
    }

    /** Python's {@code KeyError(key)}, e.g. for an iterator id the server no longer knows. */
    public static ServerException keyError(Object key) {
        return new ServerException(KEY_ERROR, java.util.Collections.singletonList(key));
    }

    /** Python's reply when a result cannot be serialised: {@code builtins.ValueError ["Couldn't pickle response"]}. */
    public static WireError unencodableResult() {
        return new WireError(VALUE_ERROR, List.of("Couldn't pickle response"));
    }

    /**
     * True for the exceptions a server reports as routine outcomes, not failures: POSKeyError, ConflictError and
     * ReadConflictError are not logged at error level (spec §3.5).
     */
    public static boolean isRoutine(Throwable error) {
        return error instanceof POSKeyException || error instanceof ConflictException;
    }

    private static Map<String, Object> conflictMap(ConflictException e, String defaultMessage, String className) {
        // Key order is that of ConflictError.__init__'s attribute assignments, which is the order Python sends.
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("message", pythonMessage(e.getMessage(), defaultMessage));
        map.put("oid", e.oid() == null ? null : e.oid().toBytes());
        map.put("class_name", className);
        Tid committed = e.committedSerial();
        Tid read = e.readSerial();
        map.put("serials", committed == null && read == null ? null
                : Arrays.asList(committed == null ? null : committed.toBytes(), read == null ? null : read.toBytes()));
        return map;
    }

    /** The message up to the Java details " (oid ...)", which the map's fields carry instead. */
    private static String pythonMessage(String javaMessage, String defaultMessage) {
        if (javaMessage == null || javaMessage.isEmpty()) {
            return defaultMessage;
        }
        int details = javaMessage.indexOf(" (oid ");
        return details > 0 ? javaMessage.substring(0, details) : details == 0 ? defaultMessage : javaMessage;
    }

    private static WireError undoError(UndoException e) {
        if (e.isMultiple()) {
            return multipleUndoErrors(e.errors());
        }
        if (e.oid() != null) {
            // jzeo's UndoException.of collapses a single failure; FileStorage never does.
            return multipleUndoErrors(List.of(e));
        }
        return new WireError(UNDO_ERROR, undoAttributes(e));
    }

    private static WireError multipleUndoErrors(List<UndoException> errors) {
        // MultipleUndoErrors.__init__ calls UndoError.__init__(self, *errs[0]) with errs[0] = (oid, UndoError):
        // hence _reason = the first oid and _oid = the first nested error, then _errs.
        List<Object> errs = new ArrayList<>();
        for (UndoException each : errors) {
            errs.add(Arrays.asList(oidBytes(each.oid()), nestedUndoError(each)));
        }
        UndoException first = errors.get(0);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("_reason", oidBytes(first.oid()));
        map.put("_oid", nestedUndoError(first));
        map.put("_errs", errs);
        return new WireError(MULTIPLE_UNDO_ERRORS, map);
    }

    /** A nested exception, as the Python server's msgpack default hook writes it: [class_name, dict]. */
    private static List<Object> nestedUndoError(UndoException e) {
        return Arrays.asList(UNDO_ERROR, undoAttributes(e));
    }

    private static Map<String, Object> undoAttributes(UndoException e) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("_reason", undoReason(e));
        attributes.put("_oid", oidBytes(e.oid()));
        return attributes;
    }

    /** UndoException appends " (oid X)" to the reason; Python's _reason is the bare reason. */
    private static String undoReason(UndoException e) {
        String message = messageOf(e);
        if (e.oid() != null) {
            String suffix = " (oid " + e.oid() + ")";
            if (message.endsWith(suffix)) {
                return message.substring(0, message.length() - suffix.length());
            }
        }
        return message;
    }

    private static byte[] oidBytes(Oid oid) {
        return oid == null ? null : oid.toBytes();
    }

    private static String messageOf(Throwable error) {
        return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
    }

    // ---------------------------------------------------------------- client: wire → Java

    /** The exception for an error reply's payload; see the class comment for the mapping. */
    public static StorageException fromWire(String className, Object excArgs) {
        StorageException mapped = null;
        switch (className) {
            case CONFLICT_ERROR:
            case BTREES_CONFLICT_ERROR:
                mapped = conflictFromWire(className, excArgs, false);
                break;
            case READ_CONFLICT_ERROR:
                mapped = conflictFromWire(className, excArgs, true);
                break;
            case POS_KEY_ERROR:
                mapped = posKeyFromWire(excArgs);
                break;
            case READ_ONLY_ERROR:
                mapped = new ReadOnlyException("read-only storage or connection"
                        + (isEmptyList(excArgs) ? "" : ": " + render(excArgs)));
                break;
            case STORAGE_TRANSACTION_ERROR:
                mapped = new StorageTransactionException(render(excArgs));
                break;
            case UNDO_ERROR:
                mapped = excArgs instanceof Map ? undoFromAttributes((Map<?, ?>) excArgs) : null;
                break;
            case MULTIPLE_UNDO_ERRORS:
                mapped = multipleUndoFromWire(excArgs);
                break;
            case TRANSIENT_ERROR:
                mapped = new TransientStorageException(render(excArgs));
                break;
            case AUTH_ERROR:
                mapped = authFromWire(excArgs);
                break;
            default:
                break;
        }
        return mapped != null ? mapped : new ServerException(className, excArgs);
    }

    private static StorageException authFromWire(Object excArgs) {
        String message = excArgs instanceof List<?> list && list.size() == 1 && list.get(0) instanceof String text
                ? text : render(excArgs);
        return message.startsWith(org.jzeo.api.AccessDeniedException.PREFIX)
                ? new org.jzeo.api.AccessDeniedException(message.substring(org.jzeo.api.AccessDeniedException.PREFIX.length()))
                : new org.jzeo.api.AuthenticationException(message);
    }

    /** {@link #fromWire(String, Object)} for a decoded error reply. */
    public static StorageException fromWire(WireMessage errorReply) {
        return fromWire(errorReply.errorClassName(), errorReply.errorArgs());
    }

    private static StorageException conflictFromWire(String className, Object excArgs, boolean read) {
        if (!(excArgs instanceof Map)) {
            return null;
        }
        Map<?, ?> map = (Map<?, ?>) excArgs;
        Oid oid = map.get("oid") instanceof byte[] && ((byte[]) map.get("oid")).length == 8
                ? Oid.fromBytes((byte[]) map.get("oid")) : null;
        Tid committed = null;
        Tid readSerial = null;
        if (map.get("serials") instanceof List && ((List<?>) map.get("serials")).size() == 2) {
            committed = tidOrNull(((List<?>) map.get("serials")).get(0));
            readSerial = tidOrNull(((List<?>) map.get("serials")).get(1));
        }
        if (read) {
            return new ReadConflictException(oid, committed, readSerial);
        }
        String message = map.get("message") instanceof String ? (String) map.get("message") : CONFLICT_MESSAGE;
        if (BTREES_CONFLICT_ERROR.equals(className) && map.get("reason") != null) {
            message = message + ": " + render(map.get("reason"));
        }
        StringBuilder details = new StringBuilder(" (oid ").append(oid);
        if (map.get("class_name") instanceof String) {
            details.append(", class ").append(map.get("class_name"));
        }
        details.append(", serial this txn started with ").append(readSerial)
                .append(", serial currently committed ").append(committed).append(')');
        return new ConflictException(message + details, oid, committed, readSerial);
    }

    private static Tid tidOrNull(Object value) {
        return value instanceof byte[] && ((byte[]) value).length == 8 ? Tid.fromBytes((byte[]) value) : null;
    }

    private static StorageException posKeyFromWire(Object excArgs) {
        if (excArgs instanceof List && !((List<?>) excArgs).isEmpty()) {
            Object first = ((List<?>) excArgs).get(0);
            if (first instanceof byte[] && ((byte[]) first).length == 8) {
                return new POSKeyException(Oid.fromBytes((byte[]) first));
            }
        }
        return new POSKeyException(null, "POSKeyError: " + render(excArgs));
    }

    private static StorageException multipleUndoFromWire(Object excArgs) {
        if (!(excArgs instanceof Map) || !(((Map<?, ?>) excArgs).get("_errs") instanceof List)) {
            return null;
        }
        List<UndoException> errors = new ArrayList<>();
        for (Object entry : (List<?>) ((Map<?, ?>) excArgs).get("_errs")) {
            // Each entry is [oid, [class_name, {_reason, _oid}]].
            if (!(entry instanceof List) || ((List<?>) entry).size() != 2) {
                return null;
            }
            Object nested = ((List<?>) entry).get(1);
            Map<?, ?> attributes = nested instanceof List && ((List<?>) nested).size() == 2
                    && ((List<?>) nested).get(1) instanceof Map ? (Map<?, ?>) ((List<?>) nested).get(1) : null;
            if (attributes == null) {
                return null;
            }
            UndoException each = undoFromAttributes(attributes);
            if (each.oid() == null && ((List<?>) entry).get(0) instanceof byte[]) {
                each = new UndoException(reasonOf(attributes), oidOrNull(((List<?>) entry).get(0)));
            }
            errors.add(each);
        }
        return errors.isEmpty() ? null : UndoException.of(errors);
    }

    private static UndoException undoFromAttributes(Map<?, ?> attributes) {
        return new UndoException(reasonOf(attributes), oidOrNull(attributes.get("_oid")));
    }

    private static String reasonOf(Map<?, ?> attributes) {
        Object reason = attributes.get("_reason");
        return reason instanceof String ? (String) reason : "undo error: " + render(reason);
    }

    private static Oid oidOrNull(Object value) {
        return value instanceof byte[] && ((byte[]) value).length == 8 ? Oid.fromBytes((byte[]) value) : null;
    }

    private static boolean isEmptyList(Object value) {
        return value instanceof List && ((List<?>) value).isEmpty();
    }

    // ---------------------------------------------------------------- rendering

    /**
     * A short Python-like rendering of exception arguments for messages: a one-string array is that string,
     * other arrays are tuples, bin is hex.
     */
    static String render(Object value) {
        if (value instanceof List && ((List<?>) value).size() == 1 && ((List<?>) value).get(0) instanceof String) {
            return (String) ((List<?>) value).get(0);
        }
        return repr(value);
    }

    private static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "True" : "False";
        }
        if (value instanceof String) {
            return "'" + value + "'";
        }
        if (value instanceof byte[]) {
            StringBuilder hex = new StringBuilder("0x");
            for (byte b : (byte[]) value) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        }
        if (value instanceof List) {
            StringBuilder s = new StringBuilder("(");
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                s.append(i > 0 ? ", " : "").append(repr(list.get(i)));
            }
            return s.append(list.size() == 1 ? ",)" : ")").toString();
        }
        if (value instanceof Map) {
            StringBuilder s = new StringBuilder("{");
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                s.append(s.length() > 1 ? ", " : "").append(repr(entry.getKey())).append(": ")
                        .append(repr(entry.getValue()));
            }
            return s.append('}').toString();
        }
        return String.valueOf(value);
    }
}
