package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.LogFileConfig;
import org.jzeo.server.config.LogLevel;
import org.jzeo.server.config.LogTarget;
import org.jzeo.server.core.LogMarkers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <eventlog>} applied to logback as ZConfig applies it to Python's logging: what is written to each
 * {@code <logfile>} is read back from the file.
 */
class LoggingSetupTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreTheDefaultConfiguration() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void eventlogIsReadWithoutTheConfigLoader() throws Exception {
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, String.join("\n", "<zeo>", "address 8100", "</zeo>", "<filestorage 1>",
                "path Data.fs", "</filestorage>", "<eventlog>", "level warning", "<logfile>", "path /var/log/zeo.log",
                "level error", "format %(message)s", "</logfile>", "<logfile>", "path STDOUT", "</logfile>",
                "</eventlog>", ""));

        LogConfig log = LoggingSetup.readEventLog(conf);

        assertThat(log.level()).isEqualTo(LogLevel.WARNING);
        assertThat(log.logfiles()).extracting(LogFileConfig::target)
                .containsExactly(LogTarget.file(Path.of("/var/log/zeo.log")), LogTarget.stdout());
        assertThat(log.logfiles().get(0).level()).isEqualTo(LogLevel.ERROR);
        assertThat(log.logfiles().get(0).format()).isEqualTo("%(message)s");
    }

    @Test
    void noEventlogOrAnUnreadableFileLeavesTheDefaults() throws Exception {
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, "<mappingstorage/>\n");

        assertThat(LoggingSetup.readEventLog(conf)).isNull();
        assertThat(LoggingSetup.readEventLog(dir.resolve("missing.conf"))).isNull();
    }

    /** ZEO's checkTimeout reads server.log for a line with both "Transaction timeout after" and this. */
    @Test
    void zconfigsDefaultFormatWritesZeosLines() throws Exception {
        Path file = dir.resolve("server.log");
        assertThat(LoggingSetup.apply(new LogConfig(LogLevel.INFO, List.of(LogFileConfig.to(LogTarget.file(file))))))
                .isNull();

        LoggerFactory.getLogger("ZEO.StorageServer").error(LogMarkers.CRITICAL,
                "(127.0.0.1:5555) Transaction timeout after 1.0 seconds");
        LoggerFactory.getLogger("org.jzeo.example").warn("a warning");
        LoggerFactory.getLogger("org.jzeo.example").debug("below the eventlog's level");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly("------", lines.get(1), "------", lines.get(3));
        assertThat(lines.get(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d CRITICAL ZEO.StorageServer"
                + " \\(127.0.0.1:5555\\) Transaction timeout after 1.0 seconds");
        assertThat(lines.get(3)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d WARNING org.jzeo.example a warning");
    }

    @Test
    void eachLogfileHasItsOwnLevelFormatAndDateFormat() throws Exception {
        Path errors = dir.resolve("errors.log");
        Path all = dir.resolve("all.log");
        LogConfig log = new LogConfig(LogLevel.parse("blather"), List.of(
                new LogFileConfig(LogTarget.file(errors), "%(levelname)s|%(name)s|%(message)s 100%%", "%d/%m/%Y",
                        LogLevel.ERROR, 0, 0),
                new LogFileConfig(LogTarget.file(all), "[%(asctime)s] %(levelno)s (%(message)s)", "%Y",
                        LogLevel.NOTSET, 0, 0)));
        assertThat(LoggingSetup.apply(log)).isNull();

        Logger logger = LoggerFactory.getLogger("jzeo.test");
        logger.error("broken");
        logger.info("fine");
        logger.debug("detail");
        logger.trace("below blather");

        assertThat(Files.readAllLines(errors)).containsExactly("ERROR|jzeo.test|broken 100%");
        List<String> allLines = Files.readAllLines(all);
        assertThat(allLines).allMatch(line -> line.matches("\\[\\d{4}] .*"), "starts with [year]");
        assertThat(allLines).extracting(line -> line.substring(line.indexOf("] ") + 2))
                .containsExactly("40 (broken)", "20 (fine)", "10 (detail)");
    }

    /** Python's RotatingFileHandler: the file, then file.1 (newest) ... file.N; older ones are dropped. */
    @Test
    void maxSizeRotatesToNumberedOldFiles() throws Exception {
        Path file = dir.resolve("rotated.log");
        LogConfig log = new LogConfig(LogLevel.INFO, List.of(
                new LogFileConfig(LogTarget.file(file), "%(message)s", "%Y", LogLevel.NOTSET, 100, 2)));
        assertThat(LoggingSetup.apply(log)).isNull();

        Logger logger = LoggerFactory.getLogger("jzeo.test");
        for (int i = 0; i < 40; i++) {
            logger.info(String.format("line %02d of forty, long enough to fill the file", i));
        }

        assertThat(file).exists();
        assertThat(dir.resolve("rotated.log.1")).exists();
        assertThat(dir.resolve("rotated.log.2")).exists();
        assertThat(dir.resolve("rotated.log.3")).doesNotExist();
        assertThat(Files.readAllLines(file)).last().isEqualTo("line 39 of forty, long enough to fill the file");
    }

    @Test
    void aLogFileThatCannotBeOpenedIsNamedAndItsLinesGoToStandardError() throws Exception {
        Files.writeString(dir.resolve("not-a-directory"), "a file where the log's directory should be");
        Path file = dir.resolve("not-a-directory").resolve("server.log");

        String problem = LoggingSetup.apply(new LogConfig(LogLevel.INFO,
                List.of(LogFileConfig.to(LogTarget.file(file)))));

        assertThat(problem).contains("cannot open the log file " + file).contains("standard error");
    }
}
