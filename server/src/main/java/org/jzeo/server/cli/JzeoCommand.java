package org.jzeo.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jzeo} command line: one entry point, a subcommand per job. */
@Command(name = "jzeo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "jzeo: ZEO, the ZODB client/server storage, for the JVM.",
        subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class JzeoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new JzeoCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
