package org.jzeo.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an application server's administration tool (asadmin, jboss-cli) as an operator would, one process per
 * command, and fails the test with the tool's own output when it does not succeed.
 */
public final class ExternalCommand {
    private ExternalCommand() {
    }

    /**
     * Runs {@code command} with {@code environment} added to this JVM's, its standard input closed (a tool that
     * would prompt fails instead of waiting), and echoes the command and its output to this JVM's stdout.
     *
     * @return the output, stdout and stderr together
     * @throws AssertionError if it exits with a status other than 0 or is still running after {@code timeout}
     */
    public static String run(List<String> command, Map<String, String> environment, Duration timeout) {
        String shown = String.join(" ", command);
        System.out.println("[command] " + shown);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // Read while it runs: a tool writing more than a pipe holds would otherwise never finish.
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                throw new AssertionError(shown + " still running after " + timeout);
            }
            String text = output.get(30, TimeUnit.SECONDS);
            System.out.println(text.strip().indent(2));
            if (process.exitValue() != 0) {
                throw new AssertionError(shown + " exited with status " + process.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new AssertionError(shown + " could not be run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + shown, e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(reading the output failed: " + e + ")";
        }
    }
}
