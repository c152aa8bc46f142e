package org.jzeo.rar;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A container's listener that only records the events it hears. */
final class RecordingListener implements ConnectionEventListener {
    final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    List<Integer> ids() {
        return events.stream().map(ConnectionEvent::getId).toList();
    }

    ConnectionEvent last() {
        return events.get(events.size() - 1);
    }

    @Override
    public void connectionClosed(ConnectionEvent event) {
        events.add(event);
    }

    @Override
    public void localTransactionStarted(ConnectionEvent event) {
        events.add(event);
    }

    @Override
    public void localTransactionCommitted(ConnectionEvent event) {
        events.add(event);
    }

    @Override
    public void localTransactionRolledback(ConnectionEvent event) {
        events.add(event);
    }

    @Override
    public void connectionErrorOccurred(ConnectionEvent event) {
        events.add(event);
    }
}
