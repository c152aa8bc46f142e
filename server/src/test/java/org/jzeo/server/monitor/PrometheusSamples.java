package org.jzeo.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test-side reader of the Prometheus text format: checks every line is a HELP, a TYPE or a well-formed sample
 * {@code name{label="value",...} number}, and gives the samples by name and labels.
 */
final class PrometheusSamples {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static PrometheusSamples parse(String text) {
        PrometheusSamples p = new PrometheusSamples();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts).hasSize(4);
                p.types.put(parts[2], parts[3]);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line '%s'", line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            int end = 0;
            while (l.find()) {
                assertThat(l.start()).as("labels of '%s'", line).isEqualTo(end == 0 ? 0 : end + 1);
                labels.put(l.group(1), l.group(2));
                end = l.end();
            }
            assertThat(end).as("labels of '%s'", line).isEqualTo(m.group(2).length());
            double value = m.group(3).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(3));
            p.samples.add(new Sample(m.group(1), labels, value));
        }
        return p;
    }

    /** The one sample of {@code name} for {@code storage} (and no other label). */
    double value(String name, String storage) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(Map.of("storage", storage))).toList();
        assertThat(found).as("samples of %s{storage=%s}", name, storage).hasSize(1);
        return found.get(0).value();
    }

    /** The {@code _bucket} samples of a histogram for a storage, in order: le → cumulative count. */
    LinkedHashMap<String, Double> buckets(String histogram, String storage) {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(histogram + "_bucket") && storage.equals(s.labels().get("storage"))) {
                out.put(s.labels().get("le"), s.value());
            }
        }
        return out;
    }
}
