package org.jzeo.server.storage.pg;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.server.storage.commit.LockTimeoutException;

/**
 * Turns JDBC failures into the storage's exceptions, with one-line messages that name the database by its URL
 * (never the password, which lives in the connection properties).
 */
final class PostgresErrors {
    /** lock_timeout passed while waiting for a row lock. */
    static final String LOCK_NOT_AVAILABLE = "55P03";
    static final String DEADLOCK_DETECTED = "40P01";
    static final String SERIALIZATION_FAILURE = "40001";
    /** Statement.cancel() (our cancel()) or statement_timeout. */
    static final String QUERY_CANCELED = "57014";

    private final String url;

    PostgresErrors(String url) {
        this.url = withoutPassword(url);
    }

    /** The URL as messages show it: a password given in its parameters is masked. */
    static String withoutPassword(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    String url() {
        return url;
    }

    /** The exception for {@code e}, met while doing {@code what} (e.g. "loading oid 0000000000000001"). */
    StorageException translate(String what, SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
            // The database is up, but every pooled connection is in use (voters hold theirs until finish).
            return new DatabaseUnavailableException("PostgreSQL database " + url + ": no pooled connection became"
                    + " free in time (" + what + "; raise pool-size?): " + firstLine(e), e);
        }
        if (isUnavailable(e)) {
            return new DatabaseUnavailableException("PostgreSQL database " + url + " is unavailable (" + what + "): "
                    + firstLine(e), e);
        }
        if (LOCK_NOT_AVAILABLE.equals(state) || DEADLOCK_DETECTED.equals(state)
                || SERIALIZATION_FAILURE.equals(state)) {
            return lockConflict(what, null, e);
        }
        return new StorageException("PostgreSQL database " + url + ": " + what + " failed: " + firstLine(e)
                + (state == null ? "" : " (SQLState " + state + ")"), e);
    }

    /** A retryable conflict for a lock that could not be had, naming {@code oid} when it is known. */
    ConflictException lockConflict(String what, Oid oid, SQLException e) {
        String reason = DEADLOCK_DETECTED.equals(e.getSQLState()) ? "a deadlock with another transaction"
                : SERIALIZATION_FAILURE.equals(e.getSQLState()) ? "a serialization failure"
                : "another transaction holds the lock";
        ConflictException c = new LockTimeoutException("could not lock " + (oid == null ? "the objects" : "oid " + oid)
                + " (" + what + ") in PostgreSQL database " + url + ": " + reason, oid);
        c.initCause(e);
        return c;
    }

    /** Whether the failure means the database is down or the connection broke, rather than a bad request. */
    static boolean isUnavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true; // the pool could not get a connection in time
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The message's first line, with the cause's when the pool wrapped the driver's error. */
    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        if (e.getCause() != null && e.getCause() != e && e instanceof SQLTransientConnectionException) {
            line += ": " + firstLine(e.getCause());
        }
        return line.strip();
    }
}
