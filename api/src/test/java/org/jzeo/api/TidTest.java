package org.jzeo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TidTest {

    @Test
    void decodesTheSpecExampleTimestamp() {
        Tid tid = Tid.fromHex("040d2d5a264d4500");
        Instant t = tid.toInstant();
        assertThat(t.toString()).startsWith("2026-11-22T02:02:08.97");
    }

    @Test
    void encodingIsTheInverseOfDecodingToTheTimestampResolution() {
        Tid tid = Tid.fromHex("040d2d5a264d4500");
        assertThat(Tid.fromEpochSeconds(tid.toEpochSeconds())).isEqualTo(tid);
        assertThat(Tid.fromInstant(tid.toInstant()).value()).isBetween(tid.value() - 1, tid.value());
    }

    @Test
    void highWordCountsMinutesOnA31DayCalendar() {
        Tid tid = Tid.fromFields(1900, 1, 1, 0, 1, 0.0);
        assertThat(tid.value() >>> 32).isEqualTo(1);
        Tid march = Tid.fromFields(1900, 3, 1, 0, 0, 0.0);
        assertThat(march.value() >>> 32).isEqualTo(2L * 31 * 24 * 60);
        assertThat(Tid.fromFields(2000, 1, 1, 0, 0, 30.0).value() & 0xffffffffL).isEqualTo(1L << 31);
    }

    @Test
    void nextCarriesIntoTheMinute() {
        Tid endOfMinute = Tid.of((5L << 32) | 0xffffffffL);
        assertThat(endOfMinute.next()).isEqualTo(Tid.of(6L << 32));
    }

    @Test
    void newTidNeverGoesBackEvenWhenTheClockDoes() {
        Instant now = Instant.parse("2026-11-22T03:00:00Z");
        Tid first = Tid.newTid(now, Tid.ZERO);
        Tid second = Tid.newTid(now.minusSeconds(3600), first);
        Tid third = Tid.newTid(now, second);
        assertThat(second).isEqualTo(first.next());
        assertThat(third).isEqualTo(second.next());
        assertThat(Tid.newTid(now.plusSeconds(1), third)).isGreaterThan(third);
    }

    @Test
    void comparesUnsigned() {
        assertThat(Tid.of(-1L)).isGreaterThan(Tid.MAX);
        assertThat(Oid.of(-1L)).isGreaterThan(Oid.of(1));
    }

    @Test
    void bytesRoundTripAndRejectWrongLengths() {
        Tid tid = Tid.fromHex("0123456789abcdef");
        assertThat(Tid.fromBytes(tid.toBytes())).isEqualTo(tid);
        assertThat(tid.toString()).isEqualTo("0123456789abcdef");
        assertThatThrownBy(() -> Tid.fromBytes(new byte[7])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Oid.fromBytes(new byte[9])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsTimesOutsideTheTimestampRange() {
        assertThatThrownBy(() -> Tid.fromFields(1899, 12, 31, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tid.fromFields(2000, 1, 1, 0, 0, 60.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
