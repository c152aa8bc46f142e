package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.ZeoConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandOptionsTest {

    private static ZeoConfig zeo(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.configuration().zeo();
    }

    @Test
    void monitorAndMetricsAddressesComeFromTheCommandLine() {
        ZeoConfig zeo = zeo("--monitor-address", "127.0.0.1:8101", "--metrics-address", "9100");

        assertThat(zeo.monitorAddress()).contains(new ListenAddress.Tcp("127.0.0.1", 8101));
        assertThat(zeo.metricsAddress()).contains(new ListenAddress.Tcp("", 9100));
        assertThat(zeo("--monitor-address", "/run/jzeo/monitor.sock").monitorAddress())
                .contains(new ListenAddress.Unix(Path.of("/run/jzeo/monitor.sock")));
        assertThat(zeo().monitorAddress()).isEmpty();
        assertThat(zeo().metricsAddress()).isEmpty();
    }

    @Test
    void metricsNeedTcp() {
        assertThatThrownBy(() -> zeo("--metrics-address", "/run/jzeo/metrics.sock"))
                .hasMessageContaining("--metrics-address must be host:port");
    }
}
