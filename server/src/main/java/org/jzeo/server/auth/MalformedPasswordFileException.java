package org.jzeo.server.auth;

/**
 * A password database whose text is not one: the message, one line, says which file, which line and what is
 * wrong ("/etc/jzeo/passwd:3: user 'bob' a second time"), so an operator can fix it without a stack trace.
 */
public final class MalformedPasswordFileException extends IllegalArgumentException {
    private final String file;
    private final int line;

    /** @param line 1-based; 0 when the problem is the file as a whole */
    public MalformedPasswordFileException(String file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** The 1-based line number, or 0 when the problem is the file as a whole. */
    public int line() {
        return line;
    }
}
