package org.jzeo.server.cli;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.protocol.ServerException;

/** One-line explanations of why an admin command failed, for operators (no stack traces). */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "cannot connect (" + message(e) + "); is the server running there?";
        }
        if (e instanceof SocketTimeoutException) {
            return message(e);
        }
        if (e instanceof ReadOnlyException) {
            return "the server or storage is read-only";
        }
        if (e instanceof ServerException s && s.firstArgument() != null) {
            return "the server refused: " + s.firstArgument();
        }
        return message(e);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
