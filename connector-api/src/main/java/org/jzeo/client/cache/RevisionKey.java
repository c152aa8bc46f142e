package org.jzeo.client.cache;

/**
 * Identity of one cached revision: the oid and the tid that wrote it, both unsigned 64-bit values. This is what an
 * {@link EvictionPolicy} tracks, so the same policy can run inside {@link DiskCache} and inside the simulator.
 */
public record RevisionKey(long oid, long start) {
}
