package org.jzeo.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jzeo.client.cache.CacheSimulator;
import org.jzeo.client.cache.CacheTrace;
import org.jzeo.client.cache.SyntheticTraces;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo cache-sim}: replays a client cache trace (or a synthetic one) at several cache sizes and prints the
 * hit ratios of jzeo's eviction policy (S3-FIFO) and of a FIFO like ZEO's. Exit status 0, 1 when the trace cannot
 * be read, 2 for a usage error.
 */
@Command(name = "cache-sim", mixinStandardHelpOptions = true,
        description = {"Simulate the client cache on a trace: hits, misses and hit ratio per cache size, for jzeo's"
                + " policy (S3-FIFO) and for FIFO.",
            "Without --sizes: 1%, 5% and 20% of the trace's working set."})
final class CacheSimCommand implements Callable<Integer> {
    /** The synthetic traces on offer. */
    enum Synthetic {
        zipf, scan
    }

    @Parameters(paramLabel = "TRACE", arity = "0..1", description = "A trace file written by TracingCache.")
    Path trace;

    @Option(names = "--synthetic", paramLabel = "zipf|scan",
            description = "Generate the trace instead: Zipf(s=1.0) loads, or a Zipf hot set mixed with long scans.")
    Synthetic synthetic;

    @Option(names = "--objects", paramLabel = "N", defaultValue = "100000",
            description = "Objects of a synthetic trace, 300 bytes each (default ${DEFAULT-VALUE}).")
    int objects;

    @Option(names = "--loads", paramLabel = "N", defaultValue = "1000000",
            description = "Loads in a synthetic trace (default ${DEFAULT-VALUE}).")
    long loads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Random seed of a synthetic trace (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sizes", paramLabel = "SIZE", split = ",",
            description = "Cache sizes, e.g. 1MB,5MB,20MB (bytes, or with a KB, MB or GB suffix).")
    List<String> sizes = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ((trace == null) == (synthetic == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either a TRACE file or --synthetic zipf|scan");
        }
        if (objects <= 0 || loads <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--objects and --loads must be positive");
        }
        List<Long> cacheSizes = new ArrayList<>();
        try {
            for (String s : sizes) {
                long size = byteSize(s);
                if (size < CacheSimulator.MIN_CACHE_BYTES) {
                    throw new IllegalArgumentException("cache size " + s + " is below the minimum of 64KB");
                }
                cacheSizes.add(size);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (trace != null && !Files.isReadable(trace)) {
            err.printf("jzeo cache-sim: cannot read %s%n", trace);
            err.flush();
            return 1;
        }
        CacheSimulator.TraceSource source = source();
        try {
            long workingSet = CacheSimulator.workingSetBytes(source);
            if (cacheSizes.isEmpty()) {
                cacheSizes = CacheSimulator.defaultSizes(workingSet);
            }
            List<CacheSimulator.Result> results = CacheSimulator.compare(source, cacheSizes);
            out.printf("trace: %s, working set %s%n", describe(), human(workingSet));
            out.print(table(results));
            out.flush();
            return 0;
        } catch (IOException e) {
            err.printf("jzeo cache-sim: %s: %s%n", trace, Failures.describe(e));
            err.flush();
            return 1;
        }
    }

    private CacheSimulator.TraceSource source() {
        if (trace != null) {
            Path file = trace;
            return sink -> CacheTrace.replay(file, sink);
        }
        return synthetic == Synthetic.zipf ? SyntheticTraces.zipf(objects, loads, 1.0, seed)
                : SyntheticTraces.scan(objects, loads, seed);
    }

    private String describe() {
        return trace != null ? trace.toString()
                : String.format("synthetic %s (%d objects of %d bytes, %d loads, seed %d)", synthetic, objects,
                        SyntheticTraces.OBJECT_SIZE, loads, seed);
    }

    /** One row per size: the results come as (s3-fifo, fifo) pairs in size order. */
    static String table(List<CacheSimulator.Result> results) {
        StringBuilder sb = new StringBuilder();
        String format = "%10s  %12s %12s %9s  %12s %12s %9s%n";
        sb.append(String.format(format, "size", "s3-fifo hits", "misses", "hit ratio", "fifo hits", "misses",
                "hit ratio"));
        for (int i = 0; i + 1 < results.size(); i += 2) {
            CacheSimulator.Result jzeo = results.get(i);
            CacheSimulator.Result fifo = results.get(i + 1);
            sb.append(String.format(Locale.ROOT, format, human(jzeo.cacheBytes()), jzeo.hits(), jzeo.misses(),
                    percent(jzeo.hitRatio()), fifo.hits(), fifo.misses(), percent(fifo.hitRatio())));
        }
        return sb.toString();
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    private static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1fGB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1fMB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.0fKB", bytes / 1024.0);
    }

    /** A positive byte size as ZConfig writes it (20MB, 512KB, 1GB, or plain bytes). */
    static long byteSize(String text) {
        long size = org.jzeo.config.ConfigValues.byteSize(text);
        if (size <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a cache size (e.g. 20MB, 512KB, 1GB)");
        }
        return size;
    }
}
