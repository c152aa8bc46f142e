package org.jzeo.api;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A transaction id: an 8-byte ZODB TimeStamp, compared as an unsigned big-endian number.
 *
 * <p>Encoding (filestorage-format spec §11): the high 32 bits count minutes since 1900-01-01 00:00 UTC
 * on a calendar of 31-day months and 12-month years; the low 32 bits are the fraction of the minute
 * scaled to 2^32, truncated. {@link #next()} is the next representable timestamp. Immutable.
 */
public final class Tid implements Comparable<Tid>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** "No transaction": the tid of an empty storage and the serial of a new object. */
    public static final Tid ZERO = new Tid(0L);
    /** {@code maxtid}: loadBefore(oid, MAX) loads the current revision. */
    public static final Tid MAX = new Tid(0x7fffffffffffffffL);

    private static final double SECONDS_PER_LOW_UNIT = 60.0 / 4294967296.0;
    private static final long MINUTES_PER_DAY = 24 * 60;
    private static final long MINUTES_PER_MONTH = 31 * MINUTES_PER_DAY;
    private static final long MINUTES_PER_YEAR = 12 * MINUTES_PER_MONTH;

    private final long value;

    private Tid(long value) {
        this.value = value;
    }

    public static Tid of(long value) {
        if (value == 0L) {
            return ZERO;
        }
        return new Tid(value);
    }

    public static Tid fromBytes(byte[] bytes) {
        if (bytes.length != 8) {
            throw new IllegalArgumentException("a tid is 8 bytes, got " + bytes.length);
        }
        return of(ByteBuffer.wrap(bytes).getLong());
    }

    /** Parses 16 hex digits, as {@link #toString()} writes them. */
    public static Tid fromHex(String hex) {
        return of(Long.parseUnsignedLong(hex, 16));
    }

    /** The TimeStamp of a moment, truncated to the timestamp's resolution (about 14 ns). */
    public static Tid fromInstant(Instant instant) {
        ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
        double seconds = t.getSecond() + t.getNano() / 1e9;
        return fromFields(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), seconds);
    }

    /** The TimeStamp of epoch seconds, computed as Python's {@code TimeStamp(*gmtime(t)[:5] + (t % 60,))}. */
    public static Tid fromEpochSeconds(double epochSeconds) {
        long whole = (long) Math.floor(epochSeconds);
        ZonedDateTime t = Instant.ofEpochSecond(whole).atZone(ZoneOffset.UTC);
        double secondsInMinute = epochSeconds - (whole - t.getSecond());
        return fromFields(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(),
                secondsInMinute);
    }

    /** Builds a TimeStamp from calendar fields in UTC; {@code seconds} is in [0, 60). */
    public static Tid fromFields(int year, int month, int day, int hour, int minute, double seconds) {
        if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || seconds < 0 || seconds >= 60) {
            throw new IllegalArgumentException("time out of TimeStamp range: " + year + "-" + month + "-" + day
                    + " " + hour + ":" + minute + ":" + seconds);
        }
        long high = (((((long) year - 1900) * 12 + (month - 1)) * 31 + (day - 1)) * 24 + hour) * 60 + minute;
        long low = (long) (seconds / SECONDS_PER_LOW_UNIT);
        if (high > 0xffffffffL) {
            throw new IllegalArgumentException("year " + year + " is beyond the TimeStamp range");
        }
        return of((high << 32) | (low & 0xffffffffL));
    }

    /**
     * The tid a new transaction gets: the timestamp of {@code now}, or the successor of {@code last}
     * when the clock has not moved past it. Tids therefore strictly increase even if the clock goes back.
     */
    public static Tid newTid(Instant now, Tid last) {
        Tid candidate = fromInstant(now);
        return candidate.compareTo(last) > 0 ? candidate : last.next();
    }

    /** The next representable timestamp: +1 in the low word, carrying into the minute on overflow. */
    public Tid next() {
        if (value == MAX.value) {
            throw new IllegalStateException("no tid after maxtid");
        }
        // Adding 1 to the 64-bit value increments the low word and carries into the minute count.
        return of(value + 1);
    }

    public long value() {
        return value;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    /** The moment this timestamp stands for, as epoch seconds (what ZODB reports as {@code time}). */
    public double toEpochSeconds() {
        long minutes = value >>> 32;
        long low = value & 0xffffffffL;
        int year = (int) (minutes / MINUTES_PER_YEAR) + 1900;
        int month = (int) (minutes / MINUTES_PER_MONTH % 12) + 1;
        int day = (int) (minutes / MINUTES_PER_DAY % 31) + 1;
        int hour = (int) (minutes / 60 % 24);
        int minute = (int) (minutes % 60);
        // Lenient like timegm: a 31-day calendar can name days such as February 30.
        long epochDay = LocalDate.of(year, month, 1).toEpochDay() + (day - 1);
        long wholeSeconds = epochDay * 86400L + hour * 3600L + minute * 60L;
        return wholeSeconds + low * SECONDS_PER_LOW_UNIT;
    }

    public Instant toInstant() {
        double seconds = toEpochSeconds();
        long whole = (long) Math.floor(seconds);
        long nanos = Math.round((seconds - whole) * 1e9);
        return Instant.ofEpochSecond(whole, nanos);
    }

    @Override
    public int compareTo(Tid other) {
        return Long.compareUnsigned(value, other.value);
    }

    public boolean isAfter(Tid other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Tid other) {
        return compareTo(other) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tid other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** 16 lowercase hex digits. */
    @Override
    public String toString() {
        return String.format("%016x", value);
    }
}
