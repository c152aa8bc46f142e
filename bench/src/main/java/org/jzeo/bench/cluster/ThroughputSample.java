package org.jzeo.bench.cluster;

/**
 * One measured window of one phase on one cluster.
 *
 * @param storage     "FileStorage" or "PostgreSQL"
 * @param servers     jzeo servers the connections were spread over
 * @param connections connections in all (servers × connections per server)
 * @param phase       "load" or "commit"
 * @param ops         operations that started and completed inside the window
 * @param window      the window's length, s (operations per second are ops / window)
 * @param cpuSeconds  the time between the CPU readings that bracket the window, s
 * @param serverCpu   the jzeo servers' CPU in the window, summed over their processes, ns (-1: unknown)
 * @param postgresCpu PostgreSQL's processes' CPU in the window, ns (-1: unknown or no PostgreSQL)
 * @param clientCpu   this process's CPU (the clients) in the window, ns (-1: unknown)
 * @param failure     why the phase failed, or null
 */
record ThroughputSample(String storage, int servers, int connections, String phase, long ops, double window,
                        double cpuSeconds, long serverCpu, long postgresCpu, long clientCpu, String failure) {

    double rate() {
        return window > 0 ? ops / window : 0;
    }

    /** CPU per operation in µs, or -1 if unknown. */
    double perOp(long cpuNanos) {
        return ops > 0 && cpuNanos >= 0 ? cpuNanos / 1e3 / ops : -1;
    }

    /** CPU as a share of one core over the readings' interval (1.0 = one core busy), or -1. */
    double share(long cpuNanos) {
        return cpuSeconds > 0 && cpuNanos >= 0 ? cpuNanos / 1e9 / cpuSeconds : -1;
    }

    /** jzeo servers' plus PostgreSQL's CPU (just the servers' for FileStorage), ns, or -1. */
    long storageSideCpu() {
        if (serverCpu < 0) {
            return -1;
        }
        return postgresCpu < 0 ? (storage.equals("PostgreSQL") ? -1 : serverCpu) : serverCpu + postgresCpu;
    }

    String label() {
        return storage + " × " + servers;
    }
}
