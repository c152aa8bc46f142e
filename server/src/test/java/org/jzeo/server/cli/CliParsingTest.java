package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Address, pack time and ruok JSON parsing of the admin commands. */
class CliParsingTest {

    @Test
    void serverSpecsAreWrittenAsZeopackWritesThem() {
        assertThat(ServerSpec.tcp("zeo.example:8100", "1")).isEqualTo(new ServerSpec("zeo.example", 8100, null, "1"));
        assertThat(ServerSpec.tcp("zeo.example:8100:main", "1").storage()).isEqualTo("main");
        assertThat(ServerSpec.tcp("8101", null)).isEqualTo(new ServerSpec("127.0.0.1", 8101, null, null));
        assertThat(ServerSpec.tcp("[::1]:8100:2", "1")).isEqualTo(new ServerSpec("::1", 8100, null, "2"));
        assertThat(ServerSpec.tcp("[::1]:8100", "1").address()).isEqualTo("[::1]:8100");
        assertThat(ServerSpec.unix("/run/zeo.sock", "1")).isEqualTo(
                new ServerSpec(null, 0, Path.of("/run/zeo.sock"), "1"));
        assertThat(ServerSpec.unix("/run/zeo.sock:main", "1").storage()).isEqualTo("main");
        assertThat(ServerSpec.unix("/run/zeo.sock:main", "1").describe()).isEqualTo("storage 'main' on /run/zeo.sock");
        for (String bad : List.of("host:", "host:x", ":8100", "host:70000", "[::1]8100", "host:8100:", "a:1:b:c")) {
            assertThatThrownBy(() -> ServerSpec.tcp(bad, "1")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void packTimeIsNowOrTimeMinusDays() {
        Instant now = Instant.parse("2024-05-10T15:30:00Z");
        ZoneId utc = ZoneOffset.UTC;

        assertThat(PackTime.resolve(null, 0, now, utc)).isEqualTo(now.getEpochSecond());
        assertThat(PackTime.resolve(null, 2, now, utc)).isEqualTo(now.getEpochSecond() - 2 * 86400);
        assertThat(PackTime.resolve(null, 0.5, now, utc)).isEqualTo(now.getEpochSecond() - 43200);
        // zeopack's time of day, today.
        assertThat(PackTime.resolve("12", 0, now, utc)).isEqualTo(Instant.parse("2024-05-10T12:00:00Z").getEpochSecond());
        assertThat(PackTime.resolve("3:04:05", 1, now, utc))
                .isEqualTo(Instant.parse("2024-05-09T03:04:05Z").getEpochSecond());
        // Epoch seconds and ISO-8601.
        assertThat(PackTime.resolve("1700000000.5", 0, now, utc)).isEqualTo(1700000000.5);
        assertThat(PackTime.resolve("2024-05-01", 0, now, ZoneId.of("Europe/Paris")))
                .isEqualTo(Instant.parse("2024-04-30T22:00:00Z").getEpochSecond());
        assertThat(PackTime.resolve("2024-05-01T12:00", 0, now, utc))
                .isEqualTo(Instant.parse("2024-05-01T12:00:00Z").getEpochSecond());
        assertThat(PackTime.resolve("2024-05-01T12:00:00+02:00", 0, now, utc))
                .isEqualTo(Instant.parse("2024-05-01T10:00:00Z").getEpochSecond());
        for (String bad : List.of("25", "12:61", "yesterday", "2024-13-01")) {
            assertThatThrownBy(() -> PackTime.resolve(bad, 0, now, utc)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PackTime.resolve(null, -1, now, utc)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ruokJsonIsRead() {
        Object parsed = StatusJsonReader.parse("{\"1\": {\"connections\": 2, \"lock_time\": null, \"start\":"
                + " \"Tue Apr  2 10:00:00 2024\", \"x\": 1.5, \"ok\": true, \"l\": [1, \"a\\\"b\\u00e9\"]}, \"2\": {}}");

        assertThat(parsed).isEqualTo(Map.of(
                "1", new java.util.LinkedHashMap<>(java.util.Map.of("connections", 2L, "start",
                        "Tue Apr  2 10:00:00 2024", "x", 1.5, "ok", true, "l", List.of(1L, "a\"b\u00e9"))) {
                    {
                        put("lock_time", null);
                    }
                },
                "2", Map.of()));
        for (String bad : List.of("{", "{\"a\" 1}", "[1,]", "{} x", "\"open")) {
            assertThatThrownBy(() -> StatusJsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void statusTableAlignsColumns() {
        Map<String, Map<String, Object>> table = new java.util.LinkedHashMap<>();
        Map<String, Object> one = new java.util.LinkedHashMap<>();
        one.put("loads", 12L);
        one.put("lock_time", null);
        Map<String, Object> other = new java.util.LinkedHashMap<>();
        other.put("loads", 3L);
        other.put("lock_time", 1.0);
        table.put("1", one);
        table.put("other", other);

        assertThat(StatusTable.render(table)).isEqualTo(
                "storage    1   other\n"
                        + "loads      12  3\n"
                        + "lock_time  -   1\n");
    }
}
