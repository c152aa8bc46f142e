package org.jzeo.rar;

import jakarta.resource.spi.ManagedConnectionMetaData;
import org.jzeo.client.ClientStorage;

/**
 * What a managed connection tells the container about the EIS behind it. The server does not report a version
 * in {@code get_info} (ZEO's does not either), so the version is the resource adapter's own.
 */
final class JzeoMetaData implements ManagedConnectionMetaData {
    /** The EIS product name. */
    static final String PRODUCT_NAME = "jzeo";

    private final ClientStorage storage;
    private final String userName;

    /** {@code userName}: who the connection signed on as, null for nobody. */
    JzeoMetaData(ClientStorage storage, String userName) {
        this.storage = storage;
        this.userName = userName;
    }

    @Override
    public String getEISProductName() {
        return PRODUCT_NAME;
    }

    @Override
    public String getEISProductVersion() {
        return version();
    }

    /** The jar's Implementation-Version, or "development" when run from classes (tests, IDE). */
    static String version() {
        String version = JzeoMetaData.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** No limit of the server's: ZEO serves as many sessions as connect; only the container's pool limits them. */
    @Override
    public int getMaxConnections() {
        return 0;
    }

    /** The user the connection signed on as (the spec's "user name for the connection"); null when none. */
    @Override
    public String getUserName() {
        return userName;
    }

    @Override
    public String toString() {
        return PRODUCT_NAME + " " + version() + " (" + storage + ")";
    }
}
