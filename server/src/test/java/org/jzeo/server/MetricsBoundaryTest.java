package org.jzeo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the server core and the monitor apart: the core publishes figures through {@code org.jzeo.server.metrics}
 * and the monitor reads only that package, so neither depends on the other. Reads the sources, relative to the
 * module directory the tests run in; any mention of another package's qualified name (an import, a fully
 * qualified type, a {@code @link}) counts.
 */
class MetricsBoundaryTest {
    private static final Path SOURCES = Path.of("src/main/java/org/jzeo/server");
    /** What follows {@code org.jzeo.server.}: a sub-package, or a class of the root package. */
    private static final Pattern SERVER_NAME = Pattern.compile("\\borg\\.jzeo\\.server\\.([A-Za-z_$][\\w$]*)");

    @Test
    void theCoreDoesNotReferToTheMonitor() {
        assertThat(offending("core", "monitor"::equals)).as("core's sources naming the monitor").isEmpty();
    }

    @Test
    void theMonitorRefersOnlyToTheMetricsAndItsAddresses() {
        assertThat(offending("monitor", name -> !Set.of("metrics", "config").contains(name)))
                .as("monitor's sources naming server packages other than metrics and config").isEmpty();
    }

    @Test
    void theMetricsReferToNoOtherServerPackage() {
        assertThat(offending("metrics", name -> true)).as("metrics' sources naming other server packages")
                .isEmpty();
    }

    @Test
    void theScanFindsImportsQualifiedNamesAndLinks() {
        String source = """
                package org.jzeo.server.core;
                import org.jzeo.server.monitor.Monitors;
                import static org.jzeo.server.config.ZeoConfig.defaults;
                /** {@link org.jzeo.server.RunningServer} */
                class X { org.jzeo.server.storage.LockWaitSource s; org.jzeo.serverless.Other o; }
                """;
        assertThat(serverNamesIn(source))
                .containsExactlyInAnyOrder("core", "monitor", "config", "RunningServer", "storage");
    }

    /**
     * Each source file of {@code pkg} (sub-packages included) that names other server packages or root classes
     * matching {@code forbidden}, with those names.
     */
    private static Map<Path, Set<String>> offending(String pkg, Predicate<String> forbidden) {
        Path dir = SOURCES.resolve(pkg);
        assertThat(dir).as("sources of %s (the tests run in the server module's directory)", pkg).isDirectory();
        Map<Path, Set<String>> offending = new TreeMap<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                scanned++;
                Set<String> names = serverNamesIn(Files.readString(file));
                names.remove(pkg);
                names.removeIf(forbidden.negate());
                if (!names.isEmpty()) {
                    offending.put(SOURCES.relativize(file), names);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(scanned).as("Java sources of %s", pkg).isPositive();
        return offending;
    }

    private static Set<String> serverNamesIn(String source) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERVER_NAME.matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
