package io.flock.models.training;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One JVM-wide lock around every training task, evaluation and model initialization on the
 * deep-learning engine.
 *
 * <p>DJL's PyTorch engine is not safe for a training task and another model's forward passes at
 * the same time in one JVM. Measured with BERT-Tiny: with an evaluator running in a second thread,
 * 1 of 60 one-step training tasks returned NaN weights, though the step's loss was the same finite
 * value as without the evaluator; so did 1 to 4 of every 6 simulations of a one-round BERT run
 * (whose coordinator evaluates while the first nodes train). With this lock: 0 of 600 tasks, with
 * 601 evaluations interleaved. DJL already allows only one open gradient collector per JVM, so training tasks never ran
 * side by side; this lock also keeps evaluation (inference) and initialization out of a running
 * task. A JVM's worker pool therefore grows across JVMs, not threads (README, "Training on a GPU").
 */
public final class EngineLock {

  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private EngineLock() {}

  /** Runs {@code work} while no other engine work of this JVM runs, and returns its result. */
  public static <T> T exclusive(Supplier<T> work) {
    LOCK.lock();
    try {
      return work.get();
    } finally {
      LOCK.unlock();
    }
  }

  /** Whether a thread waits for the lock now (for tests). */
  static boolean hasWaiters() {
    return LOCK.hasQueuedThreads();
  }
}
