package org.jzeo.protocol;

/**
 * A call argument of the wrong msgpack type or shape, or a wrong number of arguments: the Java side of Python's
 * {@code TypeError}. {@link WireErrors} sends it as {@code builtins.TypeError [message]}, which the Python client
 * re-raises as a real TypeError.
 *
 * <p>{@link #argumentIndex()} is the 0-based position in the call's argument array (for an arity error, the
 * number of arguments received); {@link #expected()} and {@link #actual()} are wire type names such as
 * {@code "bin (8 bytes)"}, {@code "str"} or {@code "missing"}. The {@link Args} helpers do not know the method
 * name; the dispatcher adds it with {@link #inMethod(String)}.
 */
public final class WireTypeException extends IllegalArgumentException {
    private final String method;
    private final int argumentIndex;
    private final String expected;
    private final String actual;
    private final boolean arity;

    /** A wrongly typed argument; {@code method} may be null. */
    public WireTypeException(String method, int argumentIndex, String expected, String actual) {
        this(method, argumentIndex, expected, actual, false);
    }

    private WireTypeException(String method, int argumentIndex, String expected, String actual, boolean arity) {
        super(describe(method, argumentIndex, expected, actual, arity));
        this.method = method;
        this.argumentIndex = argumentIndex;
        this.expected = expected;
        this.actual = actual;
        this.arity = arity;
    }

    /** An arity error: {@code given} arguments where {@code expected} (e.g. "1 to 2 arguments") were wanted. */
    public static WireTypeException arity(String method, String expected, int given) {
        return new WireTypeException(method, given, expected, given + (given == 1 ? " argument" : " arguments"),
                true);
    }

    private static String describe(String method, int index, String expected, String actual, boolean arity) {
        String prefix = method == null ? "" : method + "() ";
        return arity
                ? prefix + "takes " + expected + ", got " + actual
                : prefix + "argument " + index + ": expected " + expected + ", got " + actual;
    }

    /** The same error with its message naming the method; the stack trace is kept. */
    public WireTypeException inMethod(String methodName) {
        WireTypeException named = new WireTypeException(methodName, argumentIndex, expected, actual, arity);
        named.setStackTrace(getStackTrace());
        return named;
    }

    /** The method name, or null when not (yet) known. */
    public String method() {
        return method;
    }

    /** The argument's 0-based index, or for an arity error the number of arguments received. */
    public int argumentIndex() {
        return argumentIndex;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }

    /** True when the number of arguments was wrong rather than the type of one. */
    public boolean isArityError() {
        return arity;
    }
}
