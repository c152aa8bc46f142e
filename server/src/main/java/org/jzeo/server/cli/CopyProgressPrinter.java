package org.jzeo.server.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.jzeo.server.copy.CopyListener;
import org.jzeo.server.copy.CopyProgress;

/**
 * Shows a running copy's progress every few seconds, and once more at the end, through a {@link ProgressPrinter}
 * (so on a terminal the line replaces itself). The copier calls it after each transaction; it prints only when the
 * interval has passed, so a copy of many small transactions does not spend its time printing.
 */
final class CopyProgressPrinter implements CopyListener {
    private final ProgressPrinter printer;
    private final String prefix;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final boolean terminal;
    private long nextPrint;

    CopyProgressPrinter(ProgressPrinter printer, boolean terminal, String prefix, Duration interval,
                        LongSupplier nanoClock) {
        this.printer = printer;
        this.terminal = terminal;
        this.prefix = prefix;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.nextPrint = nanoClock.getAsLong() + intervalNanos;
    }

    @Override
    public void transactionCopied(CopyProgress progress) {
        long now = nanoClock.getAsLong();
        if (now - nextPrint >= 0) {
            printer.progress(prefix + describe(progress));
            nextPrint = now + intervalNanos;
        }
    }

    /** The last progress line, always printed, left on its own line so the summary starts on a fresh one. */
    void finish(CopyProgress progress, java.io.PrintWriter err) {
        printer.progress(prefix + describe(progress));
        if (terminal) {
            err.println();
            err.flush();
        }
    }

    /** "1520 transactions, 1520 records, 3 blobs, 152.0 MB, 35.2 MB/s, 4.3 s elapsed". */
    static String describe(CopyProgress p) {
        return String.format(Locale.ROOT, "%d transactions, %d records, %s%.1f MB, %.1f MB/s, %.1f s elapsed",
                p.transactions(), p.records(), p.blobs() == 0 ? "" : p.blobs() + " blobs, ", p.bytes() / 1e6,
                p.megabytesPerSecond(), p.elapsed().toNanos() / 1e9);
    }
}
