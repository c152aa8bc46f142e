package org.jzeo.server.cli;

import java.util.Locale;

/** A number of bytes for operators: exact below 10 000, else in kB, MB or GB (powers of 1000) with one decimal. */
final class ByteSize {
    private static final String[] UNITS = {"kB", "MB", "GB", "TB", "PB", "EB"};

    private ByteSize() {
    }

    static String format(long bytes) {
        if (bytes < 10_000) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
