package org.jzeo.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.transaction.xa.Xid;
import org.jzeo.api.AuthenticationException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.client.blob.ClientBlobs;
import org.jzeo.client.cache.CacheStats;
import org.jzeo.client.cache.ClientCache;
import org.jzeo.client.net.ClientTransport;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.client.net.ServerAddress;
import org.jzeo.protocol.Args;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage contract over the ZEO protocol: a client of a jzeo (or Python ZEO 5, msgpack mode) server, with a
 * coherent on-disk cache. Thread-safe: many application threads share one instance; reads run in parallel,
 * commits from one client go to the server one at a time (the protocol allows one transaction per connection).
 *
 * <p>Reads try the cache first and ask the server on a miss; identical loads in flight are merged. A load reply
 * is stored in the cache on the I/O thread before any later message from the server is handled, so an
 * invalidation that follows it can never be overtaken by it. {@link #lastTransaction()} is the cache's last tid:
 * it moves only after the cache applied the invalidations up to it.
 *
 * <p>While disconnected, reads the cache can answer are served from it; everything else fails fast with a
 * {@link DisconnectedException} that names the addresses tried.
 */
public final class ClientStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(ClientStorage.class);

    private record LoadKey(Oid oid, Tid before) {
    }

    private final ClientOptions options;
    private final ClientCache cache;
    /** The blob cache or shared blob directory; null without {@code blob-dir}. */
    private final ClientBlobs blobs;
    private final ClientTransport transport;
    private final ClientListeners listeners = new ClientListeners();
    private final Connector connector;
    private final Map<LoadKey, CompletableFuture<LoadResult>> loadsInFlight = new ConcurrentHashMap<>();
    private final OidPool oids = new OidPool(this::fetchNewOids);
    private final CommitGate commitGate = new CommitGate();
    private final AtomicLong transactionIds = new AtomicLong(System.nanoTime() & 0xffffffffL);
    private final AtomicLong networkLoads = new AtomicLong();
    private final AtomicLong blobDownloads = new AtomicLong();
    private volatile Map<Object, Object> info = Map.of();
    private volatile CommitListener commitListener;
    private volatile boolean closed;

    /**
     * Opens the cache and connects. With {@code wait} (the default) this returns once connected and verified,
     * or fails after {@code wait-timeout} with a DisconnectedException naming the addresses tried.
     */
    public ClientStorage(ClientOptions options) {
        this(options, ClientCaches.open(options), List.of());
    }

    /** With a cache made by the caller (tests, tools); the storage closes it. */
    public ClientStorage(ClientOptions options, ClientCache cache) {
        this(options, cache, List.of());
    }

    /**
     * With listeners that hear everything from the first connection on (listeners added later may miss the
     * first verification's events).
     */
    public ClientStorage(ClientOptions options, List<ClientListener> initialListeners) {
        this(options, ClientCaches.open(options), initialListeners);
    }

    /** With a cache made by the caller and listeners from the start; the storage closes the cache. */
    public ClientStorage(ClientOptions options, ClientCache cache, List<ClientListener> initialListeners) {
        initialListeners.forEach(listeners::add);
        this.options = options;
        this.cache = cache;
        this.blobs = openBlobs(options, cache);
        this.transport = new ClientTransport("jzeo-client-io-" + options.storage());
        CacheVerifier verifier = new CacheVerifier(cache, listeners, Duration.ofSeconds(60));
        this.connector = new Connector(options, transport, verifier, new SessionEvents(), this::installed);
        connector.start();
        if (options.waitForConnection()) {
            boolean connected;
            try {
                connected = connector.awaitConnected(options.waitTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                connected = false;
            }
            if (!connected) {
                String attempts = connector.attempts();
                AuthenticationException refused = connector.signOnRefused();
                close();
                if (refused != null) {
                    throw new AuthenticationException("storage '" + options.storage() + "': " + refused.getMessage()
                            + "; " + attempts, refused);
                }
                throw new DisconnectedException("storage '" + options.storage() + "': not connected after "
                        + options.waitTimeout().toSeconds() + " s; " + attempts);
            }
        }
    }

    /** The blob directory of the options, or null; a directory that cannot be used closes the cache first. */
    private static ClientBlobs openBlobs(ClientOptions options, ClientCache cache) {
        if (!options.blobs().enabled()) {
            return null;
        }
        try {
            return ClientBlobs.open(options.blobs(), options.storage());
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
    }

    public ClientOptions options() {
        return options;
    }

    public void addListener(ClientListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ClientListener listener) {
        listeners.remove(listener);
    }

    /** True while a verified connection is live. */
    public boolean isConnected() {
        return connector.current() != null;
    }

    /** The server this client is connected to, or null. */
    public ServerAddress connectedAddress() {
        ClientSession session = connector.current();
        return session == null ? null : session.connection().address();
    }

    /** Waits until connected; false on timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connector.awaitConnected(timeout);
    }

    /** The client cache's counters. */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** How many loads went to the server since open (cache misses that were not merged). */
    public long networkLoads() {
        return networkLoads.get();
    }

    /** The server's {@code get_info} answer, updated by its {@code info} messages. */
    public Map<Object, Object> serverInfo() {
        return info;
    }

    @Override
    public String name() {
        return options.storage();
    }

    // ---------------------------------------------------------------- blobs

    /** The pair a server lists in get_info's {@code interfaces} when it keeps blobs. */
    private static final List<String> BLOB_INTERFACE = List.of("ZODB.interfaces", "IBlobStorage");

    /** A blob directory is configured and the server keeps blobs (get_info lists {@code IBlobStorage}). */
    @Override
    public boolean supportsBlobs() {
        return blobs != null && serverKeepsBlobs();
    }

    private boolean serverKeepsBlobs() {
        if (!(info.get("interfaces") instanceof List<?> interfaces)) {
            return false;
        }
        for (Object pair : interfaces) {
            if (pair instanceof List<?> names && names.size() == 2
                    && BLOB_INTERFACE.equals(names.stream().map(WireValues::text).toList())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The file of the blob of revision {@code serial} of {@code oid}: from the blob cache (its access time set to
     * now), else downloaded with {@code sendBlob} into the cache; in shared-blob-dir mode, the server's file.
     *
     * @throws POSKeyException the server has no blob for that revision
     */
    @Override
    public Path loadBlob(Oid oid, Tid serial) {
        return requireBlobs("load the blob of " + oid).load(oid, serial, this::download);
    }

    private void download(Oid oid, Tid serial) {
        blobDownloads.incrementAndGet();
        call(new Requests.SendBlob(oid, serial));
    }

    @Override
    public Path blobTemporaryDirectory() {
        return requireBlobs("store blobs").temporaryDirectory();
    }

    /** How many blobs this client asked the server for (sendBlob calls). */
    public long blobDownloads() {
        return blobDownloads.get();
    }

    /** The blob store, null without blob-dir. */
    ClientBlobs blobStore() {
        return blobs;
    }

    /** The blob store of this client, or a one-line reason why there is none. */
    ClientBlobs requireBlobs(String what) {
        if (blobs == null) {
            throw new StorageException("cannot " + what + ": no blob directory is configured for storage '" + name()
                    + "' (set the client option blob-dir; blobDirectory on the resource adapter)");
        }
        if (isConnected() && !serverKeepsBlobs()) {
            throw new StorageException("cannot " + what + ": the server of storage '" + name()
                    + "' keeps no blobs (its storage has no blob-dir)");
        }
        return blobs;
    }

    /** Read-only by configuration, or because the current server only took a read-only registration. */
    @Override
    public boolean isReadOnly() {
        ClientSession session = connector.current();
        return options.readOnly() || (session != null && session.isReadOnly());
    }

    @Override
    public Tid lastTransaction() {
        return cache.lastTid();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        LoadResult cached = cache.loadBefore(oid, before);
        if (cached != null) {
            return cached;
        }
        ClientSession session = requireSession("load", oid);
        LoadKey key = new LoadKey(oid, before);
        CompletableFuture<LoadResult> reply = loadsInFlight.computeIfAbsent(key, k -> sendLoad(session, k));
        reply.whenComplete((result, error) -> loadsInFlight.remove(key, reply));
        return Calls.await(reply);
    }

    /**
     * Sends loads of {@code oids} at snapshot {@code before} without waiting, skipping those cached or already in
     * flight; a later {@link #loadBefore} with the same snapshot joins the load in flight. Does nothing while
     * disconnected.
     */
    public void prefetch(Collection<Oid> oids, Tid before) {
        ClientSession session = connector.current();
        if (session == null || closed) {
            return;
        }
        for (Oid oid : oids) {
            if (!cache.mayContain(oid, before)) {
                LoadKey key = new LoadKey(oid, before);
                CompletableFuture<LoadResult> reply = loadsInFlight.computeIfAbsent(key, k -> sendLoad(session, k));
                reply.whenComplete((result, error) -> loadsInFlight.remove(key, reply));
            }
        }
    }

    private CompletableFuture<LoadResult> sendLoad(ClientSession session, LoadKey key) {
        networkLoads.incrementAndGet();
        // The hook runs on the I/O thread, so the cache has the record before a later invalidation is applied.
        return session.connection().call(MessageId.ofPair(key.oid().toBytes(), key.before().toBytes()),
                new Requests.LoadBefore(key.oid(), key.before()), result -> {
            LoadResult loaded = WireValues.loadResult(result);
            if (loaded != null && loaded.data() != null) {
                cache.store(key.oid(), loaded.start(), loaded.end(), loaded.data());
            }
            return loaded;
        }).thenApply(LoadResult.class::cast);
    }

    @Override
    public byte[] loadSerial(Oid oid, Tid serial) {
        return (byte[]) call(new Requests.LoadSerial(oid, serial));
    }

    @Override
    public List<HistoryEntry> history(Oid oid, int size) {
        List<HistoryEntry> entries = new ArrayList<>();
        for (Object entry : (List<?>) call(new Requests.History(oid, size))) {
            entries.add(WireValues.historyEntry((Map<?, ?>) entry));
        }
        return entries;
    }

    @Override
    public CurrentRecord recordIterNext(Oid next) {
        Object reply = call(new Requests.RecordIterNext(next));
        if (reply == null) {
            return null;
        }
        List<?> r = (List<?>) reply;
        return new CurrentRecord(WireValues.oid(r.get(0)), WireValues.tid(r.get(1)), (byte[]) r.get(2),
                WireValues.oid(r.get(3)));
    }

    @Override
    public StorageIterator iterator(Tid start, Tid stop) {
        ClientSession session = requireSession("iterate");
        return new RemoteIterator(session.connection(), start, stop);
    }

    @Override
    public boolean supportsUndo() {
        return Boolean.TRUE.equals(info.get("supportsUndo"));
    }

    @Override
    public List<UndoEntry> undoLog(int first, int last) {
        List<UndoEntry> entries = new ArrayList<>();
        for (Object entry : (List<?>) call(new Requests.UndoLog(Requests.UndoLog.LOG, first, last, null))) {
            entries.add(WireValues.undoEntry((Map<?, ?>) entry));
        }
        return entries;
    }

    /**
     * The filter runs here, not on the server (a Java predicate cannot travel): the whole undo log is fetched
     * and sliced locally, so use it for administration, not on hot paths.
     */
    @Override
    public List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter) {
        List<UndoEntry> matching = undoLog(0, Integer.MIN_VALUE + 1).stream().filter(filter).toList();
        int end = last < 0 ? first - last : last;
        return matching.subList(Math.min(first, matching.size()), Math.min(Math.max(end, first), matching.size()));
    }

    /**
     * Read back with the iterator from the oldest of the newest {@code count} undoable transactions (the wire
     * has no direct call); transactions before a pack boundary are not listed.
     */
    @Override
    public List<Invalidation> lastInvalidations(int count) {
        List<UndoEntry> newest = count <= 0 ? List.of() : undoLog(0, -count);
        if (newest.isEmpty()) {
            return List.of();
        }
        List<Invalidation> result = new ArrayList<>();
        try (StorageIterator transactions = iterator(newest.get(newest.size() - 1).tid(), null)) {
            while (transactions.hasNext()) {
                var t = transactions.next();
                result.add(new Invalidation(t.tid(), t.records().stream().map(r -> r.oid()).distinct().toList()));
            }
        }
        return result.size() > count ? result.subList(result.size() - count, result.size()) : result;
    }

    /**
     * Packs on the server and waits until it finished; the server applies its own pack-gc setting. The wire
     * carries the time as float seconds, coarser than a tid: the time sent is the smallest float that is not
     * before {@code packTime}, so the transaction at {@code packTime} is inside the pack as asked.
     */
    @Override
    public void pack(Tid packTime, boolean gc) {
        double seconds = packTime.toEpochSeconds();
        while (Tid.fromEpochSeconds(seconds).isBefore(packTime)) {
            seconds = Math.nextUp(seconds);
        }
        call(new Requests.Pack(seconds, true));
    }

    @Override
    public long size() {
        return WireValues.number(info.get("size")).longValue();
    }

    @Override
    public long length() {
        return WireValues.number(info.get("length")).longValue();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public List<Oid> newOids(int count) {
        requireWritable("allocate oids");
        return oids.take(count);
    }

    private List<Oid> fetchNewOids() {
        List<Oid> fresh = new ArrayList<>();
        for (Object oid : (List<?>) call(new Requests.NewOids(Requests.NewOids.DEFAULT_COUNT))) {
            fresh.add(WireValues.oid(oid));
        }
        return fresh;
    }

    @Override
    public StorageTransaction begin(TransactionMetadata metadata) {
        requireOpen();
        return new ClientTransaction(this, metadata, transactionIds.incrementAndGet());
    }

    /** Tells the listener of this client's own commits (other clients' commits reach {@link ClientListener}s). */
    @Override
    public void setCommitListener(CommitListener listener) {
        this.commitListener = listener;
    }

    CommitGate commitGate() {
        return commitGate;
    }

    /** The live, writable session for a commit, or the reason there is none. */
    ClientSession requireWritable(String what) {
        if (options.readOnly()) {
            throw new ReadOnlyException("cannot " + what + ": storage '" + name() + "' is configured read-only");
        }
        ClientSession session = requireSession(what);
        if (session.isReadOnly()) {
            throw new ReadOnlyException("cannot " + what + ": connected to read-only server "
                    + session.connection().address());
        }
        return session;
    }

    /**
     * After this client's own tpc_finish, on the I/O thread: the written revisions become current in the cache
     * (except those the server changed: undone objects), then the last tid moves and listeners hear of it.
     */
    void committed(ClientTransaction transaction, Tid tid, Map<Oid, byte[]> written, Collection<Oid> notCached) {
        List<Oid> all = transaction.writtenOids();
        applyCommit(tid, all, written, notCached);
        CommitListener listener = commitListener;
        if (listener != null) {
            try {
                listener.committed(transaction, tid, all);
            } catch (RuntimeException e) {
                LOG.error("commit listener failed for transaction {}", tid, e); // the commit stands
            }
        }
    }

    // ---------------------------------------------------------------- XA (jzeo extension xa1)

    /** What this client wrote in a branch it prepared, kept for its cache until the branch ends. */
    private record PreparedBranch(ClientTransaction transaction, Map<Oid, byte[]> written, Collection<Oid> notCached) {
    }

    private final Map<WireXid, PreparedBranch> preparedHere = new ConcurrentHashMap<>();
    private final Map<WireXid, StorageXAResource.Branch> activeBranches = new ConcurrentHashMap<>();

    private final java.util.Set<WireXid> endedLocally = ConcurrentHashMap.newKeySet();

    /** XA branches whose prepare failed or found nothing to write: ended here, unknown to the server. */
    java.util.Set<WireXid> endedLocally() {
        return endedLocally;
    }

    /** XA branches started on this storage's connections and not yet prepared. */
    Map<WireXid, StorageXAResource.Branch> activeBranches() {
        return activeBranches;
    }

    /** True when the server offers jzeo's XA methods (durable prepared branches). */
    public boolean supportsXa() {
        return info.get(XaWire.INFO_KEY) instanceof List<?> extensions && extensions.contains(XaWire.EXTENSION);
    }

    void prepared(WireXid xid, ClientTransaction transaction, Map<Oid, byte[]> written, Collection<Oid> notCached) {
        preparedHere.put(xid, new PreparedBranch(transaction, Map.copyOf(new java.util.HashMap<>(written)),
                List.copyOf(notCached)));
    }

    /**
     * Commits prepared branch {@code xid} on the server (from this client's connection, whichever client prepared
     * it). The cache and listeners learn of it as of this client's own commits; a repeated commit whose outcome
     * the server remembered changes nothing here.
     *
     * @throws org.jzeo.protocol.ServerException {@code jzeo.XAError} with the XA error code (XAER_NOTA, XA_HEURRB)
     */
    public Tid commitPrepared(Xid xid) {
        WireXid key = WireXid.of(xid);
        ClientSession session = requireSession("commit XA branch " + key);
        // Blob files move into the cache on this thread once the reply is in, never on the I/O thread (see
        // ClientTransaction#blobsCommitted).
        AtomicReference<PreparedBranch> committedHere = new AtomicReference<>();
        Object reply = Calls.await(session.connection().call(session.connection().nextMessageId(),
                new Requests.XaBranchCall(XaWire.COMMIT, key), result -> {
                    List<?> pair = (List<?>) result;
                    Tid tid = WireValues.tid(pair.get(0));
                    List<Oid> oids = new ArrayList<>();
                    for (Object oid : (List<?>) pair.get(1)) {
                        oids.add(WireValues.oid(oid));
                    }
                    PreparedBranch mine = preparedHere.remove(key);
                    committedHere.set(mine);
                    if (tid.isAfter(cache.lastTid())) {
                        applyCommit(tid, oids, mine == null ? Map.of() : mine.written(),
                                mine == null ? oids : mine.notCached());
                    }
                    return tid;
                }));
        PreparedBranch mine = committedHere.get();
        if (mine != null) {
            mine.transaction().blobsCommitted((Tid) reply);
        }
        return (Tid) reply;
    }

    /** Rolls back branch {@code xid} on the server (prepared or remembered). */
    public void rollbackPrepared(Xid xid) {
        WireXid key = WireXid.of(xid);
        call(new Requests.XaBranchCall(XaWire.ROLLBACK, key));
        PreparedBranch mine = preparedHere.remove(key);
        if (mine != null) {
            mine.transaction().discardBlobs();
        }
    }

    /** The server's prepared and heuristically completed branches of this storage. */
    public List<Xid> recoverPrepared() {
        List<Xid> xids = new ArrayList<>();
        for (Object xid : (List<?>) call(XaWire.RECOVER)) {
            xids.add(XaWire.decode(xid));
        }
        return xids;
    }

    /** Makes the server forget the heuristic outcome of {@code xid}. */
    public void forgetHeuristic(Xid xid) {
        call(new Requests.XaBranchCall(XaWire.FORGET, WireXid.of(xid)));
    }

    /**
     * On the I/O thread, for a commit made through this client's connection: the written revisions become current
     * in the cache (the others are dropped), listeners hear of every oid, then the last tid moves.
     */
    private void applyCommit(Tid tid, Collection<Oid> oids, Map<Oid, byte[]> written, Collection<Oid> notCached) {
        for (Oid oid : oids) {
            cache.invalidate(oid, tid);
            byte[] data = written.get(oid);
            if (data != null && !notCached.contains(oid)) {
                cache.store(oid, tid, null, data);
            } else if (!written.containsKey(oid) || notCached.contains(oid)) {
                cache.drop(oid);
            }
        }
        listeners.invalidated(tid, oids);
        advance(tid);
    }

    /** A vote refused an object: its cached revision may be stale, so it is dropped (ZEO does the same). */
    void conflicted(Oid oid) {
        if (oid != null) {
            cache.drop(oid);
        }
    }

    private void advance(Tid tid) {
        if (tid.isAfter(cache.lastTid())) {
            cache.setLastTid(tid);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private Object call(Requests.Request request) {
        ClientSession session = requireSession(request.method());
        return Calls.await(session.connection().call(request));
    }

    private Object call(String method, Object... args) {
        ClientSession session = requireSession(method);
        return Calls.await(session.connection().call(method, args));
    }

    ClientSession requireSession(String what) {
        return requireSession(what, null);
    }

    /** The live session; the message (built only on failure) names {@code what} and {@code oid} if given. */
    private ClientSession requireSession(String what, Oid oid) {
        requireOpen();
        ClientSession session = connector.current();
        if (session == null) {
            throw new DisconnectedException("cannot " + what + (oid == null ? "" : " " + oid) + ": storage '"
                    + name() + "' is not connected; " + connector.attempts());
        }
        return session;
    }

    private void requireOpen() {
        if (closed) {
            throw new StorageException("storage '" + name() + "' is closed");
        }
    }

    private void installed(ClientSession session, Map<Object, Object> serverInfo) {
        info = Map.copyOf(serverInfo);
        oids.clear();
        listeners.connected(session.connection().address(), session.isReadOnly());
    }

    /** A download's connection, paused while its chunks wait for the disk. */
    private record Reading(ServerConnection connection) implements ClientBlobs.Reading {
        @Override
        public void pause() {
            connection.pauseReading();
        }

        @Override
        public void resume() {
            connection.resumeReading();
        }
    }

    /** What the live session reports, on the I/O thread. */
    private final class SessionEvents implements ClientSession.Events {
        @Override
        public void invalidateTransaction(ClientSession session, Tid tid, List<Oid> changed) {
            if (!tid.isAfter(cache.lastTid())) {
                LOG.error("server {} sent invalidations for {} after {}: out of order, closing the connection",
                        session.connection().address(), tid, cache.lastTid());
                session.connection().close();
                return;
            }
            for (Oid oid : changed) {
                cache.invalidate(oid, tid);
            }
            // Listeners first: whoever sees the new last tid must find these oids already reported.
            listeners.invalidated(tid, changed);
            cache.setLastTid(tid);
        }

        @Override
        public void info(ClientSession session, Map<Object, Object> update) {
            Map<Object, Object> merged = new java.util.HashMap<>(info);
            merged.putAll(update);
            info = Map.copyOf(merged);
        }

        @Override
        public void blob(ClientSession session, String name, List<Object> args) {
            if (blobs == null) {
                LOG.warn("ignoring {} from {}: no blob-dir is configured", name, session.connection().address());
                return;
            }
            Oid oid = Args.oid(args, 0);
            Tid serial = Args.tid(args, 1);
            try {
                switch (name) {
                    case Requests.BlobCallbacks.START -> blobs.receiveStart(oid, serial);
                    case Requests.BlobCallbacks.CHUNK -> blobs.receiveChunk(oid, serial, Args.bytes(args, 2),
                            new Reading(session.connection()));
                    default -> blobs.receiveStop(oid, serial);
                }
            } catch (RuntimeException e) {
                // The download is dropped; the sendBlob caller finds no file and reports it.
                LOG.error("blob download of {} at {} from {} failed: {}", oid, serial,
                        session.connection().address(), e.toString());
            }
        }

        @Override
        public void closed(ClientSession session, Throwable cause) {
            if (blobs != null) {
                blobs.connectionLost();
            }
            boolean wasCurrent = connector.current() == session;
            connector.lost(session);
            if (wasCurrent && !closed) {
                LOG.warn("storage '{}' lost its connection to {}{}", name(), session.connection().address(),
                        cause == null ? "" : ": " + cause.getMessage());
                listeners.disconnected(session.connection().address(), cause);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        connector.close();
        transport.close();
        cache.close();
        if (blobs != null) {
            blobs.close();
        }
    }

    @Override
    public String toString() {
        ClientSession session = connector.current();
        return "ClientStorage[" + name() + ", " + (session == null ? "disconnected" : session.toString()) + "]";
    }
}
