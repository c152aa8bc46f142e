package org.jzeo.protocol;

import java.util.List;

/**
 * One decoded ZEO message {@code [msgid, flag, name, args]}, immutable. Produced only by
 * {@link MessageCodec#decode(byte[])}, which guarantees the shape: a str name; for calls (any name other than
 * {@code ".reply"}) an argument array; for error replies a {@code [class_name, exc_args]} pair.
 *
 * <p>The 4th element means different things by message kind:
 * <ul>
 *   <li>a call or callback ({@link #isCall()}): the positional arguments, {@link #args()};</li>
 *   <li>a normal reply: the result, any value, {@link #result()};</li>
 *   <li>an error reply ({@link #isError()}): {@link #errorClassName()} and {@link #errorArgs()}.</li>
 * </ul>
 */
public final class WireMessage {
    /** The method name of every reply, and of the client's keep-alive. */
    public static final String REPLY = ".reply";

    private final MessageId msgid;
    private final Object flag;
    private final String name;
    private final Object body;

    WireMessage(MessageId msgid, Object flag, String name, Object body) {
        this.msgid = msgid;
        this.flag = flag;
        this.name = name;
        this.body = body;
    }

    /** The id as received, to be echoed in the reply. */
    public MessageId msgid() {
        return msgid;
    }

    /**
     * The flag as received: a Boolean (calls from the Python client, callbacks) or a Long (replies: 0 normal,
     * 2 error; the keep-alive: 0).
     */
    public Object flag() {
        return flag;
    }

    /**
     * The flag's truthiness, as Python tests it: for a call, "async, send no reply"; for a reply, "this is an
     * error".
     */
    public boolean isAsync() {
        return truthy(flag);
    }

    static boolean truthy(Object flag) {
        if (flag instanceof Boolean) {
            return (Boolean) flag;
        }
        return flag instanceof Number && ((Number) flag).longValue() != 0L;
    }

    public String name() {
        return name;
    }

    /** True for {@code ".reply"} messages (results and errors; also the keep-alive). */
    public boolean isReply() {
        return REPLY.equals(name);
    }

    /** True for a call (client → server) or a callback (server → client): anything but a reply. */
    public boolean isCall() {
        return !isReply();
    }

    /** The client's keep-alive {@code [-1, ...]}: the server must ignore it without answering (spec §3.4). */
    public boolean isKeepAlive() {
        return msgid.isKeepAlive();
    }

    /** True for an error reply: {@code .reply} with a truthy flag (Python sends int 2). */
    public boolean isError() {
        return isReply() && isAsync() && !isKeepAlive();
    }

    /** The positional arguments of a call or callback, unmodifiable, in the decoded types of {@link MessageCodec}. */
    @SuppressWarnings("unchecked")
    public List<Object> args() {
        if (!isCall()) {
            throw new IllegalStateException("a " + REPLY + " message has a result, not arguments");
        }
        return (List<Object>) body;
    }

    /** The result of a normal reply (any decoded value, null for nil). */
    public Object result() {
        if (!isReply()) {
            throw new IllegalStateException(name + " is a call, it has no result");
        }
        return body;
    }

    /** The fully qualified Python exception class of an error reply, e.g. "ZODB.POSException.POSKeyError". */
    public String errorClassName() {
        return (String) errorPair().get(0);
    }

    /** The exception arguments of an error reply: a Map (the instance dict) or a List (its args). */
    public Object errorArgs() {
        return errorPair().get(1);
    }

    private List<?> errorPair() {
        if (!isError()) {
            throw new IllegalStateException("not an error reply");
        }
        return (List<?>) body;
    }

    @Override
    public String toString() {
        return "[" + msgid + ", " + flag + ", " + name + ", " + (body instanceof List ? "array of "
                + ((List<?>) body).size() : MsgpackValues.wireType(body)) + "]";
    }
}
