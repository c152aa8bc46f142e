package org.jzeo.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.jzeo.auth.AuthWire;
import org.jzeo.server.auth.AccessRules;
import org.jzeo.server.auth.AccessRules.CertificateUser;
import org.jzeo.server.auth.AccessRules.Grant;
import org.jzeo.server.auth.Authenticator;
import org.jzeo.server.auth.Right;

/**
 * {@code <zeo>}'s authentication keys and its {@code <access>} section:
 * <pre>
 * authentication-protocol scram-sha-256
 * authentication-database /etc/jzeo/users
 * authentication-realm    example        (optional: the database's realm)
 * authentication-timeout  30s            (optional)
 * &lt;access&gt;
 *   default     read-write               (right of a user with no 'user' line; read-write when absent)
 *   user        alice admin
 *   user        bob read-only 1 other    (storages after the right; none: every storage)
 *   certificate reader subject CN=reader,O=Example
 *   certificate ops san DNS:ops.example.com
 * &lt;/access&gt;
 * </pre>
 * ZEO 4's {@code digest} protocol is refused with what to use instead.
 */
final class AuthSectionBinder {
    private AuthSectionBinder() {
    }

    static Optional<AuthConfig> bind(SectionReader zeo, Consumer<ConfigWarning> warnings) {
        Optional<ConfigEntry> protocol = zeo.entry("authentication-protocol");
        Optional<ConfigEntry> database = zeo.entry("authentication-database");
        Optional<String> realm = zeo.optional("authentication-realm", String::trim);
        Optional<Duration> timeout = zeo.optional("authentication-timeout", AuthSectionBinder::positive);
        Optional<ConfigSection> access = zeo.section("access");
        if (protocol.isEmpty()) {
            String stray = database.isPresent() ? "authentication-database" : realm.isPresent()
                    ? "authentication-realm" : timeout.isPresent() ? "authentication-timeout" : null;
            if (stray != null) {
                throw new ConfigException(zeo.section().location(), "'" + stray + "' in " + zeo.section().label()
                        + " needs 'authentication-protocol " + AuthWire.PROTOCOL + "'");
            }
            access.ifPresent(a -> {
                throw new ConfigException(a.location(), "<access> needs 'authentication-protocol "
                        + AuthWire.PROTOCOL + "' in " + zeo.section().label());
            });
            return Optional.empty();
        }
        String name = protocol.get().value().trim().toLowerCase(Locale.ROOT);
        if (name.equals("digest")) {
            throw new ConfigException(protocol.get().location(), "authentication-protocol 'digest' (ZEO 4's) is"
                    + " not supported: it is weaker than what replaces it; use 'authentication-protocol "
                    + AuthWire.PROTOCOL + "' with a database made by 'jzeo passwd'");
        }
        if (!name.equals(AuthWire.PROTOCOL)) {
            throw new ConfigException(protocol.get().location(), "unknown authentication-protocol '"
                    + protocol.get().value().trim() + "' (jzeo offers " + AuthWire.PROTOCOL + ")");
        }
        ConfigEntry file = database.orElseThrow(() -> new ConfigException(protocol.get().location(),
                "'authentication-protocol' needs 'authentication-database' (a file made by 'jzeo passwd')"));
        AccessRules rules = access.map(a -> bindAccess(a, warnings)).orElse(AccessRules.DEFAULT);
        return Optional.of(new AuthConfig(zeo.convert(file, Datatypes::path), realm,
                timeout.orElse(Authenticator.DEFAULT_TIMEOUT), rules));
    }

    private static AccessRules bindAccess(ConfigSection section, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(section, warnings);
        Right defaultRight = r.get("default", Right::parse, Right.READ_WRITE);
        List<Grant> grants = new ArrayList<>();
        for (ConfigEntry e : r.all("user")) {
            grants.add(r.convert(e, AuthSectionBinder::grant));
        }
        List<CertificateUser> certificates = new ArrayList<>();
        for (ConfigEntry e : r.all("certificate")) {
            certificates.add(r.convert(e, AuthSectionBinder::certificate));
        }
        r.finish();
        return new AccessRules(defaultRight, grants, certificates);
    }

    /** "NAME RIGHT [STORAGE ...]". */
    private static Grant grant(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length < 2) {
            throw new IllegalArgumentException("expected 'user NAME RIGHT [STORAGE ...]', e.g. 'user alice read-write'");
        }
        return new Grant(words[0], Right.parse(words[1]),
                new LinkedHashSet<>(Arrays.asList(words).subList(2, words.length)));
    }

    /** "USER subject DN" or "USER san TYPE:VALUE". */
    private static CertificateUser certificate(String text) {
        String[] words = text.trim().split("\\s+", 3);
        if (words.length < 3) {
            throw new IllegalArgumentException("expected 'certificate USER subject DN' or 'certificate USER san"
                    + " DNS:name' (or email:, URI:, IP:)");
        }
        CertificateUser.Match match = switch (words[1].toLowerCase(Locale.ROOT)) {
            case "subject" -> CertificateUser.Match.SUBJECT;
            case "san" -> CertificateUser.Match.SAN;
            default -> throw new IllegalArgumentException("'" + words[1] + "' is not 'subject' or 'san'");
        };
        if (match == CertificateUser.Match.SUBJECT) {
            try {
                new javax.naming.ldap.LdapName(words[2]);
            } catch (javax.naming.InvalidNameException | IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + words[2] + "' is not a distinguished name");
            }
        } else if (!words[2].matches("(?i)(DNS|email|URI|IP):.+")) {
            throw new IllegalArgumentException("a san is written TYPE:VALUE with TYPE DNS, email, URI or IP, got '"
                    + words[2] + "'");
        }
        return new CertificateUser(words[0], match, words[2]);
    }

    private static Duration positive(String text) {
        Duration d = Datatypes.timeInterval(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be more than 0");
        }
        return d;
    }
}
