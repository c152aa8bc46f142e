package org.jzeo.storage;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/** One step of current-record iteration ({@code record_iternext}): {@code next} is null at the end. */
public record CurrentRecord(Oid oid, Tid tid, byte[] data, Oid next) {
}
