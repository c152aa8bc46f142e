package org.jzeo.it.payara;

import java.nio.file.Path;

/**
 * The README's "Deploy to Payara" steps, one method per step, with the arguments exactly as typed at a shell
 * (asadmin's own escaping: {@code \:} and {@code \=} inside {@code --property} values, {@code :} between
 * properties).
 *
 * <p>The first step, {@code asadmin deploy --name jzeo jzeo.rar} (the name is what {@code --raname} refers to), is
 * the test's Arquillian deployment: see {@link JzeoPayaraIT}.
 */
final class DeploySteps {
    static final String RA_NAME = "jzeo";
    static final String CONNECTOR_POOL = "jzeo-pool";
    static final String CONNECTOR_RESOURCE = "eis/jzeo";
    static final String JDBC_POOL = "jzeo-bank-pool";
    static final String JDBC_RESOURCE = "jdbc/jzeo-bank";
    static final String APPLICATION = "jzeo-bank";
    /** The pool's user and password: who the adapter signs on to the jzeo server as. */
    static final String USER = "bank";
    static final String PASSWORD = "bank-secret";

    private final Asadmin asadmin;

    DeploySteps(Asadmin asadmin) {
        this.asadmin = asadmin;
    }

    /**
     * The connection factory at eis/jzeo: an XA pool of the adapter's managed connections to {@code hostPort},
     * signing on as the pool's {@code userName} and {@code password} (Payara passes them as the container's
     * credential, and sets them on the adapter's properties of those names).
     */
    void createConnectorResource(String hostPort) {
        createConnectorPool(CONNECTOR_POOL, hostPort, USER, PASSWORD);
        asadmin.run("create-connector-resource", "--poolname", CONNECTOR_POOL, CONNECTOR_RESOURCE);
    }

    /** An XA connector pool of the adapter to {@code hostPort} that signs on as {@code user}. */
    void createConnectorPool(String pool, String hostPort, String user, String password) {
        asadmin.run("create-connector-connection-pool",
                "--raname", RA_NAME,
                "--connectiondefinition", "org.jzeo.api.StorageConnectionFactory",
                "--transactionsupport", "XATransaction",
                "--property", "serverAddresses=" + hostPort.replace(":", "\\:")
                        + ":waitTimeout=10:minDisconnectPoll=1:maxDisconnectPoll=2:userName=" + user
                        + ":password=" + password,
                pool);
    }

    /**
     * The example's second XA resource: an H2 in-memory database that lives as long as the server
     * ({@code DB_CLOSE_DELAY=-1}). Payara puts its own H2 ({@code h2db/bin/h2.jar}) on the server's class path, so
     * no library needs adding. Payara requires a password property for a JDBC pool (ping fails with "No password
     * credential found" without one), and an empty value is refused by the property syntax.
     */
    void createJdbcResource() {
        asadmin.run("create-jdbc-connection-pool",
                "--datasourceclassname", "org.h2.jdbcx.JdbcDataSource",
                "--restype", "javax.sql.XADataSource",
                "--property", "url=jdbc\\:h2\\:mem\\:jzeobank;DB_CLOSE_DELAY\\=-1:user=jzeo:password=jzeo",
                JDBC_POOL);
        asadmin.run("create-jdbc-resource", "--connectionpoolid", JDBC_POOL, JDBC_RESOURCE);
    }

    /** Makes a connection through the pool: for the connector pool, a managed connection to the jzeo server. */
    String ping(String pool) {
        return asadmin.run("ping-connection-pool", pool);
    }

    String deployApplication(Path ear) {
        return asadmin.run("deploy", "--name", APPLICATION, ear.toString());
    }

    // ---------------------------------------------------------------- removing it all, in reverse order

    void undeployApplication() {
        asadmin.run("undeploy", APPLICATION);
    }

    void deleteJdbcResource() {
        asadmin.run("delete-jdbc-resource", JDBC_RESOURCE);
        asadmin.run("delete-jdbc-connection-pool", JDBC_POOL);
    }

    void deleteConnectorResource() {
        asadmin.run("delete-connector-resource", CONNECTOR_RESOURCE);
        asadmin.run("delete-connector-connection-pool", CONNECTOR_POOL);
    }
}
