package org.jzeo.server.cli;

import picocli.CommandLine;

/** The version printed by {@code jzeo --version}: the jar's implementation version. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = JzeoCommand.class.getPackage().getImplementationVersion();
        return new String[] {"jzeo " + (version == null ? "(development build)" : version)};
    }
}
