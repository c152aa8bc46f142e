package org.jzeo.server.testsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionListener;

/**
 * A transaction listener that writes down what it hears, in order, as text ("invalidated [oids]", "before",
 * "after COMMITTED tid"), and can run a step at beforeCompletion (the object layer writing its pending changes).
 */
public final class RecordingTransactionListener implements TransactionListener {
    public final List<String> events = new ArrayList<>();
    /** Run at beforeCompletion, then cleared (null: nothing). */
    public Runnable atBeforeCompletion;

    @Override
    public void invalidated(Collection<Oid> oids) {
        events.add("invalidated " + (oids == null ? "everything" : new TreeSet<>(oids)));
    }

    @Override
    public void beforeCompletion() {
        events.add("before");
        Runnable step = atBeforeCompletion;
        atBeforeCompletion = null;
        if (step != null) {
            step.run();
        }
    }

    @Override
    public void afterCompletion(Completion completion, Tid tid) {
        events.add("after " + completion + (tid == null ? "" : " " + tid));
    }

    /** The events so far, cleared. */
    public List<String> take() {
        List<String> taken = List.copyOf(events);
        events.clear();
        return taken;
    }

    public static String invalidated(Oid... oids) {
        return "invalidated " + new TreeSet<>(List.of(oids));
    }
}
