package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Progress output: lines of their own for a pipe or a log, one line rewritten in place on a terminal. */
class ProgressPrinterTest {

    @Test
    void withoutATerminalEachProgressIsAPlainLineAndClearingWritesNothing() {
        StringWriter out = new StringWriter();
        ProgressPrinter printer = new ProgressPrinter(new PrintWriter(out), false);

        printer.progress("copying: 10%");
        printer.progress("copying: 20%");
        printer.clear();

        assertThat(out.toString()).isEqualTo("copying: 10%" + System.lineSeparator() + "copying: 20%"
                + System.lineSeparator());
    }

    @Test
    void onATerminalEachProgressOverwritesTheLastAndClearingLeavesAnEmptyLine() {
        StringWriter out = new StringWriter();
        ProgressPrinter printer = new ProgressPrinter(new PrintWriter(out), true);

        printer.progress("analysing: 100%");
        printer.progress("copying: 5%");
        printer.clear();

        assertThat(out.toString()).isEqualTo("\ranalysing: 100%" + "\rcopying: 5%" + " ".repeat(4)
                + "\r" + " ".repeat(11) + "\r");
    }
}
