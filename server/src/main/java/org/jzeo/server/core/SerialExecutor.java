package org.jzeo.server.core;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: what a connection needs so that its
 * transactional calls (vote, finish, abort, iterators) take effect in the order they arrived, without tying up
 * a thread per connection.
 */
final class SerialExecutor implements Executor {
    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    /**
     * Runs {@code task} on the calling thread when nothing is queued or running, else queues it as {@link
     * #execute} does. For short tasks that never block, which then cost no hand-off to another thread.
     */
    void executeHereIfIdle(Runnable task) {
        synchronized (this) {
            if (running) {
                tasks.add(task);
                return;
            }
            running = true;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).error("task failed", e);
        } finally {
            boolean more;
            synchronized (this) {
                more = !tasks.isEmpty();
                running = more;
            }
            if (more) {
                pool.execute(this::drain);
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).error("task failed", e);
            }
        }
    }
}
