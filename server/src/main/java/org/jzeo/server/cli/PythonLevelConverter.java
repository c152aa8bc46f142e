package org.jzeo.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.jzeo.server.core.LogMarkers;
import org.slf4j.Marker;

/**
 * Python's {@code %(levelname)s} (or, as {@code %pylevel{number}}, {@code %(levelno)s}) for a logback event:
 * CRITICAL (an error marked {@link LogMarkers#CRITICAL}), ERROR, WARNING, INFO, DEBUG, TRACE. ZEO's log readers and its own tests look for these words (a transaction timeout is
 * "CRITICAL"); slf4j has no critical level, hence the marker.
 */
public final class PythonLevelConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return "number".equals(getFirstOption()) ? String.valueOf(levelNumber(event)) : levelName(event);
    }

    /** Python's {@code %(levelno)s}: 50, 40, 30, 20, 10 or 5. */
    static int levelNumber(ILoggingEvent event) {
        return switch (levelName(event)) {
            case "CRITICAL" -> 50;
            case "ERROR" -> 40;
            case "WARNING" -> 30;
            case "INFO" -> 20;
            case "DEBUG" -> 10;
            default -> 5;
        };
    }

    static String levelName(ILoggingEvent event) {
        Level level = event.getLevel();
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return isCritical(event) ? "CRITICAL" : "ERROR";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return "WARNING";
        }
        return level.toString();
    }

    private static boolean isCritical(ILoggingEvent event) {
        if (event.getMarkerList() == null) {
            return false;
        }
        for (Marker marker : event.getMarkerList()) {
            if (marker.contains(LogMarkers.CRITICAL)) {
                return true;
            }
        }
        return false;
    }
}
