package org.jzeo.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/** A SCRAM message's {@code a=value} attributes, in order; hostile input gives an {@link AuthenticationFailure}. */
final class ScramAttributes {
    /** No legitimate SCRAM message comes near this; a longer one is refused before it is parsed. */
    static final int MAX_MESSAGE_CHARS = 2048;

    private final Map<Character, String> values;

    private ScramAttributes(Map<Character, String> values) {
        this.values = values;
    }

    static ScramAttributes parse(String message, String what) {
        if (message == null || message.isEmpty()) {
            throw new AuthenticationFailure("empty " + what);
        }
        if (message.length() > MAX_MESSAGE_CHARS) {
            throw new AuthenticationFailure(what + " too long (" + message.length() + " characters)");
        }
        Map<Character, String> values = new LinkedHashMap<>();
        for (String part : message.split(",", -1)) {
            if (part.length() < 2 || part.charAt(1) != '=' || !Character.isLetter(part.charAt(0))) {
                throw new AuthenticationFailure("malformed attribute in the " + what);
            }
            if (values.putIfAbsent(part.charAt(0), part.substring(2)) != null) {
                throw new AuthenticationFailure("attribute " + part.charAt(0) + " repeated in the " + what);
            }
        }
        if (values.containsKey('m')) {
            throw new AuthenticationFailure("mandatory extension in the " + what + " not supported");
        }
        return new ScramAttributes(values);
    }

    String get(char name) {
        return values.get(name);
    }

    String require(char name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw new AuthenticationFailure("attribute " + name + " missing");
        }
        return value;
    }

    /** The attribute names in order, e.g. "nr" for a client-first-message-bare. */
    String names() {
        StringBuilder names = new StringBuilder();
        values.keySet().forEach(names::append);
        return names.toString();
    }
}
