package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples run as written: the first {@code java} block of its "Java client", "Blobs" and
 * "Objects" sections is compiled as it stands and run in its own JVM, in an empty folder, against a server; the database then
 * holds what the example says it wrote.
 */
class ReadmeJavaExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

    @TempDir
    Path dir;

    @Test
    void theJavaClientExampleCompilesAndRunsAsWritten() throws Exception {
        String example = compile(firstJavaBlockOf("\n## Java client\n"));

        Path workdir = Files.createDirectories(dir.resolve("app"));
        try (ServerProcess server = ServerProcess.start(dir.resolve("Data.fs"))) {
            String output = run(example, server, workdir);

            // What the example wrote, read back by another client.
            try (ClientConnectionFactory factory = new ClientConnectionFactory(
                    ClientOptions.of(server.hostPort()).withVar(Files.createDirectories(dir.resolve("check"))));
                 StorageConnection c = factory.getConnection()) {
                StoredObject root = c.read(c.rootOid());
                assertThat(root.references()).as("the root references the account").hasSize(1);
                Oid account = root.references().get(0);
                assertThat(new String(root.payload(), StandardCharsets.UTF_8)).isEqualTo("account=" + account);
                assertThat(new String(c.read(account).payload(), StandardCharsets.UTF_8)).isEqualTo("balance=100");
                assertThat(output).as("what the example prints")
                        .contains("root account=" + account + " references [" + account + "]");
            }
        }
        assertThat(workdir.resolve("var")).as("the example's cache folder, made where it runs").isDirectory();
    }

    @Test
    void theObjectsExampleCompilesAndRunsAsWrittenAndItsObjectsPersistBetweenRuns() throws Exception {
        String example = compile(firstJavaBlockOf("\n## Objects\n"));

        try (ServerProcess server = ServerProcess.start(dir.resolve("Data.fs"))) {
            String first = run(example, server, Files.createDirectories(dir.resolve("first")));
            String second = run(example, server, Files.createDirectories(dir.resolve("second")));

            assertThat(first).as("the first run stores Ann with one order").contains("ann has 1 orders");
            assertThat(second).as("another process, another cache, finds her and adds one")
                    .contains("ann has 2 orders");
        }
    }

    @Test
    void theBlobExampleCompilesAndRunsAsWrittenAndItsBlobIsOnTheServer() throws Exception {
        String example = compile(firstJavaBlockOf("\n### Blobs\n"));
        Path workdir = Files.createDirectories(dir.resolve("app"));

        try (ServerProcess server = BlobServers.start(dir)) {
            String output = run(example, server, workdir);

            String content = "a large report, streamed, never held whole by jzeo";
            assertThat(output).contains(content + " (" + content.length() + " bytes)");
            try (ClientConnectionFactory factory = new ClientConnectionFactory(
                    BlobServers.client(server, Files.createDirectories(dir.resolve("check-blobs")))
                            .withVar(Files.createDirectories(dir.resolve("check"))));
                 StorageConnection c = factory.getConnection()) {
                Oid blob = c.read(c.rootOid()).references().get(0);
                try (java.io.InputStream in = c.openBlob(blob)) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                            .as("the blob, read back by another client").isEqualTo(content);
                }
            }
        }
        assertThat(workdir.resolve("blob-cache")).as("the example's blob cache, made where it runs").isDirectory();
    }

    private String firstJavaBlockOf(String heading) throws IOException {
        String readme = Files.readString(readme());
        assertThat(readme).as("the README has a section %s", heading.trim()).contains(heading);
        String section = readme.substring(readme.indexOf(heading));
        Matcher block = JAVA_BLOCK.matcher(section);
        assertThat(block.find()).as("a java block in the README's section %s", heading.trim()).isTrue();
        return block.group(1);
    }

    /** Compiles the example into {@code dir/classes}; returns its class name. */
    private String compile(String source) throws IOException {
        Matcher name = CLASS_NAME.matcher(source);
        assertThat(name.find()).as("the example is a public class").isTrue();
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path file = Files.writeString(sources.resolve(name.group(1) + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertThat(compiled).as("javac on the README's example:%n%s", diagnostics.toString(StandardCharsets.UTF_8))
                .isZero();
        return name.group(1);
    }

    /** Runs the compiled example in its own JVM in {@code workdir} against {@code server}; returns its output. */
    private String run(String example, ServerProcess server, Path workdir) throws Exception {
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", dir.resolve("classes") + File.pathSeparator + System.getProperty("java.class.path"), example,
                server.hostPort()).directory(workdir.toFile()).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the example ends").isTrue();
        assertThat(run.exitValue()).as("the example's exit status; it printed:%n%s", output).isZero();
        return output;
    }

    /** The repository's README: the first folder up from this module that holds one beside a pom.xml. */
    private static Path readme() throws IOException {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("README.md");
            if (Files.isRegularFile(candidate) && Files.isRegularFile(p.resolve("pom.xml"))
                    && Files.readString(candidate).startsWith("# jzeo")) {
                return candidate;
            }
        }
        throw new IOException("no README.md of jzeo above " + Path.of("").toAbsolutePath());
    }
}
