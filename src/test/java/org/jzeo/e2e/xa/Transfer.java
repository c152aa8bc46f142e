package org.jzeo.e2e.xa;

/**
 * One transfer of the XA kill storm and what the transaction manager reported for it, as the child prints it and
 * the test reads it back: {@code id:from:to:amount:result}.
 *
 * @param from    the index of the account debited
 * @param to      the index of the account credited (never {@code from})
 * @param result  {@link #COMMITTED} (Narayana's commit returned: the transfer must be applied exactly once, if need
 *                be by recovery), {@link #ROLLED_BACK} (never applied), or {@code unknown-<exception>} (a heuristic
 *                or system error: applied once or not at all, but wholly, in jzeo and H2 alike)
 */
record Transfer(long id, int from, int to, int amount, String result) {
    static final String COMMITTED = "committed";
    static final String ROLLED_BACK = "rolled-back";

    boolean committed() {
        return result.equals(COMMITTED);
    }

    boolean rolledBack() {
        return result.equals(ROLLED_BACK);
    }

    boolean touches(int account) {
        return from == account || to == account;
    }

    String format() {
        return id + ":" + from + ":" + to + ":" + amount + ":" + result;
    }

    static Transfer parse(String s) {
        String[] f = s.split(":", 5);
        return new Transfer(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), f[4]);
    }
}
