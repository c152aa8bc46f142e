package org.jzeo.storage;

import java.util.Map;
import org.jzeo.api.Tid;

/** One revision of an object in {@code history()}: newest first. {@code size} is the data length. */
public record HistoryEntry(Tid tid, double time, byte[] user, byte[] description, long size,
                           Map<String, Object> extension) {
}
