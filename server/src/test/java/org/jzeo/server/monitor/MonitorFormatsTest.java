package org.jzeo.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.jzeo.api.Tid;
import org.jzeo.server.metrics.LatencyHistogram;
import org.junit.jupiter.api.Test;

class MonitorFormatsTest {

    private static StorageFigures figures(String name, long lockWaits) {
        LatencyHistogram loads = new LatencyHistogram();
        loads.record(2_000_000);
        return new StorageFigures(name, "Tue Apr 2 10:00:00 2024", 2, 10, 3, 2, 1, 1, 0, lockWaits, 0, 0,
                Tid.fromEpochSeconds(1_700_000_000.25), 5, 1234, loads.snapshot(),
                new LatencyHistogram().snapshot());
    }

    @Test
    void textReportPadsTheDayAsCtimeDoesAndListsStoragesInTheGivenOrder() {
        String report = MonitorReport.render("jzeo 1.0", ZonedDateTime.of(2024, 4, 2, 9, 5, 7, 0, ZoneOffset.UTC),
                List.of(figures("1", 4), figures("other", -1)));

        assertThat(report).startsWith("ZEO monitor server version jzeo 1.0\nTue Apr  2 09:05:07 2024\n\n"
                + "Storage: 1\nServer started: Tue Apr 2 10:00:00 2024\nClients: 2\nClients verifying: 0\n"
                + "Active transactions: 0\nCommits: 2\nAborts: 1\nLoads: 10\nStores: 3\nConflicts: 1\n"
                + "Conflicts resolved: 0\nLock waits: 4\nVotes waiting: 0\nObjects: 5\nSize: 1234\n"
                + "Last transaction time: 1700000000.250000\nLoad time mean ms: 2.000\nCommit time mean ms: 0.000\n\n"
                + "Storage: other\n");
        // A storage that does not count lock waits has no such line.
        assertThat(report.substring(report.indexOf("Storage: other"))).doesNotContain("Lock waits");
    }

    @Test
    void prometheusNumbersHaveNoExponentAndLabelsAreEscaped() {
        assertThat(PrometheusText.number(0.0001)).isEqualTo("0.0001");
        assertThat(PrometheusText.number(0.00025)).isEqualTo("0.00025");
        assertThat(PrometheusText.number(1)).isEqualTo("1");
        assertThat(PrometheusText.number(2.5)).isEqualTo("2.5");
        assertThat(PrometheusText.number(0)).isEqualTo("0");
        assertThat(PrometheusText.labelValue("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }

    @Test
    void prometheusPageParsesAndOmitsLockWaitsWhereNotCounted() {
        String page = PrometheusText.render(List.of(figures("1", 4), figures("we\"ird", -1)));
        PrometheusSamples p = PrometheusSamples.parse(page);

        assertThat(p.value("jzeo_lock_waits_total", "1")).isEqualTo(4);
        assertThat(p.samples).filteredOn(s -> s.name().equals("jzeo_lock_waits_total")).hasSize(1);
        assertThat(p.value("jzeo_loads_total", "we\\\"ird")).isEqualTo(10);
        assertThat(p.buckets("jzeo_load_duration_seconds", "1")).containsEntry("0.001", 0.0)
                .containsEntry("0.0025", 1.0).containsEntry("+Inf", 1.0);
        assertThat(p.value("jzeo_load_duration_seconds_count", "1")).isEqualTo(1);
        assertThat(page).endsWith("\n");
    }
}
