package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.server.copy.SampleHistory;
import org.jzeo.server.copy.StorageAssertions;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jzeo copy} end to end on real files: its configuration, flags, output and exit codes. */
class CopyCommandTest {
    private static final String SUMMARY = "jzeo copy: copied (\\d+) transactions, (\\d+) records( \\(\\d+ blobs\\))?,"
            + " \\d+\\.\\d MB in \\d+\\.\\d s \\(\\d+\\.\\d MB/s\\)\\R";

    @TempDir
    Path tmp;

    private Path source() {
        return tmp.resolve("src/Data.fs");
    }

    private Path destination() {
        return tmp.resolve("dst/Data.fs");
    }

    private FileStorage open(Path file, Path blobs) {
        FileStorageOptions options = FileStorageOptions.defaults().withFsync(false).withCreateMissingFolders(true);
        return FileStorage.open(file, blobs == null ? options : options.withBlobDir(blobs),
                ReferenceFinder.unavailable());
    }

    /** Writes the sample history into the source, closed again for the command. */
    private int writeSource(boolean blobs) {
        try (FileStorage s = open(source(), blobs ? tmp.resolve("src/blobs") : null)) {
            new SampleHistory(s).write();
            return StorageAssertions.tids(s).size();
        }
    }

    private void moreInSource(String... descriptions) {
        try (FileStorage s = open(source(), null)) {
            for (String d : descriptions) {
                new SampleHistory(s).more(d);
            }
        }
    }

    private Path config(String text) throws IOException {
        Path file = tmp.resolve("copy.conf");
        Files.writeString(file, text);
        return file;
    }

    private Path plainConfig() throws IOException {
        Files.createDirectories(destination().getParent());
        // The destination in an included file, as a shared configuration might keep it.
        Files.writeString(tmp.resolve("destination.conf"),
                "<filestorage destination>\n  path $ROOT/dst/Data.fs\n</filestorage>\n");
        return config("%define ROOT " + tmp + "\n"
                + "<filestorage source>\n  path $ROOT/src/Data.fs\n</filestorage>\n"
                + "%include destination.conf\n");
    }

    private void assertDestinationIsACopy(Path sourceBlobs, Path destinationBlobs) {
        try (FileStorage s = open(source(), sourceBlobs); FileStorage d = open(destination(), destinationBlobs)) {
            StorageAssertions.assertSameHistory(s, d);
        }
    }

    private static int copied(Cli.Result r) {
        var m = java.util.regex.Pattern.compile(SUMMARY).matcher(r.out());
        assertThat(m.matches()).as("the summary line: " + r.out() + r.err()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void copiesAFileStorageWithBlobsAndReportsProgressAndSummary() throws IOException {
        int transactions = writeSource(true);
        Files.createDirectories(destination().getParent());
        Path conf = config("%define ROOT " + tmp + "\n"
                + "<blobstorage source>\n  blob-dir $ROOT/src/blobs\n"
                + "  <filestorage>\n    path $ROOT/src/Data.fs\n  </filestorage>\n</blobstorage>\n"
                + "<filestorage destination>\n  path $ROOT/dst/Data.fs\n  blob-dir $ROOT/dst/blobs\n"
                + "</filestorage>\n");

        Cli.Result r = Cli.run("copy", conf.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(copied(r)).isEqualTo(transactions);
        assertThat(r.out()).contains("(3 blobs)");
        assertThat(r.err()).as("the final progress line on stderr").containsPattern(
                "jzeo copy: " + transactions + " transactions, \\d+ records, 3 blobs, \\d+\\.\\d MB,"
                        + " \\d+\\.\\d MB/s, \\d+\\.\\d s elapsed");
        assertDestinationIsACopy(tmp.resolve("src/blobs"), tmp.resolve("dst/blobs"));
    }

    @Test
    void showsProgressWhileCopying() throws IOException {
        int transactions = writeSource(false);

        Cli.Result r = Cli.run("copy", "--progress-interval=PT0S", plainConfig().toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as("a line per transaction with no interval, and the last once more")
                .hasSize(transactions + 1);
        assertThat(lines.get(0)).startsWith("jzeo copy: 1 transactions, ");
    }

    @Test
    void refusesANonEmptyDestinationAndWritesNothing() throws IOException {
        writeSource(false);
        Path conf = plainConfig();
        assertThat(Cli.run("copy", conf.toString()).exitCode()).isZero();
        moreInSource("new in the source");
        byte[] before = Files.readAllBytes(destination());

        Cli.Result r = Cli.run("copy", conf.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jzeo copy: the destination 'destination' is not empty")
                .contains("--clear").contains("--incremental");
        assertThat(r.out()).isEmpty();
        assertThat(Files.readAllBytes(destination())).isEqualTo(before);
    }

    @Test
    void incrementalCopiesTheNewTransactionsOnly() throws IOException {
        writeSource(false);
        Path conf = plainConfig();
        assertThat(copied(Cli.run("copy", "--incremental", conf.toString()))).as("into an empty destination: all")
                .isGreaterThan(2);
        moreInSource("one", "two");

        Cli.Result r = Cli.run("copy", "--incremental", conf.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(copied(r)).isEqualTo(2);
        assertDestinationIsACopy(null, null);
    }

    @Test
    void incrementalIntoADivergedDestinationFails() throws IOException {
        writeSource(false);
        Path conf = plainConfig();
        assertThat(Cli.run("copy", conf.toString()).exitCode()).isZero();
        try (FileStorage d = open(destination(), null)) {
            new SampleHistory(d).more("only in the destination");
        }
        moreInSource("only in the source");
        byte[] before = Files.readAllBytes(destination());

        Cli.Result r = Cli.run("copy", "--incremental", conf.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jzeo copy: --incremental: the destination's last transaction")
                .contains("is not in the source 'source'");
        assertThat(Files.readAllBytes(destination())).isEqualTo(before);
    }

    @Test
    void clearReplacesTheDestination() throws IOException {
        writeSource(false);
        Path conf = plainConfig();
        try (FileStorage d = open(destination(), null)) {
            new SampleHistory(d).more("to be replaced");
            new SampleHistory(d).more("this too");
        }

        Cli.Result r = Cli.run("copy", "--clear", conf.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertDestinationIsACopy(null, null);
    }

    @Test
    void dryRunReportsAndWritesNothing() throws IOException {
        int transactions = writeSource(false);
        Path conf = plainConfig();

        Cli.Result r = Cli.run("copy", "--dry-run", conf.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("jzeo copy: dry run: would copy " + transactions + " transactions, ")
                .contains("nothing was written");
        assertThat(destination()).doesNotExist();

        // Into an existing destination: its content stays; --incremental reports the new transactions only.
        assertThat(Cli.run("copy", conf.toString()).exitCode()).isZero();
        moreInSource("new");
        byte[] before = Files.readAllBytes(destination());
        Cli.Result incremental = Cli.run("copy", "--dry-run", "--incremental", conf.toString());
        assertThat(incremental.out()).startsWith("jzeo copy: dry run: would copy 1 transactions, ");
        Cli.Result cleared = Cli.run("copy", "--dry-run", "--clear", conf.toString());
        assertThat(cleared.out()).startsWith("jzeo copy: dry run: would copy " + (transactions + 1)
                + " transactions, ");
        assertThat(Files.readAllBytes(destination())).isEqualTo(before);
        try (FileStorage d = open(destination(), null)) {
            assertThat(StorageAssertions.tids(d)).hasSize(transactions);
        }
    }

    @Test
    void blobsIntoADestinationWithoutBlobDirFailNamingTheProblem() throws IOException {
        writeSource(true);
        Files.createDirectories(destination().getParent());
        Path conf = config("<filestorage source>\n path " + source() + "\n blob-dir " + tmp.resolve("src/blobs")
                + "\n</filestorage>\n<filestorage destination>\n path " + destination() + "\n</filestorage>\n");

        Cli.Result r = Cli.run("copy", conf.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jzeo copy: transaction ").contains("has a blob in the source 'source'")
                .contains("give it a blob-dir");
        var before = java.util.regex.Pattern.compile("the (\\d+) transactions before it are in the destination")
                .matcher(r.err());
        assertThat(before.find()).as(r.err()).isTrue();
        try (FileStorage d = open(destination(), null)) {
            assertThat(StorageAssertions.tids(d)).hasSize(Integer.parseInt(before.group(1)));
        }
    }

    @Test
    void configurationErrorsAreOneLineNamingTheFileWithExitCode2() throws IOException {
        writeSource(false);
        String src = "<filestorage source>\n path " + source() + "\n</filestorage>\n";
        assertConfigError(src, "no storage section named 'destination'");
        assertConfigError(src + "<filestorage backup>\n path " + destination() + "\n</filestorage>\n",
                "<filestorage backup> has an unknown name");
        assertConfigError(src + "<filestorage>\n path " + destination() + "\n</filestorage>\n",
                "<filestorage> has no name");
        assertConfigError(src + "<filestorage destination>\n path " + tmp.resolve("src/../src/Data.fs")
                + "\n</filestorage>\n", "the destination is the source's file");
        assertConfigError("<filestorage source>\n path " + source() + "\n create true\n</filestorage>\n"
                + "<filestorage destination>\n path " + destination() + "\n</filestorage>\n", "would erase it");
        assertConfigError(src + "<zeo>\n address 1\n</zeo>\n", "unknown section <zeo>");
        assertThat(source()).exists();

        Cli.Result both = Cli.run("copy", "--clear", "--incremental", plainConfig().toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--clear and --incremental exclude each other");
    }

    private void assertConfigError(String text, String problem) throws IOException {
        Path conf = config(text);
        Cli.Result r = Cli.run("copy", conf.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("jzeo copy: " + conf).contains(problem);
        assertThat(r.err().lines().count()).as("one line: " + r.err()).isEqualTo(1);
    }

    @Test
    void aMissingSourceFailsNamingIt() throws IOException {
        Cli.Result r = Cli.run("copy", plainConfig().toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jzeo copy: cannot open the source 'source': ").contains("does not exist");
        assertThat(destination()).doesNotExist();
    }
}
