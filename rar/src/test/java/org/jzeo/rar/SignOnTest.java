package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.resource.spi.security.PasswordCredential;
import java.nio.file.Path;
import java.util.List;
import javax.security.auth.Subject;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.Credentials;
import org.junit.jupiter.api.Test;

/**
 * Who a managed connection signs on as, without a server: the container's Subject first, then the application's
 * request, then the factory's properties; and what that does to the storage key and the client options.
 */
class SignOnTest {

    private static JzeoManagedConnectionFactory factory() {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        f.setServerAddresses("127.0.0.1:8100");
        return f;
    }

    private static Subject subject(PasswordCredential... credentials) {
        Subject subject = new Subject();
        subject.getPrivateCredentials().addAll(List.of(credentials));
        return subject;
    }

    private static PasswordCredential credential(String user, String password, JzeoManagedConnectionFactory owner) {
        PasswordCredential credential = new PasswordCredential(user, password.toCharArray());
        if (owner != null) {
            credential.setManagedConnectionFactory(owner);
        }
        return credential;
    }

    @Test
    void nothingConfiguredSignsOnAsNobody() {
        assertThat(factory().credentials(null, null)).isNull();
        assertThat(factory().credentials(new Subject(), null)).isNull();
    }

    @Test
    void theContainersCredentialWinsOverTheRequestAndTheProperties() {
        JzeoManagedConnectionFactory f = factory();
        f.setUserName("configured");
        f.setPassword("c");
        Credentials signOn = f.credentials(subject(credential("pool", "p", f)),
                new JzeoConnectionRequestInfo("app", "a"));
        assertThat(signOn).isEqualTo(new Credentials("pool", "p", null));
    }

    /** WildFly's Elytron subject factory does not set the credential's factory; IronJacamar's recovery does. */
    @Test
    void aCredentialForThisFactoryIsPreferredToOneForNoFactoryAndOneForAnotherIsNeverUsed() {
        JzeoManagedConnectionFactory f = factory();
        JzeoManagedConnectionFactory other = factory();
        other.setStorage("other");

        assertThat(f.credentials(subject(credential("elytron", "e", null)), null).username()).isEqualTo("elytron");
        assertThat(f.credentials(subject(credential("elytron", "e", null), credential("mine", "m", f)), null)
                .username()).isEqualTo("mine");
        assertThat(f.credentials(subject(credential("theirs", "t", other)), null)).isNull();
        // an equal factory (the container's copy with the same properties) is this factory
        assertThat(f.credentials(subject(credential("copy", "c", factory())), null).username()).isEqualTo("copy");
    }

    /** Payara's recover-transactions passes a credential with an empty user when the pool names none. */
    @Test
    void anEmptyUserFallsBackToTheRequestThenToTheProperties() {
        JzeoManagedConnectionFactory f = factory();
        Subject empty = subject(credential("", "", f));
        assertThat(f.credentials(empty, null)).isNull();
        assertThat(f.credentials(empty, new JzeoConnectionRequestInfo("app", "a")))
                .isEqualTo(new Credentials("app", "a", null));
        f.setUserName("bank");
        f.setPassword("s3cret");
        assertThat(f.credentials(empty, null)).isEqualTo(new Credentials("bank", "s3cret", null));
        assertThat(f.credentials(null, null)).isEqualTo(new Credentials("bank", "s3cret", null));
    }

    /** For a server without authentication, to which WildFly still passes its recovery credentials. */
    @Test
    void signOnOffIgnoresEveryCredential() {
        JzeoManagedConnectionFactory f = factory();
        f.setUserName("bank");
        f.setPassword("s3cret");
        f.setSignOn(false);
        assertThat(f.credentials(subject(credential("recovery", "r", f)), new JzeoConnectionRequestInfo("a", "b")))
                .isNull();
        assertThat(f).isNotEqualTo(factory());
    }

    @Test
    void theRealmPropertyGoesWithEveryCredential() {
        JzeoManagedConnectionFactory f = factory();
        f.setRealm("zeo");
        assertThat(f.credentials(subject(credential("pool", "p", f)), null).realm()).isEqualTo("zeo");
        assertThat(f.credentials(null, new JzeoConnectionRequestInfo("app", "a")).realm()).isEqualTo("zeo");
        assertThat(f.credentials(null, null)).as("a realm alone is no sign-on").isNull();
    }

    @Test
    void credentialsArePartOfTheStorageKeyPasswordIncluded() {
        StorageSettings settings = factory().settings();
        StorageKey bank = new StorageKey(settings, Credentials.of("bank", "right"));
        assertThat(bank).isEqualTo(new StorageKey(settings, Credentials.of("bank", "right")));
        assertThat(bank).isNotEqualTo(new StorageKey(settings, Credentials.of("bank", "wrong")));
        assertThat(bank).isNotEqualTo(new StorageKey(settings, Credentials.of("audit", "right")));
        assertThat(bank).isNotEqualTo(new StorageKey(settings, null));

        StorageRegistry registry = new StorageRegistry();
        SharedStorage first = registry.storage(bank);
        assertThat(registry.storage(new StorageKey(settings, Credentials.of("bank", "right")))).isSameAs(first);
        assertThat(registry.storage(new StorageKey(settings, Credentials.of("audit", "x")))).isNotSameAs(first);
        registry.forgetIfUnopened(first);
        assertThat(registry.size()).isEqualTo(1);
        registry.close();
    }

    @Test
    void theClientSignsOnWithTheCredentialsAndKeepsAPersistentCachePerUser() {
        JzeoManagedConnectionFactory f = factory();
        f.setClientName("app");
        f.setVarDirectory("/var/cache/jzeo");
        ClientOptions bank = new StorageKey(f.settings(), Credentials.of("bank", "s")).clientOptions();
        assertThat(bank.credentials()).isEqualTo(Credentials.of("bank", "s"));
        assertThat(bank.cacheFile()).isEqualTo(Path.of("/var/cache/jzeo/app-bank-1.jzc"));
        ClientOptions odd = new StorageKey(f.settings(), Credentials.of("../x_y", "s")).clientOptions();
        assertThat(odd.cacheFile().getFileName().toString()).isEqualTo("app-_2e._2fx_5fy-1.jzc");
        ClientOptions nobody = new StorageKey(f.settings(), null).clientOptions();
        assertThat(nobody.credentials()).isNull();
        assertThat(nobody.cacheFile()).isEqualTo(Path.of("/var/cache/jzeo/app-1.jzc"));
    }

    @Test
    void passwordsStayOutOfToString() {
        JzeoManagedConnectionFactory f = factory();
        f.setUserName("bank");
        f.setPassword("s3cret");
        assertThat(f.toString()).contains("userName=bank").doesNotContain("s3cret");
        assertThat(new JzeoConnectionRequestInfo("app", "s3cret").toString()).doesNotContain("s3cret");
        assertThat(new StorageKey(f.settings(), Credentials.of("bank", "s3cret")).toString())
                .doesNotContain("s3cret");
    }

    @Test
    void theSignOnPropertiesTakePartInEquality() {
        JzeoManagedConnectionFactory a = factory();
        JzeoManagedConnectionFactory b = factory();
        a.setUserName("bank");
        assertThat(a).isNotEqualTo(b);
        b.setUserName("bank");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        a.setPassword("x");
        assertThat(a).isNotEqualTo(b);
    }
}
