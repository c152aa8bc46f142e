package org.jzeo.server.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jzeo.client.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo status}: a server's server_status figures as a table. Without a storage name it uses the
 * {@code ruok} probe, which reports every storage and needs no registration; with {@code -S} (or
 * {@code HOST:PORT:STORAGE}) it registers read-only with that storage and calls {@code server_status}. With
 * {@code --username} it signs on first, and without a storage name calls {@code jzeo_status} instead of the probe
 * (a server that requires signing on refuses the probe): the same figures, for the storages the user administers.
 * Exit status 0 when the table was printed, 1 when the server could not be asked.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print a server's statistics (server_status) as a table.",
            "Without -S it asks with the 'ruok' probe, which reports every storage; with --username it signs on and"
                + " asks for the storages that user administers."})
final class StatusCommand implements Callable<Integer> {
    /** The server's status call for signed-on admins ({storage: server_status}, as the ruok probe answers). */
    static final String JZEO_STATUS = "jzeo_status";

    @Parameters(paramLabel = "HOST:PORT[:STORAGE]", arity = "0..1",
            description = "The server (default 127.0.0.1:8100; also [ipv6]:port or a bare port).")
    String server;

    @Option(names = {"-u", "--unix"}, paramLabel = "PATH[:STORAGE]", description = "A Unix-socket server instead.")
    String unixSocket;

    @Option(names = {"-S", "--storage"}, paramLabel = "NAME",
            description = "Only this storage, by registering with it and calling server_status.")
    String storage;

    @Mixin
    TimeoutOption timeout;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    CredentialOptions credentialOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ServerSpec target = target();
        Credentials credentials = credentialOptions.credentials();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Map<String, Map<String, Object>> table = target.storage() != null ? register(target, credentials)
                    : credentials != null ? signedOnStatus(target, credentials) : probe(target);
            out.print(StatusTable.render(table));
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            err.printf("jzeo status: %s: %s%n", target.describe(), Failures.describe(e));
            err.flush();
            return 1;
        }
    }

    private ServerSpec target() {
        try {
            return ServerSpec.single(server, unixSocket, storage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Map<String, Map<String, Object>> probe(ServerSpec target) throws IOException {
        String json;
        try {
            json = AdminConnection.probe(target.socketAddress(), target.address(), timeout.duration(),
                    tlsOptions.settings());
        } catch (EOFException e) {
            throw new EOFException(e.getMessage() + " without answering the status probe; a server that requires"
                    + " signing on refuses it: give --username (and --password or "
                    + CredentialOptions.PASSWORD_VARIABLE + ")");
        }
        Object parsed = StatusJsonReader.parse(json);
        if (!(parsed instanceof Map<?, ?> all)) {
            throw new IOException("the ruok answer is not a JSON object");
        }
        return table(all, "ruok");
    }

    /** What the probe tells, over a signed-on connection: jzeo_status, before register. */
    private Map<String, Map<String, Object>> signedOnStatus(ServerSpec target, Credentials credentials)
            throws IOException {
        try (AdminConnection c = AdminConnection.open(target.socketAddress(), target.address(),
                timeout.duration(), tlsOptions.settings(), credentials)) {
            return table(WireMaps.stringKeys(c.call(JZEO_STATUS), JZEO_STATUS), JZEO_STATUS);
        }
    }

    /** {storage: {figure: value}} with text keys, in the server's order. */
    private static Map<String, Map<String, Object>> table(Map<?, ?> all, String what) throws IOException {
        Map<String, Map<String, Object>> table = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : all.entrySet()) {
            table.put(WireMaps.text(e.getKey()), WireMaps.stringKeys(e.getValue(), what));
        }
        return table;
    }

    private Map<String, Map<String, Object>> register(ServerSpec target, Credentials credentials)
            throws IOException {
        try (AdminConnection c = AdminConnection.open(target.socketAddress(), target.address(),
                timeout.duration(), tlsOptions.settings(), credentials)) {
            c.register(target.storage(), true);
            Map<String, Map<String, Object>> table = new LinkedHashMap<>();
            table.put(target.storage(), WireMaps.stringKeys(c.call("server_status"), "server_status"));
            return table;
        }
    }
}
