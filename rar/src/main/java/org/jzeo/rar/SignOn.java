package org.jzeo.rar;

import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.security.PasswordCredential;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Set;
import javax.security.auth.Subject;
import org.jzeo.client.Credentials;

/**
 * Who a managed connection signs on as, from what the container and the application give the factory. The first of
 * these that names a user wins:
 * <ol>
 *   <li>the container's {@link PasswordCredential} in the {@link Subject} (container-managed sign-on: WildFly's
 *       authentication context or recovery credentials, Payara's pool user). A credential whose managed connection
 *       factory is this one is preferred; one that names no factory is accepted too, because WildFly's Elytron
 *       subject factory leaves it unset; one for another factory is never used;</li>
 *   <li>the {@link JzeoConnectionRequestInfo} of {@code getConnection(user, password)} (component-managed);</li>
 *   <li>the factory's {@code userName} and {@code password} configuration properties.</li>
 * </ol>
 * A credential with an empty user name counts as none (Payara's recovery passes one when the pool has no user), so
 * the next source is tried. No source at all: the connection signs on as nobody (a server without authentication).
 */
final class SignOn {
    private SignOn() {
    }

    /** The credentials to sign on with, or null for none; {@code realm} (may be null) is added to any of them. */
    static Credentials credentials(ManagedConnectionFactory factory, Subject subject, ConnectionRequestInfo request,
                                   String configuredUser, String configuredPassword, String realm) {
        PasswordCredential fromContainer = containerCredential(factory, subject);
        if (fromContainer != null) {
            char[] password = fromContainer.getPassword();
            return of(fromContainer.getUserName(), password == null ? "" : new String(password), realm);
        }
        if (request instanceof JzeoConnectionRequestInfo info && !info.userName().isBlank()) {
            return of(info.userName(), info.password(), realm);
        }
        if (configuredUser != null && !configuredUser.isBlank()) {
            return of(configuredUser, configuredPassword == null ? "" : configuredPassword, realm);
        }
        return null;
    }

    /**
     * The subject's password credential for {@code factory} (or for no factory in particular) that names a user;
     * null if there is none. The private credentials are read with privileges, as the Connectors spec asks of an
     * adapter (under a security manager they are guarded).
     */
    @SuppressWarnings("removal") // AccessController: still what the Connectors spec describes; harmless without a SecurityManager
    static PasswordCredential containerCredential(ManagedConnectionFactory factory, Subject subject) {
        if (subject == null) {
            return null;
        }
        Set<PasswordCredential> all = AccessController.doPrivileged(
                (PrivilegedAction<Set<PasswordCredential>>) () -> subject.getPrivateCredentials(PasswordCredential.class));
        PasswordCredential unassigned = null;
        for (PasswordCredential credential : all) {
            if (credential.getUserName() == null || credential.getUserName().isBlank()) {
                continue;
            }
            ManagedConnectionFactory owner = credential.getManagedConnectionFactory();
            if (owner != null && owner.equals(factory)) {
                return credential;
            }
            if (owner == null && unassigned == null) {
                unassigned = credential;
            }
        }
        return unassigned;
    }

    private static Credentials of(String user, String password, String realm) {
        return new Credentials(user.trim(), password, realm == null || realm.isBlank() ? null : realm.trim());
    }
}
