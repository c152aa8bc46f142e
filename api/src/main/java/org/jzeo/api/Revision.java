package org.jzeo.api;

import java.time.Instant;

/**
 * One revision in an object's history: the transaction that wrote it, when, by whom, why, and how many bytes it
 * holds.
 */
public record Revision(Tid tid, Instant time, String user, String description, long size) {
}
