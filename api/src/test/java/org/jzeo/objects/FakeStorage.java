package org.jzeo.objects;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionListener.Completion;

/**
 * Just enough of a storage, in memory, to run object sessions against without a server: snapshot reads, writes
 * buffered to commit, and at commit the first-committer-wins check of every written record, handing a conflicting
 * record to the session's conflict resolution as the client does. Not thread-safe; one transaction per session.
 */
final class FakeStorage {
    /** Every committed revision of every record, oldest first. */
    private final Map<Oid, List<Revision>> records = new HashMap<>();
    private long lastCommit;
    private long nextOid = 1;

    private record Revision(long commit, byte[] payload) {
    }

    /** A session (and its connection) reading the storage as of now. */
    Session open() {
        return new Session();
    }

    final class Session {
        private final long snapshot = lastCommit;
        private final Map<Oid, byte[]> pending = new LinkedHashMap<>();
        final List<Oid> reads = new ArrayList<>();
        final List<Oid> written = new ArrayList<>();
        final StorageConnection connection;
        final ObjectSession objects;

        private Session() {
            connection = (StorageConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {StorageConnection.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "read" -> read((Oid) args[0]);
                        case "prefetch" -> null;
                        case "write" -> {
                            pending.put((Oid) args[0], (byte[]) args[1]);
                            yield null;
                        }
                        case "newOid" -> Oid.of(nextOid++);
                        case "inTransaction" -> true;
                        case "toString" -> "FakeStorage.Session";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            objects = new ObjectSession(States.CODEC, connection, 10_000);
        }

        PersistentMap<String, Object> root() {
            return objects.root();
        }

        private StoredObject read(Oid oid) {
            Revision r = revisionAt(oid, snapshot);
            if (r == null) {
                throw new POSKeyException(oid);
            }
            reads.add(oid);
            return new StoredObject(oid, Tid.of(r.commit()), r.payload(), List.of());
        }

        /** Writes the changed objects, resolving conflicts through the session; throws when one cannot be merged. */
        void commit() {
            objects.beforeCompletion();
            Map<Oid, byte[]> toStore = new LinkedHashMap<>();
            try {
                for (Map.Entry<Oid, byte[]> w : pending.entrySet()) {
                    Oid oid = w.getKey();
                    Revision latest = revisionAt(oid, Long.MAX_VALUE);
                    byte[] payload = w.getValue();
                    if (latest != null && latest.commit() > snapshot) {
                        Revision old = revisionAt(oid, snapshot);
                        StoredObject merged = objects.resolve(oid,
                                old == null ? null : new StoredObject(oid, Tid.of(old.commit()), old.payload(), List.of()),
                                new StoredObject(oid, Tid.of(latest.commit()), latest.payload(), List.of()),
                                new StoredObject(oid, Tid.of(snapshot), payload, List.of()));
                        if (merged == null) {
                            throw new ConflictException(oid, Tid.of(latest.commit()), Tid.of(snapshot));
                        }
                        payload = merged.payload();
                    }
                    toStore.put(oid, payload);
                }
            } catch (RuntimeException e) {
                objects.afterCompletion(Completion.ABORTED, null);
                throw e;
            }
            long commit = ++lastCommit;
            toStore.forEach((oid, payload) -> records.computeIfAbsent(oid, o -> new ArrayList<>())
                    .add(new Revision(commit, payload)));
            written.addAll(toStore.keySet());
            pending.clear();
            objects.afterCompletion(Completion.COMMITTED, Tid.of(commit));
        }
    }

    private Revision revisionAt(Oid oid, long commit) {
        List<Revision> revisions = records.get(oid);
        Revision found = null;
        if (revisions != null) {
            for (Revision r : revisions) {
                if (r.commit() <= commit) {
                    found = r;
                }
            }
        }
        return found;
    }

    /** The classes of these records' latest states, for assertions. */
    List<Class<?>> classesOf(Collection<Oid> oids) {
        List<Class<?>> classes = new ArrayList<>();
        for (Oid oid : oids) {
            classes.add(States.CODEC.classOf(revisionAt(oid, Long.MAX_VALUE).payload(), "test"));
        }
        return classes;
    }
}
