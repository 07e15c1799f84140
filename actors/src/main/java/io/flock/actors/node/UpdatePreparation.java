package io.flock.actors.node;

import io.flock.models.training.LocalUpdate;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.dp.DpFedAvg;
import io.flock.privacy.dp.GaussianNoise;

/**
 * How a {@link TrainingNode} turns a finished local training into the update it sends: {@code
 * Delta = w_local - w_global}, clipped to the clip norm and noised with this node's share of the DP
 * noise when the request asks for it (DP-FedAvg, McMahan et al. 2018; the noise comes from a
 * CSPRNG), then scaled by the node's update scale. Used by the node's actor only.
 */
final class UpdatePreparation {

  private final double updateScale;
  private GaussianNoise noise; // made when a request first asks for noise

  UpdatePreparation(double updateScale) {
    this.updateScale = updateScale;
  }

  /**
   * The clipped, noised and scaled update of {@code update} trained from {@code global} under
   * {@code cfg}, in a new array.
   *
   * @throws IllegalArgumentException when clipping or noising refuses the settings
   */
  Prepared prepare(LocalUpdate update, ModelWeights global, TrainConfig cfg) {
    float[] delta = update.weights().toArray(); // one copy, made the update in place
    for (int i = 0; i < delta.length; i++) {
      delta[i] -= global.get(i);
    }
    boolean withinClipNorm = true;
    if (cfg.clipNorm() > 0) {
      if (cfg.noiseStd() > 0 && noise == null) {
        noise = GaussianNoise.create();
      }
      withinClipNorm = DpFedAvg.clipAndAddShare(delta, cfg.clipNorm(), cfg.noiseStd(), noise) <= cfg.clipNorm();
    }
    if (updateScale != 1.0) {
      for (int i = 0; i < delta.length; i++) {
        delta[i] *= (float) updateScale;
      }
    }
    return new Prepared(delta, withinClipNorm);
  }

  /**
   * Whether {@code steps} is less local work than {@code cfg} asks of a node with {@code dataSize}
   * samples. A step bound in the request is the work asked of every node: reaching it is not partial
   * work.
   */
  static boolean partialWork(TrainConfig cfg, int dataSize, int steps) {
    int batch = Math.min(cfg.batchSize(), dataSize);
    long fullSteps = (long) cfg.localEpochs() * ((dataSize + batch - 1) / batch);
    long asked = cfg.maxSteps() > 0 ? Math.min(fullSteps, cfg.maxSteps()) : fullSteps;
    return steps < asked;
  }

  /** An update ready to send, and whether its norm was within the clip norm before clipping. */
  record Prepared(float[] delta, boolean withinClipNorm) {}
}
