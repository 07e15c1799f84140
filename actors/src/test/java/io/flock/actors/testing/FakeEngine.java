package io.flock.actors.testing;

import io.flock.models.data.NodeData;
import io.flock.models.training.LocalUpdate;
import io.flock.models.training.TrainConfig;
import io.flock.models.training.TrainingEngine;
import io.flock.models.weights.ModelWeights;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A deterministic, pure-Java {@link TrainingEngine}: "training" returns {@code global + delta} with
 * {@code numSamples = data.size()} and a fixed loss. No DJL, no native memory; a {@link Hook} runs
 * before each task and may block or throw to script failures.
 */
public final class FakeEngine implements TrainingEngine {

  /** Runs before each task on the training thread; may throw to fail the task. */
  @FunctionalInterface
  public interface Hook {
    void beforeTraining(long seed);

    Hook NONE = seed -> {};
  }

  private final float[] delta;
  private final double loss;
  private final Hook hook;
  private final AtomicInteger closed;

  private FakeEngine(float[] delta, double loss, Hook hook, AtomicInteger closed) {
    this.delta = delta.clone();
    this.loss = loss;
    this.hook = hook;
    this.closed = closed;
  }

  @Override
  public LocalUpdate train(ModelWeights global, TrainConfig config, NodeData data, long seed) {
    hook.beforeTraining(seed);
    ModelWeights trained = global.plusScaled(ModelWeights.of(global.layout(), delta), 1.0);
    int steps =
        config.localEpochs() * ((data.size() + config.batchSize() - 1) / config.batchSize());
    return new LocalUpdate(trained, data.size(), loss, steps);
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }

  /** Creates fake engines and counts how many were created and closed. */
  public static final class Factory implements Supplier<TrainingEngine> {
    private final float[] delta;
    private final double loss;
    private final Hook hook;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    public Factory(float[] delta, double loss, Hook hook) {
      this.delta = delta.clone();
      this.loss = loss;
      this.hook = hook;
    }

    @Override
    public TrainingEngine get() {
      created.incrementAndGet();
      return new FakeEngine(delta, loss, hook, closed);
    }

    public int created() {
      return created.get();
    }

    public int closed() {
      return closed.get();
    }
  }
}
