package org.jzeo.server.core;

import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * slf4j markers for what slf4j's levels cannot say. {@link #CRITICAL} marks an ERROR event that ZEO logs at
 * Python's CRITICAL level (a transaction timeout), so a log written in ZConfig's format says CRITICAL as ZEO's does.
 */
public final class LogMarkers {
    public static final Marker CRITICAL = MarkerFactory.getMarker("CRITICAL");

    private LogMarkers() {
    }
}
