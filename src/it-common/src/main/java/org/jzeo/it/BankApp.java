package org.jzeo.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The example bank application (ear-example) over HTTP, as the tests and a user's curl see it. */
public final class BankApp {
    /** Where a balance comes from: the accounts in jzeo, or the movements in the XA datasource. */
    public enum Source { STORAGE, JOURNAL }

    private static final Pattern ATTEMPTS = Pattern.compile("transferred attempts=(\\d+)");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param base the application's root, e.g. {@code http://127.0.0.1:8080/jzeo-bank/} */
    public BankApp(URI base) {
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    }

    /** An HTTP answer: status and body. */
    public record Answer(int status, String body) {
        /** How many attempts a successful transfer took (the application retries conflicts). */
        public int attempts() {
            Matcher m = ATTEMPTS.matcher(body);
            if (status != 200 || !m.find()) {
                throw new AssertionError("not a successful transfer: " + this);
            }
            return Integer.parseInt(m.group(1));
        }
    }

    public Answer open(long balance, String... names) throws IOException, InterruptedException {
        return post("accounts", "names=" + encode(String.join(",", names)) + "&balance=" + balance);
    }

    public Answer transfer(String from, String to, long amount, boolean failAfterWrites)
            throws IOException, InterruptedException {
        return post("transfer", "from=" + encode(from) + "&to=" + encode(to) + "&amount=" + amount
                + "&fail=" + failAfterWrites);
    }

    /** Every account's balance from {@code source}. */
    public Map<String, Long> balances(Source source) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("balances?source="
                        + source.name().toLowerCase(java.util.Locale.ROOT)))
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        Map<String, Long> balances = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                balances.put(line.substring(0, equals), Long.parseLong(line.substring(equals + 1).trim()));
            }
        }
        return balances;
    }

    private Answer post(String path, String form) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
