package org.jzeo.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns {@code <eventlog>} and its {@code <logfile>} sections into a {@link LogConfig}, with ZConfig's logger keys
 * and defaults. Python-only knobs are accepted with a warning; handler types other than {@code <logfile>} are
 * refused, so no configured destination is silently dropped.
 */
public final class EventLogSectionBinder {
    private static final List<String> OTHER_HANDLERS = List.of("syslog", "win32-eventlog", "http-logger",
            "email-notifier");

    private EventLogSectionBinder() {
    }

    public static LogConfig bind(ConfigSection eventlog, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(eventlog, warnings);
        LogLevel level = r.get("level", LogLevel::parse, LogLevel.INFO);
        for (String handler : OTHER_HANDLERS) {
            r.sections(handler).stream().findFirst().ifPresent(refused -> {
                throw new ConfigException(refused.location(), "log handler " + refused.label()
                        + " is not supported by jzeo; use <logfile> (path STDOUT, STDERR or a file)");
            });
        }
        List<LogFileConfig> logfiles = new ArrayList<>();
        for (ConfigSection logfile : r.sections("logfile")) {
            logfiles.add(logfile(logfile, warnings));
        }
        r.finish();
        return new LogConfig(level, logfiles);
    }

    private static LogFileConfig logfile(ConfigSection section, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        LogTarget target = r.required("path", EventLogSectionBinder::target);
        String format = r.get("format", EventLogSectionBinder::unescape, LogFileConfig.DEFAULT_FORMAT);
        String dateFormat = r.get("dateformat", Datatypes::text, LogFileConfig.DEFAULT_DATE_FORMAT);
        LogLevel level = r.get("level", LogLevel::parse, LogLevel.NOTSET);
        ConfigEntry maxSizeEntry = r.entry("max-size").orElse(null);
        long maxSize = maxSizeEntry == null ? 0 : r.convert(maxSizeEntry, Datatypes::byteSize);
        ConfigEntry oldFilesEntry = r.entry("old-files").orElse(null);
        int oldFiles = oldFilesEntry == null ? 0 : r.convert(oldFilesEntry, EventLogSectionBinder::count);
        r.ignore("formatter", "it names a Python formatter class");
        r.ignore("style", "jzeo reads 'format' as a classic %(name)s format");
        r.ignore("when", "time-based rotation is not supported; use max-size and old-files");
        r.ignore("interval", "time-based rotation is not supported; use max-size and old-files");
        r.ignore("encoding", "jzeo writes log files in UTF-8");
        r.ignore("delay", "jzeo opens log files when logging is set up");
        r.finish();
        if (target.isStandardStream()) {
            for (ConfigEntry rotation : new ConfigEntry[] {maxSizeEntry, oldFilesEntry}) {
                if (rotation != null) {
                    throw new ConfigException(rotation.location(), "'" + rotation.key() + "' in " + section.label()
                            + " needs a file: " + target.kind() + " cannot be rotated");
                }
            }
        }
        if (maxSize > 0 && oldFiles == 0) {
            throw new ConfigException(maxSizeEntry.location(), "'max-size' in " + section.label()
                    + " rotates the file, so 'old-files' must say how many rotated files to keep (1 or more)");
        }
        return new LogFileConfig(target, format, dateFormat, level, maxSize, oldFiles);
    }

    private static LogTarget target(String text) {
        String s = text.strip();
        return switch (s.toUpperCase(Locale.ROOT)) {
            case "STDOUT" -> LogTarget.stdout();
            case "STDERR" -> LogTarget.stderr();
            default -> LogTarget.file(Datatypes.path(s));
        };
    }

    private static int count(String text) {
        long n = Datatypes.integer(text);
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is not a number of files (0 or more)");
        }
        return (int) n;
    }

    /** ZConfig's escaped-string: {@code \b \f \n \r \t \\} become the characters they name; anything else stays. */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char replacement = switch (text.charAt(i + 1)) {
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '\\' -> '\\';
                    default -> 0;
                };
                if (replacement != 0) {
                    out.append(replacement);
                    i++;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
