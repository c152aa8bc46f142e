package org.jzeo.objects;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jzeo.objects.codec.ObjectCodec;
import org.jzeo.objects.codec.ReferenceReader;
import org.jzeo.objects.codec.ReferenceWriter;

/**
 * Encodes persistent objects into states and back without a storage, as the session does: references by oid (an
 * object without one gets the next free oid here), and decoded references as unloaded placeholders and lazy
 * references that cannot be followed (as in a conflict resolution).
 */
final class States {
    static final ObjectCodec CODEC = new ObjectCodec(ObjectTypes.of().resolver());

    private final Map<Persistent, Long> oids = new IdentityHashMap<>();
    private long nextOid = 1000;

    byte[] encode(Persistent object) {
        return CODEC.encode(object, new ReferenceWriter() {
            @Override
            public boolean isPersistent(Object value) {
                return value instanceof Persistent;
            }

            @Override
            public long oidOf(Object persistent) {
                Persistent p = (Persistent) persistent;
                if (p.jzeoOid != null) {
                    return p.jzeoOid.value();
                }
                return oids.computeIfAbsent(p, x -> nextOid++);
            }

            @Override
            public boolean isLazy(Object value) {
                return value instanceof Lazy<?>;
            }

            @Override
            public long lazyOid(Object lazy) {
                Lazy<?> l = (Lazy<?>) lazy;
                Persistent target = l.unsavedTarget();
                return target != null ? oidOf(target) : l.oid().value();
            }

            @Override
            public Class<?> lazyTargetClass(Object lazy) {
                return ((Lazy<?>) lazy).targetClass();
            }
        });
    }

    @SuppressWarnings("unchecked")
    <T extends Persistent> T decode(byte[] state) {
        Persistent instance = (Persistent) CODEC.model(CODEC.classOf(state, "test")).newInstance();
        CODEC.decodeInto(instance, state, new ReferenceReader() {
            @Override
            public Object reference(long oid, Class<?> type) {
                Persistent placeholder = (Persistent) CODEC.model(type).newInstance();
                placeholder.jzeoOid = org.jzeo.api.Oid.of(oid);
                return placeholder;
            }

            @Override
            @SuppressWarnings("unchecked")
            public Object lazyReference(long oid, Class<?> type) {
                return Lazy.stored(org.jzeo.api.Oid.of(oid), null, (Class<? extends Persistent>) type);
            }
        }, "test");
        return (T) instance;
    }

    /** A detached copy of {@code object}'s stored state. */
    <T extends Persistent> T copy(T object) {
        return decode(encode(object));
    }
}
