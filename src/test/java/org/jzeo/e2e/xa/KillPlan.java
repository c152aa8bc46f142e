package org.jzeo.e2e.xa;

import java.util.Random;
import org.jzeo.server.CrashPoints;

/**
 * Where one round of the XA kill storm kills the server, drawn from the storm's seeded random.
 *
 * @param crashPoint      the XA point the server is armed with ({@code name@n}: its n-th passage), or null: killed
 *                        at a random moment instead, once {@code afterCommits} transfers of the round
 *                        were committed (others are in flight)
 * @param afterCommits   without a crash point: how many transfers of the round are committed before the kill
 * @param startupKill     null, or an XA log compaction point where the first restart (which compacts the log
 *                        holding the round's in-doubt branches) is killed too before the server is restarted
 */
record KillPlan(String crashPoint, int afterCommits, String startupKill) {
    private static final int MAX_OCCURRENCE = 12;
    private static final int MAX_COMMITS = 12;

    /** @param logHasRecords whether the XA log surely holds records, so that a start compacts it */
    static KillPlan draw(Random random, boolean logHasRecords) {
        String crashPoint = switch (random.nextInt(3)) {
            case 0 -> CrashPoints.XA_PREPARE_FORCED + "@" + (1 + random.nextInt(MAX_OCCURRENCE));
            case 1 -> CrashPoints.XA_COMMIT_APPENDED + "@" + (1 + random.nextInt(MAX_OCCURRENCE));
            default -> null;
        };
        int afterCommits = 1 + random.nextInt(MAX_COMMITS);
        String startupKill = null;
        if (random.nextInt(3) == 0 && logHasRecords) {
            startupKill = random.nextBoolean() ? CrashPoints.XA_COMPACTION_WRITTEN : CrashPoints.XA_COMPACTION_RENAMED;
        }
        return new KillPlan(crashPoint, afterCommits, startupKill);
    }

    @Override
    public String toString() {
        return (crashPoint != null ? "killed at " + crashPoint
                : "killed after " + afterCommits + " committed transfers")
                + (startupKill != null ? ", then at " + startupKill + " while restarting" : "");
    }
}
