package org.jzeo.storage;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/** The oids a committed transaction changed, as the invalidation queue and clients see them. */
public record Invalidation(Tid tid, List<Oid> oids) {
}
