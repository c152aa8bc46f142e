package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.resource.spi.InvalidPropertyException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jzeo.client.ClientOptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The connection definition's JavaBean properties: ZEO's defaults, their meaning, equality, and ra.xml. */
class ConfigPropertiesTest {

    private static JzeoManagedConnectionFactory configured() {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        f.setServerAddresses("zeo1:8100, zeo2:8100");
        return f;
    }

    @Test
    void defaultsAreZeos() {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        assertThat(f.getStorage()).isEqualTo("1");
        assertThat(f.getCacheSize()).isEqualTo(20L * 1024 * 1024);
        assertThat(f.getMinDisconnectPoll()).isEqualTo(5);
        assertThat(f.getMaxDisconnectPoll()).isEqualTo(300);
        assertThat(f.getWaitTimeout()).isEqualTo(30);
        assertThat(f.getReadOnly()).isFalse();
        assertThat(f.getReadOnlyFallback()).isFalse();
        assertThat(f.getTlsVerifyHostname()).isTrue();
        assertThat(f.getDefaultTransactionTimeout()).isZero();
        assertThat(f.getBlobDirectory()).isNull();
        assertThat(f.getSharedBlobDirectory()).isFalse();
        assertThat(f.getBlobCacheSize()).as("unbounded").isNull();
        assertThat(f.getBlobCacheSizeCheck()).isEqualTo(10);

        ClientOptions options = configured().settings().toClientOptions();
        ClientOptions zeo = ClientOptions.of("zeo1:8100", "zeo2:8100");
        assertThat(options).isEqualTo(zeo);
    }

    @Test
    void propertiesBecomeClientOptions() {
        JzeoManagedConnectionFactory f = configured();
        f.setStorage("main");
        f.setCacheSize(1234L);
        f.setClientName("app");
        f.setVarDirectory("/var/cache/jzeo");
        f.setReadOnlyFallback(true);
        f.setMinDisconnectPoll(2);
        f.setMaxDisconnectPoll(60);
        f.setWaitTimeout(7);
        f.setTlsTrustStore("/etc/jzeo/ca.pem");
        f.setTlsVerifyHostname(false);

        ClientOptions o = f.settings().toClientOptions();
        assertThat(o.servers()).hasSize(2);
        assertThat(o.storage()).isEqualTo("main");
        assertThat(o.cacheSize()).isEqualTo(1234L);
        assertThat(o.cacheFile()).isEqualTo(Path.of("/var/cache/jzeo/app-main.jzc"));
        assertThat(o.readOnlyFallback()).isTrue();
        assertThat(o.minDisconnectPoll()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.maxDisconnectPoll()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.waitForConnection()).isTrue();
        assertThat(o.waitTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.tls()).isNotNull();
        assertThat(o.tls().trustStore()).isEqualTo(Path.of("/etc/jzeo/ca.pem"));
        assertThat(o.tls().verifyHostname()).isFalse();
    }

    @Test
    void blobPropertiesBecomeZeosBlobOptions() {
        JzeoManagedConnectionFactory f = configured();
        f.setBlobDirectory("/var/cache/jzeo/blobs");
        f.setBlobCacheSize(1000L);
        f.setBlobCacheSizeCheck(20);
        ClientOptions o = f.settings().toClientOptions();
        assertThat(o.blobs().directory()).isEqualTo(Path.of("/var/cache/jzeo/blobs"));
        assertThat(o.blobs().shared()).isFalse();
        assertThat(o.blobs().trimTarget()).isEqualTo(800L);

        f.setSharedBlobDirectory(true);
        assertThat(f.settings().toClientOptions().blobs().shared()).isTrue();
        assertThat(f).isNotEqualTo(configured());
    }

    @Test
    void waitTimeoutZeroMeansDoNotWaitAndTlsIsOffByDefault() {
        JzeoManagedConnectionFactory f = configured();
        f.setWaitTimeout(0);
        ClientOptions o = f.settings().toClientOptions();
        assertThat(o.waitForConnection()).isFalse();
        assertThat(o.tls()).isNull();

        f.setTls(true);
        assertThat(f.settings().toClientOptions().tls().trustStore()).isNull(); // the JVM's default CAs
    }

    @Test
    void equalConfigurationsAreEqualFactories() {
        JzeoManagedConnectionFactory a = configured();
        JzeoManagedConnectionFactory b = configured();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);

        b.setCacheSize(1L);
        assertThat(a).isNotEqualTo(b);
        b.setCacheSize(a.getCacheSize());
        b.setDefaultTransactionTimeout(60);
        assertThat(a).isNotEqualTo(b);
        b.setDefaultTransactionTimeout(0);
        b.setTlsTrustStorePassword("secret");
        assertThat(a).isNotEqualTo(b);
        a.setTlsTrustStorePassword("secret");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void thePasswordIsNeverShown() {
        JzeoManagedConnectionFactory f = configured();
        f.setTlsTrustStorePassword("hunter2");
        assertThat(f.toString()).doesNotContain("hunter2").contains("tlsTrustStorePassword=****");
    }

    @Test
    void aMissingServerAddressIsAnInvalidProperty() {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        assertThatThrownBy(() -> f.createManagedConnection(null, null))
                .isInstanceOf(InvalidPropertyException.class).hasMessageContaining("serverAddresses");
        f.setServerAddresses("localhost:1");
        f.setMinDisconnectPoll(10);
        f.setMaxDisconnectPoll(5);
        assertThatThrownBy(() -> f.createManagedConnection(null, null))
                .isInstanceOf(InvalidPropertyException.class).hasMessageContaining("minDisconnectPoll");
    }

    @Test
    void nullIsRefusedForValuedProperties() {
        JzeoManagedConnectionFactory f = new JzeoManagedConnectionFactory();
        assertThatThrownBy(() -> f.setWaitTimeout(null)).hasMessageContaining("waitTimeout");
    }

    /** Every ra.xml property is a JavaBean property of the class, of the same type and with the same default. */
    @Test
    void raXmlMatchesTheFactory() throws Exception {
        Document ra = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
                .parse(Path.of("src/main/rar/META-INF/ra.xml").toFile());
        assertThat(ra.getDocumentElement().getAttribute("version")).isEqualTo("2.1");
        assertThat(text(ra, "resourceadapter-class")).isEqualTo(JzeoResourceAdapter.class.getName());
        assertThat(text(ra, "managedconnectionfactory-class")).isEqualTo(JzeoManagedConnectionFactory.class.getName());
        assertThat(text(ra, "connectionfactory-interface")).isEqualTo(org.jzeo.api.StorageConnectionFactory.class.getName());
        assertThat(text(ra, "connectionfactory-impl-class")).isEqualTo(JzeoConnectionFactory.class.getName());
        assertThat(text(ra, "connection-interface")).isEqualTo(org.jzeo.api.StorageConnection.class.getName());
        assertThat(text(ra, "connection-impl-class")).isEqualTo(JzeoConnection.class.getName());
        assertThat(text(ra, "transaction-support")).isEqualTo("XATransaction");
        assertThat(text(ra, "reauthentication-support")).isEqualTo("false");

        Map<String, PropertyDescriptor> beans = new LinkedHashMap<>();
        for (PropertyDescriptor p : Introspector.getBeanInfo(JzeoManagedConnectionFactory.class, Object.class)
                .getPropertyDescriptors()) {
            if (p.getWriteMethod() != null && p.getReadMethod() != null) {
                beans.put(p.getName(), p);
            }
        }
        JzeoManagedConnectionFactory defaults = new JzeoManagedConnectionFactory();
        NodeList properties = ra.getElementsByTagNameNS("*", "config-property");
        Map<String, String> declared = new LinkedHashMap<>();
        for (int i = 0; i < properties.getLength(); i++) {
            Element p = (Element) properties.item(i);
            String name = text(p, "config-property-name");
            String type = text(p, "config-property-type");
            String value = text(p, "config-property-value");
            declared.put(name, type);
            PropertyDescriptor bean = beans.get(name);
            assertThat(bean).as("JavaBean property %s", name).isNotNull();
            assertThat(bean.getPropertyType().getName()).as("type of %s", name).isEqualTo(type);
            Object actualDefault = bean.getReadMethod().invoke(defaults);
            assertThat(actualDefault == null ? null : actualDefault.toString()).as("default of %s", name)
                    .isEqualTo(value);
        }
        assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(
                beans.keySet().stream().filter(n -> !n.equals("logWriter") && !n.equals("resourceAdapter")).toList());
    }

    private static String text(org.w3c.dom.Node parent, String tag) {
        NodeList nodes = parent instanceof Document d ? d.getElementsByTagNameNS("*", tag)
                : ((Element) parent).getElementsByTagNameNS("*", tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
