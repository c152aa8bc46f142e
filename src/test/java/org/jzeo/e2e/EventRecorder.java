package org.jzeo.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientListener;
import org.jzeo.client.net.ServerAddress;

/** A {@link ClientListener} that keeps every event, in order, and lets a test wait for one. */
final class EventRecorder implements ClientListener {

    sealed interface Event permits Invalidated, CacheDropped, Connected, Disconnected {
    }

    record Invalidated(Tid tid, List<Oid> oids) implements Event {
    }

    record CacheDropped() implements Event {
    }

    record Connected(ServerAddress address, boolean readOnly) implements Event {
    }

    record Disconnected(ServerAddress address, Throwable cause) implements Event {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Event> events = new ArrayList<>();

    @Override
    public void invalidated(Tid tid, Collection<Oid> oids) {
        add(new Invalidated(tid, List.copyOf(oids)));
    }

    @Override
    public void cacheDropped() {
        add(new CacheDropped());
    }

    @Override
    public void connected(ServerAddress address, boolean readOnly) {
        add(new Connected(address, readOnly));
    }

    @Override
    public void disconnected(ServerAddress address, Throwable cause) {
        add(new Disconnected(address, cause));
    }

    private void add(Event e) {
        lock.lock();
        try {
            events.add(e);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<Event> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    <T extends Event> List<T> events(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    int size() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for an event of {@code type} matching {@code matches} at index {@code from} or later, and returns
     * it; AssertionError listing the events seen after {@code timeout}.
     */
    <T extends Event> T await(Class<T> type, Predicate<T> matches, int from, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            int seen = from;
            while (true) {
                for (; seen < events.size(); seen++) {
                    Event e = events.get(seen);
                    if (type.isInstance(e) && matches.test(type.cast(e))) {
                        return type.cast(e);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + type.getSimpleName() + " event as expected within " + timeout
                            + " (from index " + from + "); events: " + events);
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    <T extends Event> T await(Class<T> type, int from) throws InterruptedException {
        return await(type, e -> true, from, Await.TIMEOUT);
    }
}
