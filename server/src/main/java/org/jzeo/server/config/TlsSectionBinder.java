package org.jzeo.server.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns {@code <ssl>} inside {@code <zeo>} into a {@link TlsConfig} with ZEO 5's server keys: {@code certificate}
 * (required), {@code key}, {@code authenticate} (required: a CA file or directory, or {@code -}/{@code SIGNED} for
 * the default trust store). {@code password-function} names Python code and is refused.
 */
final class TlsSectionBinder {
    private TlsSectionBinder() {
    }

    static TlsConfig bind(ConfigSection ssl, Consumer<ConfigWarning> warnings) {
        SectionReader r = new SectionReader(ssl, warnings);
        Path certificate = r.required("certificate", Datatypes::path);
        Optional<Path> key = r.optional("key", Datatypes::path);
        r.refuse("password-function", "it names a Python function, which jzeo cannot call; give an unencrypted"
                + " key (e.g. 'openssl pkey -in encrypted.pem -out key.pem') and protect it with file permissions");
        Optional<Path> authorities = r.required("authenticate", TlsSectionBinder::authorities);
        r.finish();
        return new TlsConfig(certificate, key, authorities);
    }

    private static Optional<Path> authorities(String text) {
        String s = text.strip();
        if (s.equals("-") || s.equals("SIGNED")) {
            return Optional.empty();
        }
        return Optional.of(Datatypes.path(s));
    }
}
