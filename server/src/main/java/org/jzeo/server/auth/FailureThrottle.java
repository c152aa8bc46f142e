package org.jzeo.server.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing: the answer to a failed sign-on is held back for a time that doubles with each recent
 * failure from the same address or for the same user, up to a limit. Failures older than the window are forgotten, and
 * so is a user's count when that user signs on. Both tables are bounded, so a flood of made-up names or addresses
 * cannot exhaust memory (the oldest entries go first). Thread-safe.
 */
public final class FailureThrottle {
    static final int MAX_ENTRIES = 10_000;

    private final Duration first;
    private final Duration limit;
    private final Duration window;
    private final LongSupplier nanoClock;
    private final Map<String, Failures> byAddress = lru();
    private final Map<String, Failures> byUser = lru();

    private static final class Failures {
        int count;
        long lastNanos;
    }

    public FailureThrottle(Duration first, Duration limit, Duration window, LongSupplier nanoClock) {
        this.first = first;
        this.limit = limit;
        this.window = window;
        this.nanoClock = nanoClock;
    }

    /** 250 ms after the first failure, doubling to 8 s; counts last 15 minutes. */
    public static FailureThrottle standard() {
        return new FailureThrottle(Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofMinutes(15),
                System::nanoTime);
    }

    /** Records a failure and returns how long to hold back its answer. {@code user} may be null (not yet named). */
    public synchronized Duration failed(String address, String user) {
        int count = bump(byAddress, address);
        if (user != null) {
            count = Math.max(count, bump(byUser, user));
        }
        return delayFor(count);
    }

    /** A successful sign-on: the user's failures are forgiven (the address's are not: it may be guessing others). */
    public synchronized void succeeded(String user) {
        byUser.remove(user);
    }

    /** The recent failures counted for an address (for tests and logs). */
    public synchronized int failuresOf(String address) {
        Failures f = byAddress.get(address);
        return f == null || expired(f) ? 0 : f.count;
    }

    private int bump(Map<String, Failures> table, String key) {
        Failures f = table.remove(key);
        if (f == null || expired(f)) {
            f = new Failures();
        }
        f.count++;
        f.lastNanos = nanoClock.getAsLong();
        table.put(key, f);
        return f.count;
    }

    private boolean expired(Failures f) {
        return nanoClock.getAsLong() - f.lastNanos > window.toNanos();
    }

    private Duration delayFor(int count) {
        int doublings = Math.min(count - 1, 30);
        long millis = first.toMillis() << doublings;
        return millis <= 0 || millis > limit.toMillis() ? limit : Duration.ofMillis(millis);
    }

    private static Map<String, Failures> lru() {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }
}
