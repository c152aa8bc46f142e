package org.jzeo.server.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import org.jzeo.server.config.LogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jzeo} command line: one entry point, a subcommand per job. {@link #main} applies the {@code <eventlog>}
 * of {@code serve -C zeo.conf} before any logger exists (see {@link LoggingSetup}); no subcommand class creates a
 * logger before it runs.
 */
@Command(name = "jzeo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "jzeo: ZEO, the ZODB client/server storage, for the JVM.",
        subcommands = {ServeCommand.class, PackCommand.class, CopyCommand.class, UpCommand.class, StatusCommand.class,
            PasswdCommand.class, CacheSimCommand.class, CommandLine.HelpCommand.class})
public final class JzeoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintStream terminal = System.err;
        CommandLine commandLine = commandLine();
        configureLogging(commandLine, args, terminal);
        // Usage errors and failures to start go to the terminal even when the log goes to a file.
        commandLine.setErr(new PrintWriter(terminal, true));
        System.exit(commandLine.execute(args));
    }

    /**
     * The command line, with failures reported in one line each ("jzeo serve: cannot listen on ...: ..."); the
     * stack trace goes to the log at debug level only.
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new JzeoCommand());
        commandLine.setExecutionExceptionHandler((failure, command, parsed) -> {
            command.getErr().println("jzeo " + command.getCommandName() + ": " + Failures.describe(failure));
            org.slf4j.LoggerFactory.getLogger(JzeoCommand.class).debug("jzeo {} failed", command.getCommandName(),
                    failure);
            return 1;
        });
        return commandLine;
    }

    /** For {@code serve -C file}: reads the file's {@code <eventlog>} and applies it, before the first logger. */
    private static void configureLogging(CommandLine commandLine, String[] args, PrintStream terminal) {
        CommandLine.ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return; // execute() reports it
        }
        if (!parsed.hasSubcommand()
                || !(parsed.subcommand().commandSpec().userObject() instanceof ServeCommand serve)
                || serve.configFile == null) {
            return;
        }
        LogConfig eventlog = LoggingSetup.readEventLog(serve.configFile);
        if (eventlog != null) {
            String problem = LoggingSetup.apply(eventlog);
            if (problem != null) {
                terminal.println(problem);
            }
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
