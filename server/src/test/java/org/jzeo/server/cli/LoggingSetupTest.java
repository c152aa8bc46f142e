package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.LogFileConfig;
import org.jzeo.server.config.LogLevel;
import org.jzeo.server.config.LogTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggingSetupTest {
    @TempDir
    Path dir;

    @Test
    void eventlogIsReadWithoutTheConfigLoader() throws Exception {
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, String.join("\n", "<zeo>", "address 8100", "</zeo>", "<filestorage 1>",
                "path Data.fs", "</filestorage>", "<eventlog>", "level warning", "<logfile>", "path /var/log/zeo.log",
                "level error", "</logfile>", "<logfile>", "path STDOUT", "</logfile>", "</eventlog>", ""));

        LogConfig log = LoggingSetup.readEventLog(conf);

        assertThat(log.level()).isEqualTo(LogLevel.WARNING);
        assertThat(log.logfiles()).extracting(LogFileConfig::target)
                .containsExactly(LogTarget.file(Path.of("/var/log/zeo.log")), LogTarget.stdout());
        assertThat(log.logfiles().get(0).level()).isEqualTo(LogLevel.ERROR);
        assertThat(LoggingSetup.properties(log)).containsEntry(LoggingSetup.DEFAULT_LEVEL, "error")
                .containsEntry(LoggingSetup.LOG_FILE, LoggingSetup.STDERR);
        assertThat(LoggingSetup.limitations(log)).singleElement().asString()
                .startsWith("<logfile> STDOUT is ignored");
    }

    @Test
    void noEventlogOrAnUnreadableFileLeavesTheDefaults() throws Exception {
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, "<mappingstorage/>\n");

        assertThat(LoggingSetup.readEventLog(conf)).isNull();
        assertThat(LoggingSetup.readEventLog(dir.resolve("missing.conf"))).isNull();
    }

    @Test
    void levelsAndDestinationsMapToSlf4jSimple() {
        LogFileConfig stdout = LogFileConfig.to(LogTarget.stdout());
        assertThat(LoggingSetup.properties(new LogConfig(LogLevel.DEBUG, List.of(stdout))))
                .containsEntry(LoggingSetup.DEFAULT_LEVEL, "debug").containsEntry(LoggingSetup.LOG_FILE, "System.out");
        assertThat(LoggingSetup.properties(new LogConfig(LogLevel.parse("blather"), List.of(stdout))))
                .containsEntry(LoggingSetup.DEFAULT_LEVEL, "debug");
        assertThat(LoggingSetup.properties(new LogConfig(LogLevel.INFO, List.of())))
                .containsEntry(LoggingSetup.DEFAULT_LEVEL, "off");
    }

    @Test
    void unsupportedFormatAndRotationAreNamed() {
        LogFileConfig rotated = new LogFileConfig(LogTarget.file(Path.of("zeo.log")), "%(message)s",
                LogFileConfig.DEFAULT_DATE_FORMAT, LogLevel.NOTSET, 1_000_000, 3);

        assertThat(LoggingSetup.limitations(new LogConfig(LogLevel.INFO, List.of(rotated))))
                .anySatisfy(m -> assertThat(m).startsWith("'format' and 'dateformat'"))
                .anySatisfy(m -> assertThat(m).contains("copytruncate"));
        assertThat(LoggingSetup.limitations(LogConfig.defaults())).isEmpty();
    }
}
