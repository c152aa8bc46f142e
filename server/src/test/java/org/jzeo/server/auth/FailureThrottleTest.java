package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
    private final AtomicLong now = new AtomicLong();
    private final FailureThrottle throttle = new FailureThrottle(Duration.ofMillis(250), Duration.ofSeconds(8),
            Duration.ofMinutes(15), now::get);

    @Test
    void delaysDoubleUpToTheLimitPerAddress() {
        assertThat(throttle.failed("10.0.0.1", "a")).isEqualTo(Duration.ofMillis(250));
        assertThat(throttle.failed("10.0.0.1", "b")).isEqualTo(Duration.ofMillis(500));
        assertThat(throttle.failed("10.0.0.1", "c")).isEqualTo(Duration.ofMillis(1000));
        for (int i = 0; i < 40; i++) {
            throttle.failed("10.0.0.1", "x" + i);
        }
        assertThat(throttle.failed("10.0.0.1", "y")).isEqualTo(Duration.ofSeconds(8));
        assertThat(throttle.failed("10.0.0.2", "z")).as("another address, another user").isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void oneUserGuessedFromManyAddressesIsSlowedToo() {
        throttle.failed("10.0.0.1", "alice");
        throttle.failed("10.0.0.2", "alice");
        assertThat(throttle.failed("10.0.0.3", "alice")).isEqualTo(Duration.ofMillis(1000));
        throttle.succeeded("alice");
        assertThat(throttle.failed("10.0.0.4", "alice")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        throttle.failed("10.0.0.1", null);
        throttle.failed("10.0.0.1", null);
        assertThat(throttle.failuresOf("10.0.0.1")).isEqualTo(2);
        now.addAndGet(Duration.ofMinutes(16).toNanos());
        assertThat(throttle.failuresOf("10.0.0.1")).isZero();
        assertThat(throttle.failed("10.0.0.1", null)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aFloodOfMadeUpNamesStaysBounded() {
        for (int i = 0; i < FailureThrottle.MAX_ENTRIES * 3; i++) {
            throttle.failed("10.1." + (i / 250) + "." + (i % 250), "user" + i);
        }
        assertThat(throttle.failuresOf("10.1.0.0")).as("the oldest entries were dropped").isZero();
        assertThat(throttle.failuresOf("10.1.119.249")).isEqualTo(1);
    }
}
