package io.flock.models.training;

/**
 * What a node does with the global model in one round: local SGD epochs over its data, optionally
 * with the FedProx proximal term and a bound on the work. Travels inside the round's train request.
 *
 * <p>With {@code mu > 0} the node minimises the FedProx local objective {@code h_k(w; w_t) =
 * F_k(w) + (mu / 2) ||w - w_t||^2} (Li et al. 2020, "Federated Optimization in Heterogeneous
 * Networks", MLSys, Algorithm 2, Eq. 2) instead of {@code F_k(w)}; {@code mu = 0} is FedAvg's
 * ClientUpdate.
 *
 * <p>{@code maxSteps} bounds the local work: a node stops after that many optimizer steps even if
 * its epochs are not done, and sends its solution like a full one, weighted by its sample count
 * (FedProx's "gamma-inexact" solutions, Li et al. 2020, Sec. 3). Since the bound is part of the
 * request, a node that reaches it did the work it was asked for; partial work, which only some
 * strategies keep ({@code Strategy#acceptsPartialWork}), is fewer steps than {@code min(epochs x
 * batches, maxSteps)}, e.g. a straggler's reduced epochs.
 *
 * @param localEpochs passes over the local data (E in McMahan et al. 2017), >= 1
 * @param batchSize minibatch size (B), >= 1
 * @param learningRate SGD step size, > 0 and finite
 * @param clipNorm L2 bound applied to the node's update before it is sent; 0 = no clipping
 * @param mu FedProx proximal coefficient, >= 0 and finite; 0 = plain local SGD (FedAvg)
 * @param maxSteps most local optimizer steps this round, >= 0; 0 = no bound (all epochs)
 * @param noiseStd std of the Gaussian noise the node adds to its (clipped) update, >= 0: its
 *     share of the noise under distributed differential privacy; 0 = none
 */
public record TrainConfig(
    int localEpochs,
    int batchSize,
    double learningRate,
    double clipNorm,
    double mu,
    int maxSteps,
    double noiseStd) {

  /** Validates every field; the message names the field and the rule. */
  public TrainConfig {
    if (localEpochs < 1) {
      throw new IllegalArgumentException("localEpochs must be >= 1, was " + localEpochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be > 0 and finite, was " + learningRate);
    }
    if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be >= 0 and finite (0 = off), was " + clipNorm);
    }
    if (!(mu >= 0) || Double.isInfinite(mu)) {
      throw new IllegalArgumentException("mu must be >= 0 and finite (0 = no proximal term), was " + mu);
    }
    if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
      throw new IllegalArgumentException("noiseStd must be >= 0 and finite (0 = none), was " + noiseStd);
    }
    if (noiseStd > 0 && clipNorm == 0) {
      throw new IllegalArgumentException("noiseStd > 0 needs clipNorm > 0: noise without a bound protects nothing");
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0 = no bound), was " + maxSteps);
    }
  }

  /** This config with the FedProx coefficient {@code mu}. */
  public TrainConfig withMu(double mu) {
    return new TrainConfig(localEpochs, batchSize, learningRate, clipNorm, mu, maxSteps, noiseStd);
  }

  /** This config with the node-side privacy: clip to {@code clipNorm}, add noise of {@code noiseStd}. */
  public TrainConfig withPrivacy(double clipNorm, double noiseStd) {
    return new TrainConfig(localEpochs, batchSize, learningRate, clipNorm, mu, maxSteps, noiseStd);
  }

  /** This config with {@code localEpochs} epochs (a simulated straggler does fewer). */
  public TrainConfig withLocalEpochs(int localEpochs) {
    return new TrainConfig(localEpochs, batchSize, learningRate, clipNorm, mu, maxSteps, noiseStd);
  }
}
