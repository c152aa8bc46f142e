package org.jzeo.server.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jzeo.server.config.ListenAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code metrics-address} HTTP endpoint: {@code GET /metrics} (or HEAD) answers the Prometheus page; any other
 * path is 404 and any other method 405. Served by the JDK's built-in HTTP server on one daemon thread.
 */
final class MetricsHttpServer implements AutoCloseable {
    static final String PATH = "/metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);

    private final HttpServer http;
    private final ExecutorService executor;

    private MetricsHttpServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    static MetricsHttpServer start(ListenAddress.Tcp address, Supplier<String> page) {
        InetSocketAddress socket = address.allInterfaces() ? new InetSocketAddress(address.port())
                : new InetSocketAddress(address.host(), address.port());
        HttpServer http;
        try {
            http = HttpServer.create(socket, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for /metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jzeo-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", exchange -> answer(exchange, page));
        http.start();
        LOG.info("metrics on http://{}{}", address, PATH);
        return new MetricsHttpServer(http, executor);
    }

    private static void answer(HttpExchange exchange, Supplier<String> page) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!PATH.equals(path) && !(PATH + "/").equals(path)) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: the metrics are at " + PATH + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                send(exchange, 200, PrometheusText.CONTENT_TYPE, page.get());
            }
        } catch (RuntimeException e) {
            LOG.warn("/metrics failed", e);
            throw e;
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
