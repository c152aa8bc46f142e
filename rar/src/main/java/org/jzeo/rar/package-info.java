/**
 * The Jakarta Connectors 2.1 resource adapter of jzeo: it lets application components get
 * {@link org.jzeo.api.StorageConnection}s from a container-managed pool and enlists them in the container's
 * transactions, XA or local.
 *
 * <p>The pieces, each with one job:
 * <ul>
 *   <li>{@link org.jzeo.rar.JzeoResourceAdapter}: the deployment's life cycle; owns the shared client storages
 *       and closes them when it stops.</li>
 *   <li>{@link org.jzeo.rar.JzeoManagedConnectionFactory}: the configuration (ZEO's client options as JavaBean
 *       properties), pool matching and validation.</li>
 *   <li>{@link org.jzeo.rar.JzeoManagedConnection}: one physical connection over the shared
 *       {@link org.jzeo.client.ClientStorage}, with its XAResource, its LocalTransaction and its events.</li>
 *   <li>{@link org.jzeo.rar.JzeoConnection}: the handle the application holds.</li>
 *   <li>{@link org.jzeo.rar.JzeoConnectionFactory}: what the container binds in JNDI.</li>
 * </ul>
 *
 * <p>{@code META-INF/ra.xml} is the single source of the deployment metadata: the classes carry no
 * {@code @Connector} or {@code @ConfigProperty} annotations.
 */
package org.jzeo.rar;
