package org.jzeo.server.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The {@code <access>} section: each user's rights per storage, and which client certificates stand for which user.
 * A user with grants has exactly what the grants that name the storage (or every storage) give, NONE elsewhere; a
 * user without grants has the default right on every storage.
 */
public record AccessRules(Right defaultRight, List<Grant> grants, List<CertificateUser> certificates) {

    /** {@code user NAME RIGHT [STORAGE ...]}: no storages means every storage. */
    public record Grant(String user, Right right, Set<String> storages) {
        public Grant {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(right, "right");
            storages = Set.copyOf(storages);
        }

        boolean covers(String storage) {
            return storages.isEmpty() || storages.contains(storage);
        }
    }

    /** {@code certificate USER subject DN} or {@code certificate USER san VALUE} (e.g. {@code DNS:host}). */
    public record CertificateUser(String user, Match match, String value) {
        public enum Match { SUBJECT, SAN }

        public CertificateUser {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(match, "match");
            Objects.requireNonNull(value, "value");
        }

        boolean matches(X509Certificate certificate) {
            return match == Match.SUBJECT ? sameSubject(certificate) : hasSan(certificate);
        }

        /**
         * Whether the certificate's subject is the configured DN, compared as a list of RDNs (case and spacing do not
         * matter) in either order: RFC 2253 writes the most specific RDN first ("CN=x, O=y"), openssl prints the
         * certificate's order ("O = y, CN = x" for the same subject), and an operator may copy either.
         */
        private boolean sameSubject(X509Certificate certificate) {
            try {
                List<Rdn> wanted = new LdapName(value).getRdns();
                List<Rdn> actual = new LdapName(certificate.getSubjectX500Principal()
                        .getName(X500Principal.RFC2253)).getRdns();
                List<Rdn> reversed = new java.util.ArrayList<>(wanted);
                java.util.Collections.reverse(reversed);
                return actual.equals(wanted) || actual.equals(reversed);
            } catch (InvalidNameException | IllegalArgumentException e) {
                return false;
            }
        }

        private boolean hasSan(X509Certificate certificate) {
            Collection<List<?>> names;
            try {
                names = certificate.getSubjectAlternativeNames();
            } catch (CertificateParsingException e) {
                return false;
            }
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                if (name.size() >= 2 && name.get(1) instanceof String text
                        && value.equalsIgnoreCase(sanPrefix((Integer) name.get(0)) + text)) {
                    return true;
                }
            }
            return false;
        }

        private static String sanPrefix(int type) {
            return switch (type) {
                case 1 -> "email:";
                case 2 -> "DNS:";
                case 6 -> "URI:";
                case 7 -> "IP:";
                default -> "other" + type + ":";
            };
        }
    }

    /** Without an {@code <access>} section: every signed-on user reads and writes every storage. */
    public static final AccessRules DEFAULT = new AccessRules(Right.READ_WRITE, List.of(), List.of());

    public AccessRules {
        Objects.requireNonNull(defaultRight, "defaultRight");
        grants = List.copyOf(grants);
        certificates = List.copyOf(certificates);
    }

    /** What {@code user} may do with {@code storage}. */
    public Right rightOf(String user, String storage) {
        Right best = null;
        for (Grant grant : grants) {
            if (grant.user().equals(user)) {
                Right granted = grant.covers(storage) ? grant.right() : Right.NONE;
                best = best == null || granted.compareTo(best) > 0 ? granted : best;
            }
        }
        return best == null ? defaultRight : best;
    }

    /** The user the first matching {@code certificate} line names, if any. */
    public Optional<String> userOf(X509Certificate certificate) {
        for (CertificateUser rule : certificates) {
            if (rule.matches(certificate)) {
                return Optional.of(rule.user());
            }
        }
        return Optional.empty();
    }
}
