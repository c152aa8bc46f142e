package org.jzeo.server.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.Requests.GetInvalidations;
import org.jzeo.protocol.Requests.NewOids;
import org.jzeo.protocol.Requests.Register;
import org.jzeo.protocol.Requests.SetClientLabel;
import org.jzeo.server.auth.Right;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.Storage;

/** register, get_info, lastTransaction, ping, set_client_label, server_status, getInvalidations, new_oids. */
final class SessionMethods {
    /** Advertised in get_info by a storage with a blob directory, first, as Python's FileStorage lists them. */
    private static final List<Object> BLOB_INTERFACES = List.of(
            List.of("ZODB.interfaces", "IBlobStorageRestoreable"),
            List.of("ZODB.interfaces", "IBlobStorage"));
    /** The interfaces advertised in get_info by every storage: exactly what they implement. */
    private static final List<Object> INTERFACES = List.of(
            List.of("ZODB.interfaces", "IStorageRestoreable"),
            List.of("ZODB.interfaces", "IStorageIteration"),
            List.of("ZODB.interfaces", "IStorageUndoable"),
            List.of("ZODB.interfaces", "IStorageCurrentRecordIteration"),
            List.of("ZODB.interfaces", "IExternalGC"),
            List.of("ZODB.interfaces", "IStorage"),
            List.of("zope.interface", "Interface"));

    private SessionMethods() {
    }

    static void addTo(MethodTable table) {
        table.addBeforeRegister(Register.METHOD, MethodTable.Phase.UNREGISTERED,
                (s, a) -> register(s, Register.decode(a)));
        table.add("get_info", MethodTable.Mode.INLINE, (s, a) -> info(s));
        // READ, not INLINE: a reply written on the event loop overtakes invalidations other threads have queued.
        table.addLoad("lastTransaction", (storage, args) -> true, (s, a) -> s.storage().announcedTid());
        table.add("ping", MethodTable.Mode.INLINE, (s, a) -> null);
        table.add(SetClientLabel.METHOD, MethodTable.Mode.INLINE, (s, a) -> {
            s.setLabel(SetClientLabel.decode(a).label());
            return null;
        });
        table.add("server_status", MethodTable.Mode.INLINE, (s, a) -> {
            s.requireAdmin("read the status of");
            return s.storage().status(s.server().timeoutsRunning());
        });
        table.add(GetInvalidations.METHOD, MethodTable.Mode.READ,
                (s, a) -> getInvalidations(s, GetInvalidations.decode(a).since()));
        table.add(NewOids.METHOD, MethodTable.Mode.INLINE, (s, a) -> newOids(s, NewOids.decode(a).count()));
    }

    private static Object register(ZeoSession session, Register request) {
        String name = request.storage();
        boolean readOnly = request.readOnly();
        ServedStorage served = session.server().storage(name);
        if (served == null) {
            throw new IllegalArgumentException("unknown storage: " + name);
        }
        Right right = session.rightOn(name);
        if (right == Right.NONE) {
            throw new AccessDeniedException(session.principal().describe() + " has no rights on storage '" + name
                    + "'");
        }
        if (!readOnly && served.isReadOnly()) {
            throw new ReadOnlyException("storage " + name + " is read-only");
        }
        if (!readOnly && !right.includes(Right.READ_WRITE)) {
            // As a read-only storage answers: stock clients with read_only_fallback then register read-only.
            throw new ReadOnlyException(session.principal().describe() + " may only read storage " + name);
        }
        session.registered(served, readOnly || served.isReadOnly() || !right.includes(Right.READ_WRITE), right);
        return served.storage().lastTransaction();
    }

    private static Map<String, Object> info(ZeoSession session) {
        ServedStorage served = session.storage();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("length", served.storage().length());
        info.put("size", served.storage().size());
        info.put("name", served.name());
        info.put("supportsUndo", served.storage().supportsUndo());
        info.put("supports_record_iternext", true);
        info.put("interfaces", interfaces(served.storage()));
        // jzeo's protocol extensions (XaWire); Python clients ignore keys they do not know.
        List<Object> extensions = new ArrayList<>();
        if (served.xa().offered()) {
            extensions.add(org.jzeo.protocol.XaWire.EXTENSION);
        }
        if (session.server().authenticator() != null) {
            extensions.add(org.jzeo.auth.AuthWire.EXTENSION);
        }
        info.put(org.jzeo.protocol.XaWire.INFO_KEY, extensions);
        return info;
    }

    private static List<Object> interfaces(Storage storage) {
        if (!storage.supportsBlobs()) {
            return INTERFACES;
        }
        List<Object> all = new ArrayList<>(BLOB_INTERFACES);
        all.addAll(INTERFACES);
        return all;
    }

    private static Object getInvalidations(ZeoSession session, Tid since) {
        Invalidation inv = session.storage().invalidations().getInvalidations(since);
        if (inv == null) {
            return null;
        }
        List<Object> oids = new ArrayList<>(inv.oids().size());
        for (Oid oid : inv.oids()) {
            oids.add(oid);
        }
        return List.of(inv.tid(), oids);
    }

    private static Object newOids(ZeoSession session, long n) {
        if (session.isReadOnly()) {
            throw new ReadOnlyException("read-only connection");
        }
        int count = (int) Math.min(Math.max(n, 1), 100);
        return new ArrayList<Object>(session.storage().storage().newOids(count));
    }
}
