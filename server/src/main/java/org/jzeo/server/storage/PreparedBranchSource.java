package org.jzeo.server.storage;

/** A storage whose XA branches its database keeps ({@link PreparedBranchStore}) rather than a server's log. */
public interface PreparedBranchSource {
    PreparedBranchStore preparedBranches();
}
