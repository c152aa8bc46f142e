package org.jzeo.config;

import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Converts configuration text to values with ZConfig's datatype rules (boolean, integer, byte-size,
 * time-interval, path), for the server's {@code zeo.conf} and for client options alike. Each method either
 * returns a value or throws {@link IllegalArgumentException} whose message says what the text should look like;
 * the caller adds where the text came from. Extensions to ZConfig are marked; each only accepts text ZConfig would
 * refuse, never reinterprets text ZConfig accepts.
 */
public final class ConfigValues {
    private static final long KB = 1024L;

    private ConfigValues() {
    }

    /** {@code on/off}, {@code yes/no}, {@code true/false}, any case. */
    public static boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException(
                    quote(text) + " is not a boolean (use on/off, yes/no or true/false)");
        };
    }

    /** A whole number, optionally signed. */
    public static long integer(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quote(text) + " is not a whole number");
        }
    }

    /**
     * ZConfig byte-size: a whole number of bytes with an optional {@code KB}, {@code MB} or {@code GB} suffix
     * (any case, powers of 1024), e.g. {@code 20MB}. Negative sizes are refused.
     */
    public static long byteSize(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("kb")) {
            unit = KB;
        } else if (s.endsWith("mb")) {
            unit = KB * KB;
        } else if (s.endsWith("gb")) {
            unit = KB * KB * KB;
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 2).strip();
        long count;
        try {
            count = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quote(text)
                    + " is not a byte size (a whole number with an optional KB, MB or GB suffix, e.g. 20MB)");
        }
        if (count < 0) {
            throw new IllegalArgumentException(quote(text) + " is negative");
        }
        try {
            return Math.multiplyExact(count, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is too large");
        }
    }

    /**
     * ZConfig time-interval: a number with an optional unit {@code s}, {@code m}, {@code h} or {@code d} (seconds
     * when none), e.g. {@code 10s}, {@code 5m}. jzeo extensions: decimals ({@code 2.5s}, which also covers ZEO's
     * float-seconds options such as {@code invalidation-age 0.5}) and the unit {@code ms}. Negative intervals are
     * refused.
     */
    public static Duration timeInterval(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        BigDecimal nanosPerUnit;
        String number;
        if (s.endsWith("ms")) {
            nanosPerUnit = BigDecimal.valueOf(1_000_000L);
            number = s.substring(0, s.length() - 2);
        } else if (!s.isEmpty() && "smhd".indexOf(s.charAt(s.length() - 1)) >= 0) {
            long seconds = switch (s.charAt(s.length() - 1)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                default -> 86_400;
            };
            nanosPerUnit = BigDecimal.valueOf(seconds * 1_000_000_000L);
            number = s.substring(0, s.length() - 1);
        } else {
            nanosPerUnit = BigDecimal.valueOf(1_000_000_000L);
            number = s;
        }
        BigDecimal amount;
        try {
            amount = new BigDecimal(number.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quote(text)
                    + " is not a time interval (a number with an optional unit ms, s, m, h or d, e.g. 10s)");
        }
        if (amount.signum() < 0) {
            throw new IllegalArgumentException(quote(text) + " is negative");
        }
        try {
            return Duration.ofNanos(amount.multiply(nanosPerUnit).toBigInteger().longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is too long");
        }
    }

    /** A file system path; a leading {@code ~} means the user's home directory. Not checked for existence. */
    public static Path path(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("a path is required");
        }
        if (s.equals("~") || s.startsWith("~/")) {
            s = System.getProperty("user.home") + s.substring(1);
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(quote(text) + " is not a valid path: " + e.getReason());
        }
    }

    /** Any non-empty text. */
    public static String text(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("a value is required");
        }
        return text;
    }

    private static String quote(String text) {
        return "'" + text + "'";
    }
}
