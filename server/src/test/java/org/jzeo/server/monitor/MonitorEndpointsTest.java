package org.jzeo.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.metrics.LatencyHistogram;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorEndpointsTest {
    private static final Optional<ListenAddress> ANY_PORT = Optional.of(new ListenAddress.Tcp("127.0.0.1", 0));

    @TempDir
    Path dir;
    private RunningServer server;

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withMonitorAddress(ANY_PORT).withMetricsAddress(ANY_PORT));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void textReportHasZeo4sLayoutAndEveryFigureIsANumber() throws IOException {
        String report = textReport();
        List<String> lines = List.of(report.split("\n", -1));

        assertThat(lines.get(0)).startsWith("ZEO monitor server version jzeo ");
        assertThat(lines.get(1)).matches("[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}");
        assertThat(lines.get(2)).isEmpty();
        assertThat(lines.get(3)).isEqualTo("Storage: 1");
        assertThat(lines.subList(4, 15)).extracting(l -> l.substring(0, l.indexOf(':'))).containsExactly(
                "Server started", "Clients", "Clients verifying", "Active transactions", "Commits", "Aborts",
                "Loads", "Stores", "Conflicts", "Conflicts resolved", "Lock waits");
        for (String line : lines.subList(5, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(":");
            assertThat(parts).as(line).hasSize(2);
            Double.parseDouble(parts[1].strip()); // ZEO 4 parsers float() every value
        }
        assertThat(report).endsWith("\n\n");
    }

    @Test
    void textReportCountersMoveAfterACommitAndALoad() throws IOException {
        Map<String, String> before = figures(textReport());

        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            Tid tid = c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
            c.loadBefore(Oid.ROOT, Tid.MAX);
            Map<String, String> after = figures(textReport());

            assertThat(after.get("Clients")).isEqualTo("1");
            assertThat(Long.parseLong(after.get("Commits"))).isEqualTo(Long.parseLong(before.get("Commits")) + 1);
            assertThat(Long.parseLong(after.get("Stores"))).isEqualTo(Long.parseLong(before.get("Stores")) + 1);
            assertThat(Long.parseLong(after.get("Loads"))).isEqualTo(Long.parseLong(before.get("Loads")) + 1);
            assertThat(Double.parseDouble(after.get("Last transaction time")))
                    .isCloseTo(tid.toEpochSeconds(), org.assertj.core.data.Offset.offset(1e-3));
            assertThat(Double.parseDouble(after.get("Commit time mean ms"))).isPositive();
        }
    }

    @Test
    void metricsCountersMoveAndHistogramsAreCumulativeWithMatchingCount() throws Exception {
        PrometheusSamples before = PrometheusSamples.parse(get("/metrics").body());
        assertThat(before.value("jzeo_commits_total", "1")).isZero();

        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            Tid first = c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
            c.commit(2, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {2})), Map.of(Oid.ROOT, first));
            c.loadBefore(Oid.ROOT, Tid.MAX);
            c.loadBefore(Oid.ROOT, Tid.MAX);
            c.loadBefore(Oid.ROOT, Tid.MAX);

            HttpResponse<String> response = get("/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains(PrometheusText.CONTENT_TYPE);
            PrometheusSamples after = PrometheusSamples.parse(response.body());

            assertThat(after.types).containsEntry("jzeo_loads_total", "counter")
                    .containsEntry("jzeo_connections", "gauge")
                    .containsEntry("jzeo_load_duration_seconds", "histogram")
                    .containsEntry("jzeo_commit_duration_seconds", "histogram");
            assertThat(after.value("jzeo_connections", "1")).isEqualTo(1);
            assertThat(after.value("jzeo_commits_total", "1")).isEqualTo(2);
            assertThat(after.value("jzeo_stores_total", "1")).isEqualTo(2);
            assertThat(after.value("jzeo_loads_total", "1") - before.value("jzeo_loads_total", "1")).isEqualTo(3);
            assertThat(after.value("jzeo_aborts_total", "1")).isZero();
            assertThat(after.value("jzeo_conflicts_total", "1")).isZero();
            assertThat(after.value("jzeo_lock_waits_total", "1")).isZero();
            assertThat(after.value("jzeo_active_transactions", "1")).isZero();
            assertThat(after.value("jzeo_objects", "1")).isEqualTo(1);
            assertThat(after.value("jzeo_last_transaction_timestamp_seconds", "1")).isPositive();

            checkHistogram(after, "jzeo_load_duration_seconds", 3);
            checkHistogram(after, "jzeo_commit_duration_seconds", 2);
        }
    }

    private static void checkHistogram(PrometheusSamples p, String name, long expectedCount) {
        LinkedHashMap<String, Double> buckets = p.buckets(name, "1");
        List<String> bounds = new ArrayList<>(buckets.keySet());
        assertThat(bounds).endsWith("+Inf").hasSize(LatencyHistogram.DEFAULT_BOUNDS_SECONDS.length + 1);
        double previousBound = 0;
        double previousCount = 0;
        for (String le : bounds.subList(0, bounds.size() - 1)) {
            assertThat(Double.parseDouble(le)).isGreaterThan(previousBound);
            previousBound = Double.parseDouble(le);
        }
        for (double count : buckets.values()) {
            assertThat(count).as("cumulative buckets of %s", name).isGreaterThanOrEqualTo(previousCount);
            previousCount = count;
        }
        double count = p.value(name + "_count", "1");
        assertThat(buckets.get("+Inf")).isEqualTo(count);
        assertThat(count).isEqualTo(expectedCount);
        assertThat(p.value(name + "_sum", "1")).isPositive();
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void textMonitorListensOnAUnixSocketToo() throws Exception {
        Path socket = Files.createTempDirectory("jzeo-mon").resolve("monitor.sock");
        try (RunningServer unix = TestServers.start(dir.resolve("Other.fs"),
                z -> z.withMonitorAddress(Optional.of(new ListenAddress.Unix(socket))))) {
            assertThat(unix.monitors().metricsAddress()).isEmpty();
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                String report = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                assertThat(report).contains("Storage: 1\n").contains("Clients: 0\n");
            }
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aBusyMonitorPortStopsTheStartAndLeavesNothingOpen() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Optional<ListenAddress> busy = Optional.of(new ListenAddress.Tcp("127.0.0.1", taken.getLocalPort()));
            assertThatThrownBy(() -> TestServers.start(dir.resolve("Busy.fs"), z -> z.withMonitorAddress(busy)))
                    .hasMessageContaining("cannot listen for the monitor");
            // The storage was closed: it can be opened again at once.
            TestServers.start(dir.resolve("Busy.fs")).close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String textReport() throws IOException {
        InetSocketAddress address = (InetSocketAddress) server.monitors().monitorAddress().orElseThrow();
        try (Socket socket = new Socket(address.getAddress(), address.getPort());
             InputStream in = socket.getInputStream()) {
            socket.setSoTimeout(10_000);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> figures(String report) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : report.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("ZEO monitor")) {
                out.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    private URI uri(String path) {
        InetSocketAddress address = (InetSocketAddress) server.monitors().metricsAddress().orElseThrow();
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
