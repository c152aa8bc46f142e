package org.jzeo.server.cli;

import java.io.PrintWriter;

/**
 * Prints progress lines: on a terminal each one replaces the last (carriage return), elsewhere (a log, a pipe, a
 * test) each is a plain line of its own.
 */
final class ProgressPrinter {
    private final PrintWriter out;
    private final boolean terminal;
    private int shown;

    ProgressPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Whether standard output is an interactive terminal (false when piped or redirected). */
    static boolean stdoutIsATerminal() {
        return System.console() != null;
    }

    void progress(String line) {
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
            shown = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Removes a progress line left on a terminal, so that the next output starts on a clean line. */
    void clear() {
        if (terminal && shown > 0) {
            out.print("\r" + " ".repeat(shown) + "\r");
            out.flush();
            shown = 0;
        }
    }
}
