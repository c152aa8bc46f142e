package org.jzeo.bench.cluster;

import java.util.Arrays;

/**
 * The delays of one invalidation latency run, in ns, one per measured commit, in commit order:
 * <ul>
 *   <li>{@code fromReply}: from the committer having the tpc_finish reply to the listener being told of the tid.
 *       Negative when the invalidation reached the listener first: with both clients on one server, the server
 *       sends the reply and the invalidation at about the same time, and either may be read first;</li>
 *   <li>{@code fromRequest}: from the committer sending tpc_finish to the listener being told: never negative,
 *       and includes the commit's own finish.</li>
 * </ul>
 *
 * @param storage "FileStorage" or "PostgreSQL"
 * @param servers servers in the cluster
 * @param route   where the committer and the listener were connected, e.g. "server 1 → server 2"
 * @param lost    commits whose invalidation did not arrive in time (not in the arrays)
 * @param failure why the run stopped early, or null
 */
record LatencySample(String storage, int servers, String route, long[] fromReply, long[] fromRequest, int lost,
                     String failure) {

    int count() {
        return fromReply.length;
    }

    /** The value at quantile {@code q} (nearest rank) of {@code delays}, ns; 0 if empty. */
    static long quantile(long[] delays, double q) {
        if (delays.length == 0) {
            return 0;
        }
        long[] sorted = delays.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long max(long[] delays) {
        return Arrays.stream(delays).max().orElse(0);
    }

    static long min(long[] delays) {
        return Arrays.stream(delays).min().orElse(0);
    }

    String label() {
        return storage + " × " + servers;
    }
}
