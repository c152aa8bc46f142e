package org.jzeo.server.testsupport;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.jzeo.api.ConflictResolver;
import org.jzeo.api.Oid;
import org.jzeo.api.StoredObject;

/**
 * Merges concurrent changes of a counter stored as decimal text: the committed value plus this transaction's delta
 * (what BTrees.Length does). Objects that are not counters ("x" payloads) are not merged.
 */
public final class CounterResolver implements ConflictResolver {
    public int calls;

    @Override
    public StoredObject resolve(Oid oid, StoredObject old, StoredObject committed, StoredObject mine) {
        calls++;
        BigDecimal base = old == null ? BigDecimal.ZERO : value(old);
        BigDecimal theirs = value(committed);
        BigDecimal ours = value(mine);
        if (base == null || theirs == null || ours == null) {
            return null;
        }
        String merged = theirs.add(ours.subtract(base)).toPlainString();
        return new StoredObject(oid, committed.serial(), merged.getBytes(StandardCharsets.UTF_8), mine.references());
    }

    private static BigDecimal value(StoredObject object) {
        try {
            return new BigDecimal(new String(object.payload(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
