package org.jzeo.server.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates ZConfig's {@code <logfile>} {@code format} (Python {@code logging} %-style) and {@code dateformat}
 * ({@code strftime}) into a logback pattern, so that a zeo.conf written for ZEO gives the same lines with jzeo.
 * Attributes without a Java equivalent ({@code %(pathname)s}, {@code %(created)f}, ...) are written as their
 * nearest one; an unknown attribute is kept as literal text so nothing is silently lost.
 */
final class PythonLogFormat {
    private static final Pattern ATTRIBUTE = Pattern.compile("%\\((\\w+)\\)[-#0 +]*\\d*(?:\\.\\d+)?[a-zA-Z]|%%");
    private static final Map<String, String> ATTRIBUTES = Map.ofEntries(
            Map.entry("message", "%msg"),
            Map.entry("name", "%logger"),
            Map.entry("levelname", "%pylevel"),
            Map.entry("levelno", "%pylevel{number}"),
            Map.entry("thread", "%thread"),
            Map.entry("threadName", "%thread"),
            Map.entry("module", "%class{0}"),
            Map.entry("funcName", "%method"),
            Map.entry("lineno", "%line"),
            Map.entry("filename", "%file"),
            Map.entry("pathname", "%class"),
            Map.entry("process", String.valueOf(ProcessHandle.current().pid())),
            Map.entry("processName", "jzeo"),
            Map.entry("relativeCreated", "%relative"),
            Map.entry("created", "%d{UNIX_MILLIS}"),
            Map.entry("msecs", "%d{SSS}"));
    private static final Map<Character, String> STRFTIME = Map.ofEntries(
            Map.entry('Y', "yyyy"), Map.entry('y', "yy"), Map.entry('m', "MM"), Map.entry('d', "dd"),
            Map.entry('H', "HH"), Map.entry('I', "hh"), Map.entry('M', "mm"), Map.entry('S', "ss"),
            Map.entry('p', "a"), Map.entry('b', "MMM"), Map.entry('B', "MMMM"), Map.entry('a', "EEE"),
            Map.entry('A', "EEEE"), Map.entry('j', "DDD"), Map.entry('z', "Z"), Map.entry('Z', "z"),
            Map.entry('f', "SSS"), Map.entry('e', "d"));

    private PythonLogFormat() {
    }

    /** The logback pattern for {@code format}, with {@code %(asctime)s} written with {@code dateFormat}. */
    static String pattern(String format, String dateFormat) {
        StringBuilder out = new StringBuilder();
        Matcher m = ATTRIBUTE.matcher(format);
        int at = 0;
        while (m.find()) {
            out.append(literal(format.substring(at, m.start())));
            if (m.group().equals("%%")) {
                out.append("\\%");
            } else if (m.group(1).equals("asctime")) {
                out.append("%d{\"").append(dateFormat(dateFormat)).append("\"}");
            } else {
                String mapped = ATTRIBUTES.get(m.group(1));
                out.append(mapped != null ? mapped : literal(m.group()));
            }
            at = m.end();
        }
        out.append(literal(format.substring(at)));
        return out.append("%n").toString();
    }

    /** A {@link java.text.SimpleDateFormat} pattern for a {@code strftime} one. */
    static String dateFormat(String strftime) {
        StringBuilder out = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < strftime.length(); i++) {
            char c = strftime.charAt(i);
            String mapped = c == '%' && i + 1 < strftime.length() ? STRFTIME.get(strftime.charAt(i + 1)) : null;
            if (mapped == null) {
                if (c == '%' && i + 1 < strftime.length() && strftime.charAt(i + 1) == '%') {
                    i++;
                }
                text.append(c);
                continue;
            }
            flushText(out, text);
            out.append(mapped);
            i++;
        }
        flushText(out, text);
        return out.toString();
    }

    private static void flushText(StringBuilder out, StringBuilder text) {
        if (text.length() > 0) {
            out.append('\'').append(text.toString().replace("'", "''")).append('\'');
            text.setLength(0);
        }
    }

    /** Text that logback's pattern parser must take literally: %, parentheses and backslashes escaped. */
    private static String literal(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '%' || c == '(' || c == ')' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
