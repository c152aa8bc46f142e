package org.jzeo.it.wildfly;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.ClientConstants;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;
import org.jzeo.it.StorageUnderTest;

/**
 * Runs before the deployments, in the test JVM: starts a jzeo server process, then configures WildFly as the README's
 * "Deploy to WildFly" section says, through the management API (the CLI's operations):
 *
 * <pre>
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar:add(archive=jzeo.rar, transaction-support=XATransaction)
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar/connection-definitions=jzeo:add(
 *     class-name=org.jzeo.rar.JzeoManagedConnectionFactory, jndi-name=java:/eis/jzeo,
 *     recovery-username=jzeo-recovery, recovery-password=jzeo-recovery)
 * /subsystem=resource-adapters/resource-adapter=jzeo.rar/connection-definitions=jzeo/config-properties=serverAddresses:add(value=HOST:PORT)
 * xa-data-source add --name=jzeo-bank --driver-name=h2 --jndi-name=java:jboss/datasources/jzeo-bank
 *     --user-name=sa --password=sa --xa-datasource-properties={"URL"=>"jdbc:h2:mem:jzeobank;DB_CLOSE_DELAY=-1"}
 * </pre>
 *
 * The deployments (jzeo.rar, then the example EAR) follow.
 */
public class JzeoServerSetup implements ServerSetupTask {
    static final String RAR = "jzeo.rar";
    static final String CONNECTION_DEFINITION = "jzeo";
    static final String DATASOURCE = "jzeo-bank";

    private static volatile StorageUnderTest storage;

    /** The jzeo server the adapter is configured for. */
    static StorageUnderTest storage() {
        StorageUnderTest s = storage;
        if (s == null) {
            throw new IllegalStateException("the jzeo server is not running (server setup did not run)");
        }
        return s;
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        Path runs = Files.createDirectories(Path.of("target", "jzeo-data"));
        storage = StorageUnderTest.start(Files.createTempDirectory(runs, "run-"));

        ModelNode adapter = adapterAddress();
        ModelNode addAdapter = Operations.createAddOperation(adapter);
        addAdapter.get("archive").set(RAR);
        addAdapter.get("transaction-support").set("XATransaction");

        ModelNode definition = adapter.clone().add("connection-definitions", CONNECTION_DEFINITION);
        ModelNode addDefinition = Operations.createAddOperation(definition);
        addDefinition.get("class-name").set("org.jzeo.rar.JzeoManagedConnectionFactory");
        addDefinition.get("jndi-name").set("java:/eis/jzeo");
        // Recovery: IronJacamar creates a managed connection with these credentials (ignored by the adapter) and
        // asks its XAResource for the prepared xids. Without them WildFly logs IJ020016 and disables XA recovery.
        addDefinition.get("recovery-username").set("jzeo-recovery");
        addDefinition.get("recovery-password").set("jzeo-recovery");

        ModelNode addDatasource = Operations.createAddOperation(datasourceAddress());
        addDatasource.get("jndi-name").set("java:jboss/datasources/" + DATASOURCE);
        addDatasource.get("driver-name").set("h2");
        addDatasource.get("user-name").set("sa");
        addDatasource.get("password").set("sa");
        ModelNode url = Operations.createAddOperation(
                datasourceAddress().add("xa-datasource-properties", "URL"));
        url.get("value").set("jdbc:h2:mem:jzeobank;DB_CLOSE_DELAY=-1");

        Operations.CompositeOperationBuilder steps = Operations.CompositeOperationBuilder.create()
                .addStep(addAdapter)
                .addStep(addDefinition)
                .addStep(property(definition, "serverAddresses", storage.containerAddress()))
                .addStep(property(definition, "waitTimeout", "10"))
                .addStep(property(definition, "minDisconnectPoll", "1"))
                .addStep(property(definition, "maxDisconnectPoll", "2"))
                .addStep(addDatasource)
                .addStep(url);
        executeOperation(client, steps.build());
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        try {
            Operations.CompositeOperationBuilder steps = Operations.CompositeOperationBuilder.create()
                    .addStep(Operations.createRemoveOperation(datasourceAddress()))
                    .addStep(Operations.createRemoveOperation(adapterAddress()));
            ModelNode remove = steps.build().getOperation();
            remove.get(ClientConstants.OPERATION_HEADERS).get("allow-resource-service-restart").set(true);
            executeOperation(client, remove);
        } finally {
            StorageUnderTest s = storage;
            storage = null;
            if (s != null) {
                s.close();
            }
        }
    }

    private static ModelNode adapterAddress() {
        return Operations.createAddress("subsystem", "resource-adapters", "resource-adapter", RAR);
    }

    private static ModelNode datasourceAddress() {
        return Operations.createAddress("subsystem", "datasources", "xa-data-source", DATASOURCE);
    }

    private static ModelNode property(ModelNode definition, String name, String value) {
        ModelNode add = Operations.createAddOperation(definition.clone().add("config-properties", name));
        add.get("value").set(value);
        return add;
    }
}
