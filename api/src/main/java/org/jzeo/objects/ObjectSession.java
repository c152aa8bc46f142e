package org.jzeo.objects;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.ConflictException;
import org.jzeo.api.ConflictResolver;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionListener;
import org.jzeo.objects.codec.ClassModel;
import org.jzeo.objects.codec.ObjectCodec;
import org.jzeo.objects.codec.ObjectFormatException;
import org.jzeo.objects.codec.ReferenceReader;
import org.jzeo.objects.codec.ReferenceWriter;
import org.jzeo.objects.python.PickleRecordReader;
import org.jzeo.objects.python.PythonObject;

/**
 * The objects of one storage connection: one instance per oid (weakly held, so identity lasts while anyone uses
 * the object), a bounded set of recently used objects held strongly, the reading of records into objects and of
 * changed objects into records, and the refreshing of objects other transactions changed. It lives with the
 * storage connection (an attachment), so a pooled connection keeps its objects. Used by one thread at a time.
 */
final class ObjectSession implements TransactionListener, ReferenceReader, ReferenceWriter, ConflictResolver {
    private static final PickleRecordReader PYTHON = new PickleRecordReader();

    private final ObjectCodec codec;
    private final ObjectCodec.Encoder encoder;
    /**
     * The connection handle of the latest {@link ObjectDatabase#open()}: through a resource adapter each unit of
     * work gets a new handle on the pooled managed connection this session lives with, and the previous one is
     * closed. The transaction listener's calls at XA end go through the latest handle even when the application
     * closed it already: the adapter lets a handle serve its managed connection's listener.
     */
    private volatile StorageConnection storage;
    private final int cacheSize;

    private final Map<Oid, Identity> identities = new HashMap<>();
    private final ReferenceQueue<Persistent> collected = new ReferenceQueue<>();
    /** Recently used objects in access order, held strongly; trimmed to cacheSize at transaction boundaries. */
    private final LinkedHashMap<Oid, Persistent> recent = new LinkedHashMap<>(64, 0.75f, true);

    /** Objects other transactions changed, refreshed before this session serves anything again. */
    private final Set<Oid> stale = new HashSet<>();
    private boolean allStale;

    /** Placeholders made for references while reading, to be read before the read returns. */
    private final ArrayDeque<Persistent> toLoad = new ArrayDeque<>();
    /** Objects to write in the running flush. */
    private final ArrayDeque<Persistent> toWrite = new ArrayDeque<>();
    /** What the flush of this transaction wrote, with the bytes written. */
    private final Map<Persistent, byte[]> written = new IdentityHashMap<>();
    /** Objects given an oid by this transaction (new objects reached from stored ones). */
    private final List<Persistent> added = new ArrayList<>();
    /**
     * Lazy references to new objects written by this flush: once the commit succeeds they drop their strong
     * reference to the target (which otherwise lasts until the reference is next used, keeping whole chains of
     * buckets in memory past the cache's size).
     */
    private final List<Lazy<?>> lazyToSettle = new ArrayList<>();
    /** Objects whose conflicting change the storage merged: what is stored is not what they hold. */
    private final Set<Oid> merged = new HashSet<>();
    /** Oids prefetched for a container window and not read since (see {@link #prefetch}). */
    private final Set<Oid> prefetched = new HashSet<>();
    private static final int MAX_PREFETCHED = 4096;
    /** The oids referenced by the state being encoded. */
    private List<Oid> references;

    private volatile long hits;
    private volatile long misses;
    private volatile long evictions;

    ObjectSession(ObjectCodec codec, StorageConnection storage, int cacheSize) {
        this.codec = codec;
        this.encoder = codec.newEncoder();
        this.storage = storage;
        this.cacheSize = cacheSize;
    }

    /** Reads and writes through {@code handle} from now on (a new handle on the same connection). */
    void use(StorageConnection handle) {
        this.storage = handle;
        prefetched.clear();
    }

    /** A weak identity entry that remembers its oid, so a collected entry can be removed. */
    private static final class Identity extends WeakReference<Persistent> {
        final Oid oid;

        Identity(Persistent object, Oid oid, ReferenceQueue<Persistent> queue) {
            super(object, queue);
            this.oid = oid;
        }
    }

    // ------------------------------------------------------------------ reading

    /** The object {@code oid} as of the current transaction's snapshot (one instance per oid). */
    Object get(Oid oid) {
        refreshStale();
        Persistent known = lookup(oid);
        if (known != null && known.jzeoLoaded) {
            hits++;
            if (recent.get(oid) == null) {
                recent.put(oid, known);
            }
            return known;
        }
        misses++;
        prefetched.remove(oid);
        StoredObject stored = storage.read(oid);
        byte[] payload = stored.payload();
        if (!ObjectCodec.isObjectState(payload)) {
            return foreign(oid, payload);
        }
        Persistent object = known != null ? known : instantiate(codec.classOf(payload, where(oid)), oid);
        fill(object, stored);
        loadPlaceholders();
        return object;
    }

    /**
     * True if {@code oid} is in the identity map and loaded, so {@link #get} would not go to the storage (a
     * stale object still counts: it is refreshed, not prefetched, which is only a hint).
     */
    boolean isLoaded(Oid oid) {
        Persistent known = lookup(oid);
        return known != null && known.jzeoLoaded;
    }

    /**
     * True if {@code oid} was handed to {@link #prefetch} and not read since: a container reading an element of a
     * window it already prefetched loads it without scanning for another window.
     */
    boolean wasPrefetched(Oid oid) {
        return prefetched.contains(oid);
    }

    /**
     * Starts loading {@code oids} in the background ({@link StorageConnection#prefetch}: never waits, never fails,
     * skips what the client cache has), and remembers them so that their reads do not prefetch again.
     */
    void prefetch(Collection<Oid> oids) {
        if (oids.isEmpty()) {
            return;
        }
        if (prefetched.size() > MAX_PREFETCHED) {
            prefetched.clear(); // windows abandoned half read: forgetting them costs at most one scan each
        }
        try {
            storage.prefetch(oids);
        } catch (RuntimeException e) {
            return; // a hint only (a closed handle, say): the read that follows raises what it always raised
        }
        prefetched.addAll(oids);
    }

    /**
     * A record the object layer did not write: a Python ZODB pickle, read as a generic read-only value whose
     * persistent references load through this session when resolved. Not cached: each read decodes afresh.
     */
    private Object foreign(Oid oid, byte[] payload) {
        return PYTHON.read(oid, payload, this::get);
    }

    /** The root map, made (and stored at commit) if the database has none yet. */
    @SuppressWarnings("unchecked")
    PersistentMap<String, Object> root() {
        Object root;
        try {
            root = get(Oid.ROOT);
        } catch (POSKeyException absent) {
            PersistentMap<String, Object> created = new PersistentMap<>();
            adopt(created, Oid.ROOT);
            return created;
        }
        if (!(root instanceof PersistentMap<?, ?> map)) {
            throw new ClassCastException("the root object is a " + (root instanceof PythonObject p ? "Python "
                    + p.className() + " (a database written by Python ZODB, read-only here: read it with get(Oid.ROOT))"
                    : root.getClass().getName()) + ", not a PersistentMap");
        }
        return (PersistentMap<String, Object>) map;
    }

    private Persistent lookup(Oid oid) {
        Identity identity = identities.get(oid);
        return identity == null ? null : identity.get();
    }

    private Persistent instantiate(Class<?> type, Oid oid) {
        if (!Persistent.class.isAssignableFrom(type)) {
            throw new ObjectFormatException(where(oid) + " holds a " + type.getName()
                    + ", which is not a persistent class");
        }
        Persistent object = (Persistent) codec.model(type).newInstance();
        register(object, oid);
        return object;
    }

    private void register(Persistent object, Oid oid) {
        expunge();
        object.jzeoOid = oid;
        object.jzeoSession = this;
        identities.put(oid, new Identity(object, oid, collected));
        recent.put(oid, object);
    }

    /** Sets the object's fields from a stored state and remembers it (and its revision) as its last saved one. */
    private void fill(Persistent object, StoredObject stored) {
        byte[] payload = stored.payload();
        codec.decodeInto(object, payload, this, where(object.jzeoOid));
        object.jzeoSaved = payload;
        object.jzeoSerial = stored.serial();
        object.jzeoSnapshot = snapshotOf(object);
        object.jzeoChanged = false;
        object.jzeoLoaded = true;
        object.jzeoStored = true;
    }

    private Object[] snapshotOf(Persistent object) {
        ClassModel model = codec.model(object.getClass());
        return model.onlyImmutableFields() ? model.fieldValues(object) : null;
    }

    /** Reads the objects referenced by plain fields of what was just read, a graph level at a time. */
    private void loadPlaceholders() {
        while (!toLoad.isEmpty()) {
            List<Persistent> level = new ArrayList<>(toLoad);
            toLoad.clear();
            if (level.size() > 1) {
                storage.prefetch(level.stream().map(p -> p.jzeoOid).toList());
            }
            for (Persistent placeholder : level) {
                if (!placeholder.jzeoLoaded) {
                    misses++;
                    StoredObject stored = storage.read(placeholder.jzeoOid);
                    Class<?> type = codec.classOf(stored.payload(), where(placeholder.jzeoOid));
                    if (type != placeholder.getClass()) {
                        throw new ObjectFormatException(where(placeholder.jzeoOid) + " holds a " + type.getName()
                                + " but is referenced as a " + placeholder.getClass().getName());
                    }
                    fill(placeholder, stored);
                }
            }
        }
    }

    @Override
    public Object reference(long oidValue, Class<?> type) {
        Oid oid = Oid.of(oidValue);
        Persistent known = lookup(oid);
        if (known != null) {
            return known;
        }
        Persistent placeholder = instantiate(type, oid);
        toLoad.add(placeholder);
        return placeholder;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object lazyReference(long oid, Class<?> type) {
        if (!Persistent.class.isAssignableFrom(type)) {
            throw new ObjectFormatException("a lazy reference to " + Oid.of(oid) + " names " + type.getName()
                    + ", which is not a persistent class");
        }
        return Lazy.stored(Oid.of(oid), this, (Class<? extends Persistent>) type);
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void beforeCompletion() {
        expunge();
        List<Persistent> candidates = new ArrayList<>();
        for (Identity identity : identities.values()) {
            Persistent object = identity.get();
            if (object != null && object.jzeoLoaded && mayHaveChanged(object)) {
                candidates.add(object);
            }
        }
        toWrite.addAll(candidates);
        while (!toWrite.isEmpty()) {
            Persistent object = toWrite.poll();
            if (!written.containsKey(object)) {
                write(object);
            }
        }
    }

    private boolean mayHaveChanged(Persistent object) {
        if (object.jzeoSaved == null || object.jzeoChanged) {
            return true;
        }
        if (object.tracksOwnChanges()) {
            return false;
        }
        Object[] snapshot = object.jzeoSnapshot;
        return snapshot == null || !codec.model(object.getClass()).sameFieldValues(object, snapshot);
    }

    private void write(Persistent object) {
        references = new ArrayList<>();
        byte[] state = encoder.encode(object, this);
        List<Oid> referenced = references;
        references = null;
        if (object.jzeoSaved != null && Arrays.equals(state, object.jzeoSaved)) {
            object.jzeoChanged = false;
            object.jzeoSnapshot = snapshotOf(object);
            return;
        }
        requireCurrent(object);
        storage.write(object.jzeoOid, state, referenced);
        written.put(object, state);
    }

    /**
     * Refuses to write a change made to a state older than this transaction's snapshot: the object was changed by
     * another transaction and not yet refreshed here (its invalidation still on its way), so writing it would undo
     * that transaction's change. A conflict, as ZODB's store with an old {@code _p_serial}: abort and retry reads the
     * new state. The storage checks the write against the snapshot's revision, so without this nothing would.
     */
    private void requireCurrent(Persistent object) {
        if (object.jzeoSerial == null || !object.jzeoStored || object.jzeoSerial.equals(Tid.ZERO)) {
            return; // a new object, or one whose outcome is not known yet (it is refreshed before use)
        }
        Tid current;
        try {
            current = storage.read(object.jzeoOid).serial();
        } catch (POSKeyException gone) {
            throw new ConflictException(object.jzeoOid, null, object.jzeoSerial);
        }
        if (!object.jzeoSerial.equals(current)) {
            stale.add(object.jzeoOid);
            throw new ConflictException(object.jzeoOid, current, object.jzeoSerial);
        }
    }

    /** Gives a new object reached from a stored one its oid; it is written in the same flush. */
    private void adopt(Persistent object, Oid oid) {
        register(object, oid);
        object.jzeoLoaded = true;
        added.add(object);
        toWrite.add(object);
    }

    @Override
    public boolean isPersistent(Object value) {
        return value instanceof Persistent;
    }

    @Override
    public long oidOf(Object value) {
        Persistent object = (Persistent) value;
        if (object.jzeoSession == null) {
            adopt(object, storage.newOid());
        } else if (object.jzeoSession != this) {
            throw new IllegalStateException("cannot store a reference to " + object.getClass().getName() + " "
                    + object.jzeoOid + ": the object belongs to another connection; read it through this one");
        }
        references.add(object.jzeoOid);
        return object.jzeoOid.value();
    }

    @Override
    public boolean isLazy(Object value) {
        return value instanceof Lazy<?>;
    }

    @Override
    public long lazyOid(Object value) {
        Lazy<?> lazy = (Lazy<?>) value;
        Persistent unsaved = lazy.unsavedTarget();
        if (unsaved != null) {
            lazyToSettle.add(lazy);
            return oidOf(unsaved);
        }
        if (lazy.session() != this) {
            throw new IllegalStateException("cannot store a reference to " + lazy.targetClass().getName() + " "
                    + lazy.oid() + ": the object belongs to another connection; read it through this one");
        }
        references.add(lazy.oid());
        return lazy.oid().value();
    }

    @Override
    public Class<?> lazyTargetClass(Object value) {
        return ((Lazy<?>) value).targetClass();
    }

    // ------------------------------------------------------------------ transaction boundaries

    @Override
    public void invalidated(Collection<Oid> oids) {
        if (oids == null) {
            allStale = true;
        } else {
            stale.addAll(oids);
        }
    }

    @Override
    public void afterCompletion(Completion completion, Tid tid) {
        prefetched.clear(); // the next transaction reads another snapshot: its windows prefetch afresh
        try {
            switch (completion) {
                case COMMITTED -> saved(false, tid);
                case DELEGATED -> saved(true, tid);
                case ABORTED -> reverted();
            }
        } finally {
            written.clear();
            added.clear();
            lazyToSettle.clear();
            toWrite.clear();
            merged.clear();
            trim();
        }
    }

    private void saved(boolean outcomeUnknown, Tid tid) {
        for (Map.Entry<Persistent, byte[]> w : written.entrySet()) {
            Persistent object = w.getKey();
            object.jzeoSaved = w.getValue();
            object.jzeoSerial = outcomeUnknown ? null : tid;
            object.jzeoSnapshot = snapshotOf(object);
            object.jzeoChanged = false;
            if (outcomeUnknown) {
                stale.add(object.jzeoOid);
            } else {
                object.jzeoStored = true;
            }
        }
        stale.addAll(merged);
        if (!outcomeUnknown) { // a delegated commit may yet have failed: then the targets must be stored again
            for (Lazy<?> lazy : lazyToSettle) {
                lazy.settle();
            }
        }
    }

    /** Objects changed by an aborted transaction go back to their stored state; new ones lose their oids. */
    private void reverted() {
        for (Persistent object : added) {
            detach(object);
        }
        expunge();
        for (Identity identity : identities.values()) {
            Persistent object = identity.get();
            if (object != null && object.jzeoLoaded
                    && (written.containsKey(object) || mayHaveChanged(object) && differsFromSaved(object))) {
                stale.add(object.jzeoOid);
            }
        }
    }

    private boolean differsFromSaved(Persistent object) {
        references = new ArrayList<>();
        try {
            return !Arrays.equals(encoder.encode(object, new ReferencesOnly()), object.jzeoSaved);
        } finally {
            references = null;
        }
    }

    /** Encodes without adopting new objects (an abort must not hand out oids): a new object is a change. */
    private final class ReferencesOnly implements ReferenceWriter {
        @Override
        public boolean isPersistent(Object value) {
            return value instanceof Persistent;
        }

        @Override
        public long oidOf(Object value) {
            Oid oid = ((Persistent) value).jzeoOid;
            return oid == null ? -1 : oid.value();
        }

        @Override
        public boolean isLazy(Object value) {
            return value instanceof Lazy<?>;
        }

        @Override
        public long lazyOid(Object value) {
            Oid oid = ((Lazy<?>) value).oid();
            return oid == null ? -1 : oid.value();
        }

        @Override
        public Class<?> lazyTargetClass(Object value) {
            return ((Lazy<?>) value).targetClass();
        }
    }

    private void detach(Persistent object) {
        Oid oid = object.jzeoOid;
        if (oid != null && lookup(oid) == object) {
            identities.remove(oid);
            recent.remove(oid);
        }
        object.jzeoOid = null;
        object.jzeoSession = null;
        object.jzeoSaved = null;
        object.jzeoSerial = null;
        object.jzeoSnapshot = null;
        object.jzeoLoaded = false;
        object.jzeoStored = false;
    }

    /** Brings objects other transactions changed (or this one aborted) up to the current snapshot, in place. */
    void refreshStale() {
        if (!allStale && stale.isEmpty()) {
            return;
        }
        List<Persistent> objects = new ArrayList<>();
        if (allStale) {
            expunge();
            for (Identity identity : identities.values()) {
                Persistent object = identity.get();
                if (object != null && object.jzeoLoaded) {
                    objects.add(object);
                }
            }
        } else {
            for (Oid oid : stale) {
                Persistent object = lookup(oid);
                if (object != null && object.jzeoLoaded) {
                    objects.add(object);
                }
            }
        }
        allStale = false;
        stale.clear();
        if (objects.size() > 1) {
            storage.prefetch(objects.stream().map(o -> o.jzeoOid).toList());
        }
        for (Persistent object : objects) {
            refresh(object);
        }
        loadPlaceholders();
    }

    private void refresh(Persistent object) {
        StoredObject stored;
        try {
            stored = storage.read(object.jzeoOid);
        } catch (POSKeyException gone) {
            detach(object);
            return;
        }
        if (Arrays.equals(stored.payload(), object.jzeoSaved) && !mayHaveChanged(object)) {
            object.jzeoStored = true; // a delegated commit of it went through
            object.jzeoSerial = stored.serial();
            return;
        }
        fill(object, stored);
    }

    /** Lets go of the least recently used objects beyond the cache size (they stay while the application uses them). */
    private void trim() {
        expunge();
        int excess = recent.size() - cacheSize;
        if (excess <= 0) {
            return;
        }
        Iterator<Persistent> eldest = recent.values().iterator();
        while (excess-- > 0 && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
            evictions++;
        }
    }

    private void expunge() {
        for (Object ref; (ref = collected.poll()) != null; ) {
            Identity gone = (Identity) ref;
            if (identities.get(gone.oid) == gone) {
                identities.remove(gone.oid);
            }
        }
    }

    // ------------------------------------------------------------------ conflicts

    @Override
    public StoredObject resolve(Oid oid, StoredObject old, StoredObject committed, StoredObject mine) {
        if (!ObjectCodec.isObjectState(mine.payload()) || !ObjectCodec.isObjectState(committed.payload())) {
            return null;
        }
        Class<?> type = codec.classOf(mine.payload(), where(oid));
        if (!ResolvesConflicts.class.isAssignableFrom(type) || codec.classOf(committed.payload(), where(oid)) != type) {
            return null;
        }
        Detached detached = new Detached();
        ResolvesConflicts mineState = (ResolvesConflicts) detached.read(type, mine.payload(), oid);
        Object oldState = old == null ? null : detached.read(type, old.payload(), oid);
        Object committedState = detached.read(type, committed.payload(), oid);
        Object result = mineState.resolveConflict(oldState, committedState);
        if (result == null) {
            return null;
        }
        if (result.getClass() != type) {
            throw new IllegalStateException(type.getName() + ".resolveConflict returned a "
                    + result.getClass().getName() + ", not a " + type.getName());
        }
        List<Oid> referenced = new ArrayList<>();
        byte[] state = codec.encode(result, detached.writer(referenced));
        if (state == null) {
            return null;
        }
        merged.add(oid);
        return new StoredObject(oid, committed.serial(), state, referenced);
    }

    /** Reads states into instances outside the session, whose references are unloaded placeholders. */
    private final class Detached implements ReferenceReader {
        Object read(Class<?> type, byte[] payload, Oid oid) {
            Persistent instance = (Persistent) codec.model(type).newInstance();
            instance.jzeoOid = oid;
            codec.decodeInto(instance, payload, this, where(oid));
            return instance;
        }

        @Override
        public Object reference(long oid, Class<?> type) {
            Persistent placeholder = (Persistent) codec.model(type).newInstance();
            placeholder.jzeoOid = Oid.of(oid);
            return placeholder;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object lazyReference(long oid, Class<?> type) {
            return Lazy.stored(Oid.of(oid), null, (Class<? extends Persistent>) type);
        }

        ReferenceWriter writer(List<Oid> referenced) {
            return new ReferenceWriter() {
                @Override
                public boolean isPersistent(Object value) {
                    return value instanceof Persistent;
                }

                @Override
                public long oidOf(Object value) {
                    Oid oid = ((Persistent) value).jzeoOid;
                    if (oid == null) {
                        throw new IllegalStateException("a conflict resolution cannot add new persistent objects");
                    }
                    referenced.add(oid);
                    return oid.value();
                }

                @Override
                public boolean isLazy(Object value) {
                    return value instanceof Lazy<?>;
                }

                @Override
                public long lazyOid(Object value) {
                    Oid oid = ((Lazy<?>) value).oid();
                    if (oid == null) {
                        throw new IllegalStateException("a conflict resolution cannot add new persistent objects");
                    }
                    referenced.add(oid);
                    return oid.value();
                }

                @Override
                public Class<?> lazyTargetClass(Object value) {
                    return ((Lazy<?>) value).targetClass();
                }
            };
        }
    }

    // ------------------------------------------------------------------ misc

    StorageConnection storage() {
        return storage;
    }

    /** Counters read without locking: other threads may see them slightly behind. */
    ObjectCacheStats stats() {
        return new ObjectCacheStats(hits, misses, evictions, recent.size(), identities.size());
    }

    /** Names a record in error messages; the text (a formatted oid) is made only if an error needs it. */
    private static Object where(Oid oid) {
        return new Where(oid);
    }

    private record Where(Oid oid) {
        @Override
        public String toString() {
            return "the record of object " + oid;
        }
    }
}
