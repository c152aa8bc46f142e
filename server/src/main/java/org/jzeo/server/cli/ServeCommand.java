package org.jzeo.server.cli;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jzeo serve}: opens the storage (creating {@code ./var/Data.fs} by default), recovers it, and holds it
 * until the process is stopped; SIGTERM or Ctrl-C closes it cleanly and saves the index.
 *
 * <p>The ZEO network listener is not part of this release yet: the address is accepted and reported so that
 * scripts written now keep working when it arrives.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Open a FileStorage and serve it (default: ./var/Data.fs on 127.0.0.1:8100).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = {"-f", "--filename"}, description = "The Data.fs to serve (default: ${DEFAULT-VALUE}).",
            defaultValue = "var/Data.fs")
    Path filename;

    @Option(names = {"-a", "--address"}, description = "host:port to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:8100")
    String address;

    @Option(names = {"-r", "--read-only"}, description = "Serve read-only.")
    boolean readOnly;

    @Override
    public Integer call() throws InterruptedException {
        FileStorage storage = FileStorage.open(filename, FileStorageOptions.defaults().withReadOnly(readOnly),
                ReferenceScanner.finder());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: closing {}", storage.path());
            storage.close();
            stopped.countDown();
        }, "jzeo-shutdown"));
        LOG.info("storage '{}' open: {} ({} objects, last transaction {})", storage.name(), storage.path(),
                storage.length(), storage.lastTransaction());
        LOG.warn("the ZEO network listener ({}) is not implemented in this release; holding the storage open"
                + " until stopped (Ctrl-C or SIGTERM)", address);
        stopped.await();
        return 0;
    }
}
