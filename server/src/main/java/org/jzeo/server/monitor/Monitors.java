package org.jzeo.server.monitor;

import java.net.SocketAddress;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.metrics.ServerMetrics;

/**
 * The server's statistics listeners, both optional: the ZEO 4-style text monitor ({@code monitor-address}) and
 * the Prometheus {@code /metrics} endpoint ({@code metrics-address}). Either both start or neither stays open.
 * Closing is idempotent.
 */
public final class Monitors implements AutoCloseable {
    private final TextMonitorListener text;
    private final MetricsHttpServer metrics;
    private boolean closed;

    private Monitors(TextMonitorListener text, MetricsHttpServer metrics) {
        this.text = text;
        this.metrics = metrics;
    }

    /** No listener. */
    public static Monitors none() {
        return new Monitors(null, null);
    }

    /**
     * Starts the listeners that have an address.
     *
     * @throws java.io.UncheckedIOException when an address cannot be bound
     * @throws IllegalArgumentException     when {@code metricsAddress} is a Unix socket (HTTP needs TCP)
     */
    public static Monitors start(Optional<ListenAddress> monitorAddress, Optional<ListenAddress> metricsAddress,
                                 ServerMetrics server) {
        ListenAddress.Tcp metricsTcp = null;
        if (metricsAddress.isPresent()) {
            if (!(metricsAddress.get() instanceof ListenAddress.Tcp tcp)) {
                throw new IllegalArgumentException("metrics-address must be host:port, not a Unix socket");
            }
            metricsTcp = tcp;
        }
        TextMonitorListener text = monitorAddress.map(a -> TextMonitorListener.start(a, () -> report(server)))
                .orElse(null);
        try {
            MetricsHttpServer metrics = metricsTcp == null ? null
                    : MetricsHttpServer.start(metricsTcp, () -> metrics(server));
            return new Monitors(text, metrics);
        } catch (RuntimeException e) {
            if (text != null) {
                text.close();
            }
            throw e;
        }
    }

    /** The text report of every storage now. */
    public static String report(ServerMetrics server) {
        return MonitorReport.render(version(), ZonedDateTime.now(), StorageFigures.of(server));
    }

    /** The Prometheus page of every storage now. */
    public static String metrics(ServerMetrics server) {
        return PrometheusText.render(StorageFigures.of(server));
    }

    /** "jzeo" and the jar's version, for the report's first line. */
    static String version() {
        String v = Monitors.class.getPackage().getImplementationVersion();
        return "jzeo " + (v == null ? "(development build)" : v);
    }

    /** Where the text monitor listens (port resolved), if it runs. */
    public Optional<SocketAddress> monitorAddress() {
        return Optional.ofNullable(text).map(TextMonitorListener::address);
    }

    /** Where {@code /metrics} is served (port resolved), if it runs. */
    public Optional<SocketAddress> metricsAddress() {
        return Optional.ofNullable(metrics).map(MetricsHttpServer::address);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (metrics != null) {
            metrics.close();
        }
        if (text != null) {
            text.close();
        }
    }
}
