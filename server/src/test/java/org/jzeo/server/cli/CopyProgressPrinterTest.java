package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jzeo.server.copy.CopyProgress;
import org.junit.jupiter.api.Test;

/** The copy's progress lines: when they are printed, and what they say. */
class CopyProgressPrinterTest {
    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text, true);
    private final AtomicLong now = new AtomicLong(1_000);

    private CopyProgressPrinter printer(boolean terminal) {
        return new CopyProgressPrinter(new ProgressPrinter(err, terminal), terminal, "jzeo copy: ",
                Duration.ofSeconds(3), now::get);
    }

    private static CopyProgress progress(long transactions, long bytes, double seconds) {
        return new CopyProgress(transactions, transactions * 2, 0, bytes, Duration.ofMillis((long) (seconds * 1000)));
    }

    @Test
    void printsOncePerIntervalAndAlwaysAtTheEnd() {
        CopyProgressPrinter printer = printer(false);
        printer.transactionCopied(progress(1, 1_000_000, 0.5));
        now.addAndGet(Duration.ofSeconds(3).toNanos() - 1);
        printer.transactionCopied(progress(2, 2_000_000, 2.9));
        assertThat(text.toString()).as("nothing before the interval has passed").isEmpty();

        now.addAndGet(1);
        printer.transactionCopied(progress(3, 3_000_000, 3.0));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        printer.transactionCopied(progress(4, 4_000_000, 4.0));
        printer.finish(progress(5, 5_000_000, 5.0), err);

        assertThat(text.toString().lines().toList()).containsExactly(
                "jzeo copy: 3 transactions, 6 records, 3.0 MB, 1.0 MB/s, 3.0 s elapsed",
                "jzeo copy: 5 transactions, 10 records, 5.0 MB, 1.0 MB/s, 5.0 s elapsed");
    }

    @Test
    void namesBlobsWhenThereAreSome() {
        assertThat(CopyProgressPrinter.describe(new CopyProgress(2, 3, 1, 12_500_000, Duration.ofSeconds(5))))
                .isEqualTo("2 transactions, 3 records, 1 blobs, 12.5 MB, 2.5 MB/s, 5.0 s elapsed");
    }

    @Test
    void onATerminalTheLastLineEndsSoTheSummaryStartsOnItsOwn() {
        CopyProgressPrinter printer = printer(true);
        printer.finish(progress(1, 0, 1), err);
        assertThat(text.toString()).startsWith("\r").endsWith(System.lineSeparator());
    }
}
