package org.jzeo.server.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pack time of {@code jzeo pack}, as zeopack computes it and a little more: start from now, or from
 * {@code -t}; then go back {@code -d} days. {@code -t} is zeopack's time of day {@code HH[:MM[:SS]]} (today, local
 * time), or epoch seconds ({@code 1700000000}, {@code 1700000000.5}), or an ISO-8601 date
 * ({@code 2024-05-01}, local midnight), local date-time ({@code 2024-05-01T12:00}) or date-time with offset
 * ({@code 2024-05-01T12:00:00Z}).
 */
final class PackTime {
    private static final Pattern TIME_OF_DAY = Pattern.compile("(\\d{1,2})(?::(\\d{1,2}))?(?::(\\d{1,2}))?");
    private static final Pattern EPOCH = Pattern.compile("\\d{3,}(\\.\\d+)?");

    private PackTime() {
    }

    /**
     * The pack time in epoch seconds.
     *
     * @param time {@code -t}, or null for now
     * @param days {@code -d}, 0 or more
     * @throws IllegalArgumentException naming the accepted forms
     */
    static double resolve(String time, double days, Instant now, ZoneId zone) {
        if (days < 0 || Double.isNaN(days) || Double.isInfinite(days)) {
            throw new IllegalArgumentException("--days must be 0 or more, got " + days);
        }
        double base = time == null ? now.toEpochMilli() / 1000.0 : parse(time.strip(), now, zone);
        return base - days * 86400;
    }

    private static double parse(String time, Instant now, ZoneId zone) {
        Matcher m = TIME_OF_DAY.matcher(time);
        if (m.matches()) {
            int hour = Integer.parseInt(m.group(1));
            int minute = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            int second = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            if (hour > 23 || minute > 59 || second > 59) {
                throw bad(time);
            }
            LocalDate today = LocalDate.ofInstant(now, zone);
            return today.atTime(LocalTime.of(hour, minute, second)).atZone(zone).toEpochSecond();
        }
        if (EPOCH.matcher(time).matches()) {
            return Double.parseDouble(time);
        }
        try {
            if (time.length() == 10) {
                return LocalDate.parse(time).atStartOfDay(zone).toEpochSecond();
            }
            try {
                return seconds(OffsetDateTime.parse(time).toInstant());
            } catch (DateTimeParseException e) {
                return seconds(LocalDateTime.parse(time).atZone(zone).toInstant());
            }
        } catch (DateTimeParseException e) {
            throw bad(time);
        }
    }

    private static double seconds(Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }

    private static IllegalArgumentException bad(String time) {
        return new IllegalArgumentException("--time '" + time + "' is not HH[:MM[:SS]], epoch seconds or an ISO-8601"
                + " date/date-time (2024-05-01, 2024-05-01T12:00, 2024-05-01T12:00:00Z)");
    }
}
