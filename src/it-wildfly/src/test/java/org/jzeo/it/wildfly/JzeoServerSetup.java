package org.jzeo.it.wildfly;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.ClientConstants;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;

/**
 * Runs before the first deployment, in the test JVM: starts a jzeo server on a free loopback port, then declares the
 * resource adapter in WildFly's {@code resource-adapters} subsystem (what an operator does with the CLI), so that
 * when {@code jzeo.rar} is deployed its connection factory is bound at {@code java:/eis/jzeo}, with XA transactions
 * and recovery credentials, pointing at that server. The CLI equivalent:
 *
 * <pre>
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar:add(archive=jzeo.rar, transaction-support=XATransaction)
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar/connection-definitions=jzeo:add(
 *     class-name=org.jzeo.rar.JzeoManagedConnectionFactory, jndi-name=java:/eis/jzeo,
 *     recovery-username=jzeo-recovery, recovery-password=jzeo-recovery)
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar/connection-definitions=jzeo/config-properties=serverAddresses:add(value=127.0.0.1:PORT)
 * </pre>
 */
public class JzeoServerSetup implements ServerSetupTask {
    static final String RAR = "jzeo.rar";
    static final String JNDI_NAME = "java:/eis/jzeo";
    static final String CONNECTION_DEFINITION = "jzeo";

    private static volatile RunningServer server;

    /** The port of the jzeo server the adapter is configured for (in this JVM). */
    static int port() {
        RunningServer s = server;
        if (s == null) {
            throw new IllegalStateException("the jzeo server is not running (server setup did not run)");
        }
        return TestServers.address(s).getPort();
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        Path runs = Files.createDirectories(Path.of("target", "jzeo-data"));
        Path dir = Files.createTempDirectory(runs, "run-");
        server = TestServers.start(dir.resolve("Data.fs"));

        ModelNode adapter = adapterAddress();
        ModelNode addAdapter = Operations.createAddOperation(adapter);
        addAdapter.get("archive").set(RAR);
        addAdapter.get("transaction-support").set("XATransaction");

        ModelNode definition = adapter.clone().add("connection-definitions", CONNECTION_DEFINITION);
        ModelNode addDefinition = Operations.createAddOperation(definition);
        addDefinition.get("class-name").set("org.jzeo.rar.JzeoManagedConnectionFactory");
        addDefinition.get("jndi-name").set(JNDI_NAME);
        // Recovery: IronJacamar creates a managed connection with these credentials (ignored by the adapter) and
        // asks its XAResource for the prepared xids. Without them WildFly logs IJ020016 and disables XA recovery.
        addDefinition.get("recovery-username").set("jzeo-recovery");
        addDefinition.get("recovery-password").set("jzeo-recovery");

        Operations.CompositeOperationBuilder steps = Operations.CompositeOperationBuilder.create()
                .addStep(addAdapter)
                .addStep(addDefinition)
                .addStep(property(definition, "serverAddresses", "127.0.0.1:" + port()))
                .addStep(property(definition, "waitTimeout", "10"))
                .addStep(property(definition, "minDisconnectPoll", "1"))
                .addStep(property(definition, "maxDisconnectPoll", "2"));
        executeOperation(client, steps.build());
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        try {
            ModelNode remove = Operations.createRemoveOperation(adapterAddress());
            remove.get(ClientConstants.OPERATION_HEADERS).get("allow-resource-service-restart").set(true);
            executeOperation(client, remove);
        } finally {
            RunningServer s = server;
            server = null;
            if (s != null) {
                s.close();
            }
        }
    }

    private static ModelNode adapterAddress() {
        return Operations.createAddress("subsystem", "resource-adapters", "resource-adapter", RAR);
    }

    private static ModelNode property(ModelNode definition, String name, String value) {
        ModelNode add = Operations.createAddOperation(definition.clone().add("config-properties", name));
        add.get("value").set(value);
        return add;
    }
}
