package org.jzeo.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jzeo.server.cli.JzeoCommand;
import picocli.CommandLine;

/**
 * {@code jzeo copy CONFIG} (zodbconvert's job: every transaction of a source storage into an empty destination),
 * run in its own JVM as an operator would, timed from here: MB/s = the Data.fs's size / the command's wall time,
 * JVM start included (about a second, small beside a copy of 100 MB or more). The command's own summary line
 * (stdout) is shown beside the figure.
 */
final class CopyThroughput {

    /**
     * One copy run.
     *
     * @param direction "FileStorage → PostgreSQL" or the reverse
     * @param bytes     the Data.fs's size (the source's or the destination's)
     * @param seconds   the command's wall time
     * @param summary   the command's last stdout line mentioning MB/s, or ""
     * @param failure   why it failed, or null
     */
    record Result(String direction, long bytes, double seconds, String summary, String failure) {
        double megabytesPerSecond() {
            return seconds > 0 ? bytes / 1048576.0 / seconds : 0;
        }
    }

    private final Path dir;
    private final List<String> jvmOptions;
    private final int timeoutSeconds;

    CopyThroughput(Path dir, List<String> jvmOptions, int timeoutSeconds) {
        this.dir = dir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Whether this build's {@code jzeo} has the {@code copy} command. */
    static boolean available() {
        return new CommandLine(new JzeoCommand()).getSubcommands().containsKey("copy");
    }

    /** Copies {@code dataFs} into the empty PostgreSQL database {@code dsn}. */
    Result toPostgres(Path dataFs, String dsn) throws IOException, InterruptedException {
        Path config = dir.resolve("copy-to-postgres.conf");
        Files.writeString(config, String.join("\n",
                "%import relstorage",
                "<filestorage source>",
                "  path " + dataFs,
                "</filestorage>",
                "<relstorage destination>",
                "  <postgresql>",
                "    dsn " + dsn,
                "  </postgresql>",
                "</relstorage>",
                ""));
        return run("FileStorage → PostgreSQL", config, Files.size(dataFs), dir.resolve("copy-to-postgres.log"));
    }

    /** Copies the PostgreSQL database {@code dsn} into a new Data.fs {@code target}. */
    Result fromPostgres(String dsn, Path target) throws IOException, InterruptedException {
        Files.deleteIfExists(target);
        Path config = dir.resolve("copy-from-postgres.conf");
        Files.writeString(config, String.join("\n",
                "%import relstorage",
                "<relstorage source>",
                "  <postgresql>",
                "    dsn " + dsn,
                "  </postgresql>",
                "</relstorage>",
                "<filestorage destination>",
                "  path " + target,
                "</filestorage>",
                ""));
        Result r = run("PostgreSQL → FileStorage", config, -1, dir.resolve("copy-from-postgres.log"));
        long bytes = Files.exists(target) ? Files.size(target) : 0;
        return new Result(r.direction(), bytes, r.seconds(), r.summary(), r.failure());
    }

    private Result run(String direction, Path config, long bytes, Path log) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JzeoCommand.class.getName(), "copy",
                config.toString()));
        Path stdout = Path.of(log.toString().replaceFirst("\\.log$", "") + ".stdout");
        System.out.println("# copy " + direction + ": " + String.join(" ", command) + " > " + stdout + " 2> " + log);
        long start = System.nanoTime();
        // The summary goes to stdout, progress and logging to stderr: kept apart so the summary is found.
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.to(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(direction, bytes, 0, "", "not done after " + timeoutSeconds + " s; see " + log);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String summary = Files.readAllLines(stdout, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("MB/s")).reduce((a, b) -> b).orElse("");
        String failure = p.exitValue() == 0 ? null : "exit status " + p.exitValue() + "; see " + log;
        return new Result(direction, bytes, seconds, summary.strip(), failure);
    }
}
