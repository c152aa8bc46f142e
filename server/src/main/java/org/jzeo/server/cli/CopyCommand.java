package org.jzeo.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jzeo.api.Tid;
import org.jzeo.server.StorageOpener;
import org.jzeo.server.config.ConfigException;
import org.jzeo.server.config.CopyConfig;
import org.jzeo.server.config.CopyConfigLoader;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.MappingStorageConfig;
import org.jzeo.server.config.StorageConfig;
import org.jzeo.server.copy.CopyException;
import org.jzeo.server.copy.CopyProgress;
import org.jzeo.server.copy.StorageCopier;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.storage.Storage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo copy}: zodbconvert. Copies every transaction of the storage configured as {@code source} into the one
 * configured as {@code destination}, keeping tids, metadata, back pointers and blobs. Progress goes to standard
 * error every few seconds, the summary to standard output. Exit status 0 when the copy is complete, 1 when it failed
 * (the transactions before the failing one stay in the destination), 2 for a usage or configuration error.
 */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy one storage into another, transaction by transaction (zodbconvert).",
            "CONFIG holds two storage sections named source and destination, e.g. <filestorage source> path"
                + " /a/Data.fs </filestorage> and <filestorage destination> path /b/Data.fs </filestorage>"
                + " (<blobstorage NAME> or blob-dir for blobs)."})
final class CopyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG", description = "The configuration file with the source and destination.")
    Path configFile;

    @Option(names = "--dry-run", description = "Read the source and report what would be copied; write nothing.")
    boolean dryRun;

    @Option(names = "--clear", description = "Empty the destination first (its data file and blobs are removed).")
    boolean clear;

    @Option(names = "--incremental", description = "Copy only the source's transactions after the destination's"
            + " last one, which the source must also hold.")
    boolean incremental;

    @Option(names = "--progress-interval", hidden = true, defaultValue = "PT3S",
            description = "How often progress is shown (ISO-8601 duration).")
    Duration progressInterval;

    /** How long a vote waits for object locks: nobody else writes the destination during a copy. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    boolean terminal = ProgressPrinter.stdoutIsATerminal();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (clear && incremental) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--clear and --incremental exclude each other: --clear copies everything anew");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CopyConfig config;
        try {
            config = new CopyConfigLoader().load(configFile,
                    warning -> err.println("jzeo copy: warning: " + warning));
        } catch (ConfigException e) {
            err.println("jzeo copy: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        try {
            String summary = dryRun ? dryRun(config, err) : copy(config, err);
            out.println("jzeo copy: " + summary);
            return CommandLine.ExitCode.OK;
        } catch (RuntimeException e) {
            err.println("jzeo copy: " + Failures.describe(e));
            org.slf4j.LoggerFactory.getLogger(CopyCommand.class).debug("jzeo copy failed", e);
            return CommandLine.ExitCode.SOFTWARE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private String copy(CopyConfig config, PrintWriter err) {
        try (Storage source = open("source", readOnly(config.source()));
             Storage destination = open("destination", clear ? cleared(config.destination())
                     : config.destination())) {
            CopyProgressPrinter progress = progressPrinter(err);
            StorageCopier copier = new StorageCopier(source, progress);
            Tid after = copier.startAfter(destination.lastTransaction(), incremental, destination.name());
            CopyProgress done = copier.copy(after, destination);
            progress.finish(done, err);
            return String.format(Locale.ROOT, "copied %s in %.1f s (%.1f MB/s)", amounts(done),
                    seconds(done), done.megabytesPerSecond());
        }
    }

    private String dryRun(CopyConfig config, PrintWriter err) {
        try (Storage source = open("source", readOnly(config.source()))) {
            Tid destinationLast = clear ? Tid.ZERO : destinationLast(config.destination());
            CopyProgressPrinter progress = progressPrinter(err);
            StorageCopier copier = new StorageCopier(source, progress);
            Tid after = copier.startAfter(destinationLast, incremental, config.destination().name());
            CopyProgress read = copier.dryRun(after, keepsBlobs(config.destination()));
            progress.finish(read, err);
            return String.format(Locale.ROOT, "dry run: would copy %s (read in %.1f s, %.1f MB/s); nothing was"
                    + " written", amounts(read), seconds(read), read.megabytesPerSecond());
        }
    }

    /** The destination's last transaction, read without changing it: a missing data file is an empty storage. */
    private Tid destinationLast(StorageConfig destination) {
        if (!(destination instanceof FileStorageConfig f) || f.create() || !Files.exists(f.path())) {
            return Tid.ZERO;
        }
        try (Storage existing = open("destination", readOnly(f))) {
            return existing.lastTransaction();
        }
    }

    private static boolean keepsBlobs(StorageConfig destination) {
        return destination instanceof FileStorageConfig f && f.blobDir() != null;
    }

    private CopyProgressPrinter progressPrinter(PrintWriter err) {
        return new CopyProgressPrinter(new ProgressPrinter(err, terminal), terminal, "jzeo copy: ",
                progressInterval, System::nanoTime);
    }

    private static Storage open(String role, StorageConfig config) {
        try {
            return StorageOpener.open(config, LOCK_WAIT, ReferenceScanner.finder());
        } catch (RuntimeException e) {
            throw new CopyException("cannot open the " + role + " '" + config.name() + "': " + Failures.describe(e),
                    e);
        }
    }

    /**
     * The source is only read: a FileStorage opened read-only cannot be changed by mistake, and takes no lock (so a
     * running server's file can be copied as of the moment it is opened). Other kinds are opened as configured.
     */
    private static StorageConfig readOnly(StorageConfig config) {
        if (config instanceof FileStorageConfig f) {
            return new FileStorageConfig(f.name(), f.path(), true, false, f.quota(), f.packGc(), f.packKeepOld(),
                    false, f.recordCacheSize(), f.blobDir());
        }
        return config;
    }

    /**
     * --clear: the section's own {@code create true}, which removes the data file and its blobs before opening.
     * Called only once the source has opened, so that a mistyped source never costs the destination its data.
     */
    private static StorageConfig cleared(StorageConfig config) {
        if (config instanceof FileStorageConfig f) {
            return new FileStorageConfig(f.name(), f.path(), f.readOnly(), true, f.quota(), f.packGc(),
                    f.packKeepOld(), f.createFolders(), f.recordCacheSize(), f.blobDir());
        }
        if (config instanceof MappingStorageConfig) {
            return config; // starts empty anyway
        }
        // Say so rather than go on and then refuse the destination as not empty, as if --clear had not been given.
        throw new CopyException("--clear: jzeo copy cannot empty the destination '" + config.name() + "' (it empties"
                + " <filestorage> destinations); empty it by other means, or copy into a new storage");
    }

    private static String amounts(CopyProgress p) {
        return String.format(Locale.ROOT, "%d transactions, %d records%s, %.1f MB", p.transactions(), p.records(),
                p.blobs() == 0 ? "" : " (" + p.blobs() + " blobs)", p.bytes() / 1e6);
    }

    private static double seconds(CopyProgress p) {
        return p.elapsed().toNanos() / 1e9;
    }
}
